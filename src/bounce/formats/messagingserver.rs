//! Sun Java System / Oracle Communications Messaging Server (and the Netscape Messaging Server
//! and iPlanet it grew from, run by Sina and many universities) read from its human-readable
//! text, when the report comes without its `message/delivery-status` part: `This report relates
//! to a message you sent with the following header fields:`, the original's `Message-id:`,
//! `Date:`, `From:`, `To:`, `Subject:` indented, then `Your message cannot be delivered to the
//! following recipients:` (a delay report says it is delayed), and per recipient, indented,
//! `Recipient address: bob@example.net`, optionally `Original address: …`, `Reason: Remote SMTP
//! server has rejected address`, `Diagnostic code: smtp;550 5.1.1 …` and `Remote system:
//! dns;mx.example.net (TCP|192.0.2.1|47323|192.0.2.2|25) (…)`.
//!
//! Sources: a Messaging Server report kept as a test message of CPython's email package
//! (Lib/test/test_email/data/msg_16.txt: the opening, `Your message cannot be delivered to the
//! following recipients:`, `Recipient address:`, `Reason: recipient reached disk quota`); the
//! further fields as sisimai/p5-sisimai lib/Sisimai/Lhost/MessagingServer.pm reads them (BSD
//! 2-Clause; wording only).

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const OPENING: &str = "this report relates to a message you sent with the following header fields:";
const RECIPIENT: &str = "recipient address:";
const ORIGINAL: &str = "original address:";
const REASON: &str = "reason:";
const DIAGNOSTIC: &str = "diagnostic code:";
const REMOTE: &str = "remote system:";

#[derive(Default)]
struct Entry {
    address: String,
    original: Option<String>,
    reason: String,
    diagnostic: String,
    remote: Option<String>,
    delayed: bool,
}

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let lower = body.to_ascii_lowercase();
    let at = text::find(&lower, OPENING)?;
    let section = body.get(at + OPENING.len()..)?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut delayed = false;
    let mut last: Option<&'static str> = None;
    for line in section.lines() {
        let t = line.trim();
        let low = t.to_ascii_lowercase();
        if t.is_empty() {
            last = None;
            continue;
        }
        if low.starts_with("your message ") {
            // `Your message cannot be delivered to …` or `… has been delayed …`.
            delayed = text::contains(&low, "delayed");
            last = None;
            continue;
        }
        let value = |label: &str| t.get(label.len()..).unwrap_or_default().trim().to_string();
        if low.starts_with(RECIPIENT) {
            // `@relay.example.net:bob@example.net` (a source route): the address after the route.
            let v = value(RECIPIENT);
            let v = v.rsplit(':').next().unwrap_or_default();
            if let Some(address) = text::clean_address(v) {
                entries.push(Entry { address, delayed, ..Entry::default() });
            }
            last = None;
            continue;
        }
        let Some(e) = entries.last_mut() else { continue };
        if low.starts_with(ORIGINAL) {
            e.original = text::clean_address(&value(ORIGINAL));
            last = None;
        } else if low.starts_with(REASON) {
            e.reason = value(REASON);
            last = Some(REASON);
        } else if low.starts_with(DIAGNOSTIC) {
            e.diagnostic = value(DIAGNOSTIC);
            last = Some(DIAGNOSTIC);
        } else if low.starts_with(REMOTE) {
            let v = value(REMOTE);
            let (_, host) = v.split_once(';').unwrap_or(("", v.as_str()));
            e.remote = host.split_whitespace().next().filter(|h| h.contains('.')).map(String::from);
            last = None;
        } else if let Some(field) = last
            && line.starts_with([' ', '\t'])
        {
            // A wrapped value continues on the next, more indented line.
            let into = if field == REASON { &mut e.reason } else { &mut e.diagnostic };
            if into.len() < text::MAX_BLOCK {
                into.push(' ');
                into.push_str(t);
            }
        }
    }
    let recipients = entries.into_iter().map(recipient).collect();
    Some(text::report("messagingserver", recipients, text::original(msg)))
}

/// One recipient: the reply of its `Diagnostic code`, classified, else its `Reason` sentence.
fn recipient(e: Entry) -> BounceRecipient {
    let reply = (!e.diagnostic.is_empty()).then(|| text::typed_reply(&e.diagnostic, None)).flatten();
    let said = format!("{}\n{}", e.reason, e.diagnostic);
    let mut r = text::recipient_from_reply(e.address, reply, &said, e.delayed);
    if r.reply.is_some() && r.reason == crate::Reason::Undefined {
        let c = crate::classify::classify_text(text::prefix(&e.reason, text::MAX_BLOCK), e.delayed);
        (r.reason, r.bounce) = (c.reason, c.bounce);
    }
    r.original_recipient = e.original;
    r.remote_mta = r.remote_mta.or(e.remote);
    r.action = Some(if e.delayed { "delayed" } else { "failed" }.to_string());
    r
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const REPORT: &str = "From: Internet Mail Delivery <postmaster@mail.example.org>\n\
Subject: Delivery Notification: Delivery has failed\n\n\
This report relates to a message you sent with the following header fields:\n\n\
  Message-id: <0001@example.org>\n  Date: Sun, 23 Sep 2001 20:10:55 -0700\n\
  From: Alice <alice@example.org>\n  To: bob@example.net\n  Subject: hello\n\n\
Your message cannot be delivered to the following recipients:\n\n\
\x20 Recipient address: bob@example.net\n\
\x20 Reason: Remote SMTP server has rejected address\n\
\x20 Diagnostic code: smtp;550 5.1.1 <bob@example.net>... User Unknown\n\
\x20 Remote system: dns;mx.example.net (TCP|192.0.2.1|47323|192.0.2.2|25) (mx.example.net ESMTP)\n\n\
\x20 Recipient address: carol@example.net\n\
\x20 Reason: recipient reached disk quota\n\n";

    #[test]
    fn messaging_server_report() {
        let r = parse_bounce(REPORT.as_bytes()).unwrap();
        assert_eq!(r.format, "messagingserver");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.action.as_deref(), Some("failed"));
        let carol = &r.recipients[1];
        assert_eq!(seen(carol), ("carol@example.net", None, None, Reason::MailboxFull));
    }

    #[test]
    fn messaging_server_crlf_wrapped_and_routed() {
        let email = REPORT
            .replace(
                "  Diagnostic code: smtp;550 5.1.1 <bob@example.net>... User Unknown\n",
                "  Diagnostic code: smtp;550 5.1.1 <bob@example.net>...\n      User Unknown\n",
            )
            .replace(
                "  Recipient address: carol@example.net\n",
                "  Recipient address: @relay.example.net:carol@example.net\n  Original address: carol@example.net\n",
            )
            .replace('\n', "\r\n");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "messagingserver");
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        let carol = &r.recipients[1];
        assert_eq!(carol.address, "carol@example.net");
        assert_eq!(carol.original_recipient.as_deref(), Some("carol@example.net"));
    }

    #[test]
    fn ordinary_mail_quoting_the_phrase() {
        let email = "From: alice@example.org\nSubject: odd\n\n\
I got 'This report relates to a message you sent with the following header fields:' and nothing else.\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }
}
