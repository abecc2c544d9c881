//! A bounce of an unidentified MTA (Sisimai's "X3"): `From: Mail Delivery System`, framed by
//! lines of `=`, `This is an automatically generated Delivery Status Notification.`, `Delivery to
//! the following recipients failed permanently:` (some versions misspell `Delevery`), the
//! addresses as `* address`, then `Technical details:` and the session line `SMTP:RCPT host
//! 192.0.2.1: 553 5.3.0 …` (the command, the remote host and the reply).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "This is an automatically generated Delivery Status Notification";
const LIST: &str = "to the following recipients failed";
const DETAILS: &str = "Technical details:";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, OPENING)?;
    let rest = body.get(at..)?;
    let list_at = text::find(rest, LIST)?;
    let list = rest.get(list_at..)?;
    let (list, details) = match text::find(list, DETAILS) {
        Some(i) => (list.get(..i)?, list.get(i + DETAILS.len()..)?),
        None => (list, ""),
    };
    let details = text::cut(details, &["=====", "\n\n\n"]).trim();
    let delayed = !list.starts_with("to the following recipients failed permanently");
    let addresses: Vec<String> =
        list.lines().filter_map(|l| l.trim().strip_prefix("* ")).filter_map(text::clean_address).collect();
    let (command, remote) = session(details);
    let mut template = text::recipient_with(String::new(), details, remote, command);
    if delayed && template.reply.as_ref().is_none_or(|r| r.is_transient()) {
        template.action = Some("delayed".to_string());
    } else {
        template.action = Some("failed".to_string());
    }
    let recipients = text::for_all(email, &template, addresses);
    Some(text::report("x3", recipients, text::original(msg)))
}

/// `SMTP:RCPT host 192.0.2.1: …` → (`RCPT TO`, `192.0.2.1`).
fn session(details: &str) -> (Option<String>, Option<String>) {
    let Some(rest) = details.strip_prefix("SMTP:") else { return (text::command_in(details), None) };
    let mut words = rest.split_whitespace();
    let command = match words.next().unwrap_or_default().to_ascii_uppercase().as_str() {
        "RCPT" => Some("RCPT TO"),
        "MAIL" => Some("MAIL FROM"),
        "DATA" => Some("DATA"),
        "HELO" | "EHLO" => Some("EHLO"),
        _ => None,
    };
    let remote = match (words.next(), words.next()) {
        (Some("host"), Some(h)) => Some(h.trim_end_matches(':').to_string()).filter(|h| h.contains('.')),
        _ => None,
    };
    (command.map(String::from), remote)
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const BOUNCE: &str = "From: Mail Delivery System <Mail.Delivery.System@mx.example.org>\n\
Subject: Delivery status notification\n\n\
=====================\n\
      This is an automatically generated Delivery Status Notification.\n\n\
Delivery to the following recipients failed permanently:\n\n\
   * bob@example.net\n\n\n\
=====================\n\
                             Technical details:\n\n\
SMTP:RCPT host 192.0.2.8: 553 5.3.0 <bob@example.net>... No such user here\n\n\n\
=====================\n";

    #[test]
    fn x3_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "x3");
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(553), Some("5.3.0".into()), Reason::UserUnknown));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.remote_mta.as_deref(), Some("192.0.2.8"));
        let bare = BOUNCE.split("Technical details").next().unwrap();
        let r = parse_bounce(bare.as_bytes()).unwrap();
        assert!(r.recipients[0].reply.is_none());
    }
}
