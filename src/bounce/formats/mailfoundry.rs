//! MailFoundry's bounce (`Subject: Message delivery has failed`):
//! `Unable to deliver message to: <address>`, `Delivery failed for the following reason:`, the
//! reason (`Server HOST[192.0.2.1] failed with: 550 …`), `This has been a permanent failure.`
//! and the returned message in a `message/rfc822` part.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const TO: &str = "Unable to deliver message to:";
const REASON: &str = "Delivery failed for the following reason:";
const TAIL_MARKERS: &[&str] = &["This has been a permanent failure", "\n\n"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, REASON) {
        return None;
    }
    let mut recipients = Vec::new();
    let mut rest = body;
    while let Some(i) = text::find(rest, TO) {
        let after = rest.get(i + TO.len()..).unwrap_or_default();
        let line = after.lines().next().unwrap_or_default();
        let next = text::find(after, TO).unwrap_or(after.len());
        let block = after.get(..next).unwrap_or_default();
        if let Some(address) = text::address_in(line) {
            let why = text::find(block, REASON).and_then(|j| block.get(j + REASON.len()..)).unwrap_or_default();
            let why = text::cut(why.trim_start(), TAIL_MARKERS);
            let remote = remote(why);
            let mut r = text::recipient_with(address, why, remote, text::command_in(why));
            r.action.get_or_insert_with(|| "failed".to_string());
            recipients.push(r);
        }
        rest = after.get(next..).unwrap_or_default();
    }
    Some(text::report("mailfoundry", recipients, text::original(msg)))
}

/// `Server mx.example.org[192.0.2.1] failed with:` → `mx.example.org`.
fn remote(why: &str) -> Option<String> {
    let rest = why.strip_prefix("Server ")?;
    let name = rest.split(['[', ' ']).next()?;
    (name.contains('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn mailfoundry_bounce() {
        let email = "From: MAILER-DAEMON@example.org\nSubject: Message delivery has failed\n\n\
Unable to deliver message to: <bob@example.net>\n\
Delivery failed for the following reason:\n\
Server mx.example.net[192.0.2.222] failed with: 550 <bob@example.net> No such user here\n\n\
This has been a permanent failure.  No further delivery attempts will be made.\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mailfoundry");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
    }
}
