//! OpenSMTPD's plain-text bounce (smtpd/bounce.c): `Subject: Delivery status notification: …`,
//! the indented notice `This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.`, then
//! `An error has occurred while attempting to deliver a message for the following list of
//! recipients:` (or, in a warning, `A message is delayed for more than … for the following list
//! of recipients:`), one unindented line per recipient, `address: what the server said`, and
//! the returned message after `Below is a copy of the original message:`.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const NOTICE: &str = "This is the MAILER-DAEMON, please DO NOT REPLY to this";
const DELAYED: &str = "A message is delayed for more than";
const COPY_MARKERS: &[&str] = &["Below is a copy of the original message"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, NOTICE)?;
    let head = text::cut(body.get(at..)?, COPY_MARKERS);
    let delayed = text::contains(head, DELAYED);
    let recipients = head
        .lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter_map(|l| {
            let (who, what) = l.split_once(": ")?;
            let address = text::clean_address(who.trim()).filter(|_| !who.trim().contains(' '))?;
            let mut r = text::recipient(address, what);
            if delayed {
                r.action = Some("delayed".to_string());
            } else if r.action.is_none() {
                r.action = Some("failed".to_string());
            }
            Some(r)
        })
        .collect();
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
}
