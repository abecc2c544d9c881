//! Gmail's former plain-text bounce (`Mail Delivery Subsystem <mailer-daemon@googlemail.com>`):
//! `Delivery to the following recipient failed permanently:` (or `… has been delayed:`), the
//! addresses indented on their own lines, `Technical details of permanent failure:` (or
//! `temporary`), Google's sentence naming the remote host (`… rejected by the server for the
//! recipient domain example.jp by mx.example.jp. [192.0.2.1].`), `The error that the other
//! server returned was:` and the reply (whose code Gmail sometimes writes twice, `550 550 5.1.1
//! …`), then `----- Original message -----`. A delay warning may have no technical details,
//! only a line after the addresses (`Message will be retried for 2 more day(s)`).
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/Gmail.pm (peer).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const LIST_START: &str = "Delivery to the following recipient";
const DETAILS: &str = "Technical details of ";
const RETURNED: &str = "The error that the other server returned was:";
const COPY_MARKERS: &[&str] = &["----- Original message -----", "----- Message header follows -----"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, LIST_START) || !text::contains(body, "----- ") {
        return None;
    }
    let head = text::cut(body, COPY_MARKERS);
    let list_at = text::find(head, LIST_START)?;
    let list = head.get(list_at..)?;
    let (list, details) = match text::find(list, DETAILS) {
        Some(i) => (list.get(..i)?, list.get(i..)?.to_string()),
        // A warning without technical details says why after the addresses (`Message will be
        // retried for 2 more day(s)`): the unindented lines after the list's first line.
        None => {
            let after: Vec<&str> =
                list.lines().skip(1).filter(|l| !l.starts_with([' ', '\t']) && !l.trim().is_empty()).collect();
            (list, after.join("\n"))
        }
    };
    let addresses: Vec<String> = list
        .lines()
        .skip(1)
        .filter(|l| l.starts_with(' ') || l.starts_with('\t'))
        .filter_map(text::address_in)
        .collect();
    let delayed = text::contains(list, "has been delayed");
    let remote = remote(&details);
    // The reply follows Google's sentence; a doubled code (`554 554 5.7.0`) is written once.
    let reply_text = match text::find(&details, RETURNED) {
        Some(i) => undouble(details.get(i + RETURNED.len()..).unwrap_or_default()),
        None => details,
    };
    // One reading of the shared details, copied to each address (linear in the input).
    let mut template = text::recipient_with(String::new(), &reply_text, remote, text::command_in(&reply_text));
    if delayed {
        template.action = Some("delayed".to_string());
    }
    let recipients = text::for_all(email, &template, addresses);
    Some(text::report("gmail", recipients, text::original(msg)))
}

/// `… for the recipient domain example.jp by mx.example.jp. [192.0.2.1].` → `mx.example.jp`.
fn remote(details: &str) -> Option<String> {
    let i = text::find(details, "for the recipient domain ")?;
    let rest = details.get(i..)?;
    let by = text::find(rest, " by ")?;
    let host = rest.get(by + 4..)?.split_whitespace().next()?.trim_end_matches('.');
    (host.contains('.') && !host.starts_with('[')).then(|| host.to_string())
}

/// The reply with a code written twice (`554 554 5.7.0 …`) written once.
fn undouble(s: &str) -> String {
    let s = s.trim();
    match (s.get(..4), s.get(4..8)) {
        (Some(a), Some(b)) if a == b && a.ends_with(' ') && a.bytes().take(3).all(|c| c.is_ascii_digit()) => {
            s.get(4..).unwrap_or_default().to_string()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    #[test]
    fn gmail_bounce() {
        let email = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\
Subject: Delivery Status Notification (Failure)\n\n\
Delivery to the following recipient failed permanently:\n\n     bob@example.net\n\n\
Technical details of permanent failure:\n\
Google tried to deliver your message, but it was rejected by the server for the recipient domain example.net by mx.example.net. [192.0.2.7].\n\n\
The error that the other server returned was:\n\
550 550 5.1.1 <bob@example.net>... User Unknown\n\n\
----- Original message -----\n\nSubject: 554 5.7.1\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "gmail");
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
    }
}
