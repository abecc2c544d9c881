//! au by KDDI's bounce (`From: no-reply@….dion.ne.jp`, a `multipart/mixed` with the returned
//! message): per recipient `Your mail sent on: DATE` (or `Your mail attempted to be delivered
//! on: DATE`), an indented `Could not be delivered to: <address>` and, indented below it, the
//! reason in English (`As their mailbox is full.`, `As the remote domain doesnt exist.`, `Due to
//! the following SMTP relay error:` and the reply); the text has a Japanese notice before it.
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/KDDI.pm (peer: au by KDDI's sentences and their
//! English reasons).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const DELIVERED_TO: &str = "Could not be delivered to:";
const SENT_ON: &[&str] = &["Your mail sent on:", "Your mail attempted to be delivered on:"];
const COPY_MARKERS: &[&str] = &["Content-Type: message/rfc822"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, DELIVERED_TO) || !SENT_ON.iter().any(|m| text::contains(body, m)) {
        return None;
    }
    let head = text::cut(body, COPY_MARKERS);
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix(DELIVERED_TO) {
            if let Some(a) = text::address_in(rest) {
                blocks.push((a, String::new()));
            }
        } else if SENT_ON.iter().any(|m| t.starts_with(m)) || t.is_empty() {
            continue;
        } else if let Some((_, block)) = blocks.last_mut()
            && line.starts_with([' ', '\t'])
        {
            block.push_str(t);
            block.push('\n');
        }
    }
    let recipients = blocks.into_iter().map(|(a, block)| text::recipient(a, &block)).collect();
    Some(text::report("kddi", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn kddi_bounce() {
        let email = "From: no-reply@ab0000.dion.example.jp\nSubject: Mail\n\n\
Your mail sent on: Thu, 29 Apr 2013 00:00:00 +0900\n\
\x20    Could not be delivered to: <bob@ab0000.dion.example.jp>\n\
\x20    As their mailbox is full.\n\n\
Your mail sent on: Thu, 29 Apr 2013 00:00:00 +0900\n\
\x20    Could not be delivered to: <carol@example.net>\n\
\x20    Due to the following SMTP relay error:\n\
\x20    550 5.7.1 Relaying denied\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "kddi");
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(r.recipients[0].address, "bob@ab0000.dion.example.jp");
        assert!(r.recipients[0].reply.is_none());
        assert_eq!(r.recipients[0].reason, crate::Reason::MailboxFull);
        assert_eq!(r.recipients[1].reply.as_ref().unwrap().code().unwrap().value(), 550);
    }
}
