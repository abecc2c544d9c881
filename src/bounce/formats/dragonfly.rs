//! The DragonFly Mail Agent's bounce (dma, mail.c): `This is the DragonFly Mail Agent vX at
//! HOST.`, then `There was an error delivering your mail to <address>.`, the error (for an SMTP
//! reply, `HOST [IP] did not like our RCPT TO:` and the reply lines), and the returned message
//! after `Message headers follow.` or `Original message follows.`. One recipient per bounce.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "This is the DragonFly Mail Agent";
const RECIPIENT: &str = "There was an error delivering your mail to";
const COPY_MARKERS: &[&str] = &["Message headers follow.", "Original message follows."];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, OPENING) || !text::contains(body, RECIPIENT) {
        return None;
    }
    let head = text::cut(body, COPY_MARKERS);
    let at = text::find(head, RECIPIENT)? + RECIPIENT.len();
    let rest = head.get(at..)?;
    let (line, block) = rest.split_once('\n').unwrap_or((rest, ""));
    let mut recipients = Vec::new();
    if let Some(address) = text::address_in(line) {
        // `mx.example.com [192.0.2.1] did not like our RCPT TO:`
        let remote = block.lines().find(|l| text::contains(l, "did not like our")).and_then(|l| {
            let host = l.split_whitespace().next()?;
            (host.contains('.') && !host.contains('@')).then(|| host.to_string())
        });
        recipients.push(text::recipient_with(address, block, remote, text::command_in(block)));
    }
    Some(text::report("dragonfly", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn dragonfly_bounce() {
        let email = "From: MAILER-DAEMON <>\nTo: alice@example.org\nSubject: Mail delivery failed\n\n\
This is the DragonFly Mail Agent v0.13 at df.example.org.\n\n\
There was an error delivering your mail to <bob@example.net>.\n\n\
mx.example.net [192.0.2.7] did not like our RCPT TO:\n\
552 5.2.2 <bob@example.net>: Recipient address rejected: Mailbox full\n\n\
Message headers follow.\nFrom: alice@example.org\nSubject: 550 5.1.1\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "dragonfly");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.status.unwrap().to_string(), "5.2.2");
        assert_eq!(bob.reason, crate::Reason::MailboxFull);

        let no_reply = email.replace(
            "mx.example.net [192.0.2.7] did not like our RCPT TO:\n552 5.2.2 <bob@example.net>: Recipient address rejected: Mailbox full\n",
            "DNS lookup failure: host example.net not found\n",
        );
        let r = parse_bounce(no_reply.as_bytes()).unwrap();
        assert!(r.recipients[0].reply.is_none());
    }
}
