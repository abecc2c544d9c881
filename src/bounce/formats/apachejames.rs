//! Apache James' bounce (its `Bounce` mailet's notice): `Error: …`, `Error message below:` and
//! the reply, then `Message details:` with the envelope (`MAIL FROM: …`, `RCPT TO: address`,
//! one line per recipient) and the original headers.
//!
//! Source: Apache James' `Bounce` and `DSNBounce` mailets (james-project, server/mailet/standard,
//! org/apache/james/transport/mailets/Bounce.java); sisimai/p5-sisimai
//! lib/Sisimai/Lhost/ApacheJames.pm (peer).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};
use std::borrow::Cow;

const BELOW: &str = "Error message below:";
const DETAILS: &str = "Message details:";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = if text::contains(email.body(), BELOW) {
        Cow::Borrowed(email.body())
    } else {
        // The notice's part is sometimes lost to a `boundary` parameter written on an unindented
        // line (so not part of the Content-Type field): the raw message is read instead, when it
        // has the (ASCII, so kept as it is by the lossy decoding) wording.
        memchr::memmem::find(msg.raw_message.as_ref(), BELOW.as_bytes())?;
        crate::bounce::fields::lossy(msg.raw_message.as_ref())
    };
    let below = text::find(&body, BELOW)?;
    let details = text::find(&body, DETAILS)?;
    let said = body.get(below + BELOW.len()..details).unwrap_or_default().trim();
    // The `Error: …` line right before.
    let error = body.get(..below).and_then(|h| h.lines().rev().find(|l| !l.trim().is_empty())).unwrap_or_default();
    let block = format!("{said}\n{error}");
    let mut template = text::recipient(String::new(), &block);
    template.action.get_or_insert_with(|| "failed".to_string());
    let recipients = text::for_all(
        email,
        &template,
        body.get(details..)?
            .lines()
            .filter_map(|l| l.trim().strip_prefix("RCPT TO:"))
            .flat_map(|v| v.split(','))
            .filter_map(text::address_in),
    );
    Some(text::report("apachejames", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn apachejames_bounce() {
        let email = "From: postmaster@example.org\nSubject: Re:hi\n\n\
Error: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n\n\
Message details:\n  Subject: hi\n  MAIL FROM: alice@example.org\n  RCPT TO: bob@example.net\n  From: alice@example.org\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "apachejames");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
    }

    #[test]
    fn apachejames_broken_boundary() {
        let email = "From: postmaster@example.org\nSubject: Re:hi\nContent-Type: multipart/mixed; boundary=\"o\"\n\n\
--o\nContent-Type: multipart/alternative;\nboundary=\"i\"\n\n--i\nContent-Type: text/plain\n\n\
Error: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n\n\
Message details:\n  RCPT TO: bob@example.net\n\n--i--\n\n--o--\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "apachejames");
        assert_eq!(r.recipients[0].address, "bob@example.net");
    }
}
