//! OpenSMTPD's plain-text bounce, as smtpd/bounce.c writes it (OpenSMTPD/OpenSMTPD
//! smtpd/bounce.c and OpenBSD usr.sbin/smtpd/bounce.c across versions):
//! - 2013 on: `Subject: Delivery status notification: error` (`warning`; later `failed`,
//!   `delayed`, `delivered`, `relayed`, action_str()), the indented notice
//!   `Hi!` and `This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.` (`this email.`
//!   and CRLF line ends in later versions), then `An error has occurred while attempting to
//!   deliver a message for the following list of recipients:` (a warning: `A message is delayed
//!   for more than 4 hours for the following list of recipients:` … `Please note that this is
//!   only a temporary failure report.`; later versions also report `Your message was
//!   successfully delivered to these recipients.` and `Your message was relayed to these
//!   recipients.`), one unindented line per recipient, `address: what the server said`, and the
//!   returned message after `Below is a copy of the original message:`;
//! - 2011–2012: `Hi !`, the same notice unindented, `An error has occurred while attempting to
//!   deliver a message.`, then per recipient `Recipient: address` and `Reason: text`.
//!
//! Recipients of a warning are delayed (and soft), of a success or relay notice delivered or
//! relayed.

use crate::bounce::fields;
use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const NOTICE: &str = "This is the MAILER-DAEMON, please DO NOT REPLY to this";
const DELAYED: &[&str] = &["A message is delayed for more than", "this is only a temporary failure report"];
const DELIVERED: &str = "Your message was successfully delivered to these recipients";
const RELAYED: &str = "Your message was relayed to these recipients";
const COPY_MARKERS: &[&str] = &["Below is a copy of the original message"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    // The notice is one line, but a relay may have reflowed it: looked for with the white space
    // squeezed, near the top.
    let at = match text::find(body, NOTICE) {
        Some(at) => at,
        None if text::contains(body, "MAILER-DAEMON,") && text::contains(email.top(), NOTICE) => 0,
        None => return None,
    };
    let head = text::cut(body.get(at..)?, COPY_MARKERS);
    let squeezed = fields::squeeze(text::prefix(head, text::MAX_BLOCK));
    // The subject names the kind in later versions: `error`/`failed`, `warning`/`delayed`,
    // `delivered`, `relayed` (action_str() in bounce.c).
    let subject = text::subject(msg).to_ascii_lowercase();
    let kind = subject.strip_prefix("delivery status notification:").map(str::trim).unwrap_or_default();
    let delayed = DELAYED.iter().any(|m| squeezed.contains(m)) || matches!(kind, "warning" | "delayed");
    let action = if squeezed.contains(DELIVERED) || kind == "delivered" {
        "delivered"
    } else if squeezed.contains(RELAYED) || kind == "relayed" {
        "relayed"
    } else if delayed {
        "delayed"
    } else {
        "failed"
    };
    let mut recipients: Vec<BounceRecipient> = Vec::new();
    // 2011–2012: `Recipient: address` then `Reason: text`.
    let mut pending: Option<String> = None;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("Recipient: ") {
            pending = text::clean_address(rest.trim());
            continue;
        }
        let (address, what) = match (pending.take(), line.strip_prefix("Reason: ")) {
            (Some(address), Some(reason)) => (address, reason),
            _ => {
                let Some((who, what)) = line.split_once(": ") else { continue };
                let Some(address) = text::clean_address(who.trim()).filter(|_| !who.trim().contains(' ')) else {
                    continue;
                };
                (address, what)
            }
        };
        let mut r = text::recipient(address, what);
        r.action = Some(action.to_string());
        if action == "delayed" {
            text::mark_delayed(&mut r);
        }
        recipients.push(r);
    }
    Some(text::report("opensmtpd", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const BOUNCE: &str = "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\n\
Subject: Delivery status notification: error\n\n\
\x20   Hi!\n\n\
\x20   This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n\
\x20   An error has occurred while attempting to deliver a message for\n\
\x20   the following list of recipients:\n\n\
bob@example.net: 550 5.2.2 <bob@example.net>... Mailbox Full\n\
carol@example.net: Domain does not exist\n\n\
\x20   Below is a copy of the original message:\n\n\
From: alice@example.org\nTo: dave@example.net\nSubject: 550 5.1.1\n\nhi\n";

    #[test]
    fn opensmtpd_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "opensmtpd");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.2.2".into()), Reason::MailboxFull));
        // No code or status in the text: none invented.
        let carol = &r.recipients[1];
        assert_eq!(carol.address, "carol@example.net");
        assert!(carol.reply.is_none());
    }

    #[test]
    fn opensmtpd_warning() {
        let email = BOUNCE.replace(
            "An error has occurred while attempting to deliver a message for\n    the following",
            "A message is delayed for more than 4 hours for the following\n   ",
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients[0].action.as_deref(), Some("delayed"));
    }

    /// The later wording (`email`, CRLF), an enhanced status without a reply code.
    #[test]
    fn opensmtpd_later_versions() {
        let email = BOUNCE
            .replace("this e-mail.", "this email.")
            .replace("carol@example.net: Domain does not exist", "carol@example.net: 5.1.2 Domain does not exist");
        let r = parse_bounce(email.replace('\n', "\r\n").as_bytes()).unwrap();
        assert_eq!(r.format, "opensmtpd");
        let carol = &r.recipients[1];
        assert_eq!(seen(carol).0, "carol@example.net");
        assert_eq!(carol.status.map(|s| s.to_string()).as_deref(), Some("5.1.2"));
        assert_eq!(carol.action.as_deref(), Some("failed"));
    }

    /// The 2011–2012 layout: `Recipient:` and `Reason:` lines.
    #[test]
    fn opensmtpd_2012() {
        let email = "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\n\
Subject: Delivery status notification\n\n\
Hi !\n\n\
This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\
An error has occurred while attempting to deliver a message.\n\n\
Recipient: bob@example.net\n\
Reason: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown\n\n\
Below is a copy of the original message:\n\nSubject: 452 4.2.2\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "opensmtpd");
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
    }

    /// A warning's recipients are delayed and soft; a success notice's delivered.
    #[test]
    fn opensmtpd_warning_and_success() {
        let email = "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\n\
Subject: Delivery status notification: warning\n\n\
\x20   Hi!\n\n\
\x20   This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\n\
\x20   A message is delayed for more than 4 hours for the following\n\
\x20   list of recipients:\n\n\
bob@example.net: 421 4.7.0 Try again later\n\
carol@example.net: Network error on destination MXs\n\n\
\x20   Please note that this is only a temporary failure report.\n\
\x20   The message is kept in the queue for up to 4 days.\n\
\x20   You DO NOT NEED to re-send the message to these recipients.\n\n\
\x20   Below is a copy of the original message:\n\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients.len(), 2);
        for x in &r.recipients {
            assert_eq!(x.action.as_deref(), Some("delayed"));
            assert_eq!(x.bounce, crate::Bounce::Soft);
        }
        let success = email
            .replace(
                "A message is delayed for more than 4 hours for the following\n    list of recipients:",
                "Your message was successfully delivered to these recipients.",
            )
            .replace("Please note that this is only a temporary failure report.", "")
            .replace("notification: warning", "notification: delivered");
        let r = parse_bounce(success.as_bytes()).unwrap();
        assert_eq!(r.recipients[0].action.as_deref(), Some("delivered"));
    }

    /// Ordinary mail that mentions the notice without OpenSMTPD's layout names no recipient.
    #[test]
    fn opensmtpd_quoted_in_ordinary_mail() {
        let email = "From: alice@example.org\nSubject: strange mail\n\n\
I got a mail saying \"This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\"\n\
> bob@example.net: 550 no such user\nWhat should I do?\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }

    /// A reply without an enhanced status.
    #[test]
    fn opensmtpd_plain_reply() {
        let email = BOUNCE.replace("550 5.2.2 <bob@example.net>... Mailbox Full", "552 Mailbox full");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(552), None, Reason::MailboxFull));
    }

    /// The later subject names a delay even when the text was cut to the list.
    #[test]
    fn opensmtpd_delayed_by_subject() {
        let email = BOUNCE.replace("notification: error", "notification: delayed");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients[1].action.as_deref(), Some("delayed"));
        assert_eq!(r.recipients[1].bounce, crate::Bounce::Soft);
    }
}
