//! GMX's (and mail.com's) bounce, in Exim's words but its own layout: `This message was created
//! automatically by mail delivery software.`, `… The following address failed:` (the words
//! broken over lines), each recipient unindented on its own line (`"bob@example.net":` or
//! `<bob@example.net>`), then its details (`SMTP error from remote server after RCPT command:`,
//! `host: mx.example.net`, the reply; or `Reason:` and a text), and the returned headers after
//! `--- The header of the original message is following. ---`.
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/GMX.pm (peer: GMX's layout of Exim's wording).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "This message was created automatically by mail delivery software";
const COPY_MARKER: &str = "--- The header of the original message is following";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, OPENING) || !text::contains(body, COPY_MARKER) {
        return None;
    }
    let head = text::cut(body, &[COPY_MARKER]);
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut listing = false;
    for line in head.lines() {
        let t = line.trim();
        if !listing {
            listing = t.ends_with("failed:");
            continue;
        }
        if (t.starts_with('"') || t.starts_with('<'))
            && !t.contains(' ')
            && let Some(address) = text::clean_address(t)
        {
            blocks.push((address, String::new()));
        } else if let Some((_, details)) = blocks.last_mut()
            && !t.is_empty()
        {
            details.push_str(t);
            details.push('\n');
        }
    }
    let recipients = blocks
        .into_iter()
        .map(|(address, details)| {
            let remote = details.lines().find_map(|l| l.strip_prefix("host:")).map(|h| h.trim().to_string());
            let remote = remote.filter(|h| !h.is_empty() && !h.contains(' '));
            let command = if text::contains(&details, "after RCPT command") {
                Some("RCPT TO".to_string())
            } else if text::contains(&details, "after MAIL command") {
                Some("MAIL FROM".to_string())
            } else {
                text::command_in(&details)
            };
            text::recipient_with(address, &details, remote, command)
        })
        .collect();
    Some(text::report("gmx", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn gmx_bounce() {
        let email = "From: MAILER-DAEMON@mail.gmx.example\nTo: alice@gmx.example\n\
Subject: Mail delivery failed: returning message to sender\n\n\
This message was created automatically by mail delivery software.\n\n\
A message that you sent could not be delivered to one or more of\n\
its recipients. This is a permanent error. The following address\nfailed:\n\n\
\"bob@example.net\":\nSMTP error from remote server after RCPT command:\nhost: mx.example.net\n\
5.2.2 <bob@example.net>... Mailbox Full\n\n\
<carol@example.net>\nReason:\ndelivery retry timeout exceeded\n\n\
--- The header of the original message is following. ---\n\
From: alice@gmx.example\nSubject: 550 5.1.1\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "gmx");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.status.unwrap().to_string(), "5.2.2");
        assert_eq!(bob.reason, crate::Reason::MailboxFull);
        let carol = &r.recipients[1];
        assert_eq!(carol.address, "carol@example.net");
        assert!(carol.reply.is_none());
    }
}
