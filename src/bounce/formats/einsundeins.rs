//! 1&1 (IONOS, `mailer-daemon@kundenserver.de`) bounce: Exim's opening (`This message was
//! created automatically by mail delivery software.`, `… The following address(es) failed:`,
//! possibly broken across lines), then per recipient either the address unindented as `address:`
//! followed by the details (`SMTP error from remote server for RCPT command, host:
//! mx.example.net (192.0.2.1) reason: 550 5.1.1 …`, `… for TEXT command …` for the message
//! data), or the address alone on a line followed by `For the following reason:` and 1&1's own
//! sentence (`Mail size limit exceeded. For explanation visit http://postmaster.1and1.com/…`);
//! then `--- The header of the original message is following. ---`. Source: the layouts as
//! sisimai/p5-sisimai lib/Sisimai/Lhost/EinsUndEins.pm quotes them (BSD 2-Clause; wording only).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "This message was created automatically by mail delivery software";
const COPY_MARKERS: &[&str] = &["--- The header of the original message is following", "--- The original message"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, OPENING) || !COPY_MARKERS.iter().any(|m| text::contains(body, m)) {
        return None;
    }
    let head = text::cut(body, COPY_MARKERS);
    // `bob@example.net:` (the SMTP layout) or `bob@example.net` alone (the reason layout).
    let blocks = text::address_blocks(head.lines().map(str::trim), |t| {
        Some(t.strip_suffix(':').unwrap_or(t)).filter(|a| !a.contains(' ')).and_then(text::clean_address)
    });
    let recipients = blocks
        .into_iter()
        .map(|(address, block)| {
            let remote = block
                .split_once("host: ")
                .and_then(|(_, r)| r.split_whitespace().next())
                .filter(|h| h.contains('.'))
                .map(String::from);
            // `for RCPT command`: the command Exim names.
            let command = block.split_once(" for ").and_then(|(_, r)| {
                let upper = r.to_ascii_uppercase();
                [("RCPT", "RCPT TO"), ("MAIL", "MAIL FROM"), ("DATA", "DATA"), ("TEXT", "DATA")]
                    .into_iter()
                    .find(|(w, _)| upper.starts_with(w))
                    .map(|(_, c)| c.to_string())
            });
            let said = block.split_once("reason: ").map_or(block.as_str(), |(_, r)| r);
            let said = said.strip_prefix("For the following reason:").unwrap_or(said);
            let mut r = text::recipient_with(address, said, remote, command);
            r.action.get_or_insert_with(|| "failed".to_string());
            r
        })
        .collect();
    Some(text::report("einsundeins", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn einsundeins_reason_layout_crlf() {
        let email = "From: \"Mail Delivery System\" <mailer-daemon@kundenserver.example>\r\n\
Subject: Mail delivery failed: returning message to sender\r\n\r\n\
This message was created automatically by mail delivery software.\r\n\r\n\
A message that you sent could not be delivered to one or more of\r\n\
its recipients. This is a permanent error. The following address\r\nfailed:\r\n\r\n\
bob@example.net\r\n\r\nFor the following reason:\r\n\r\n\
Mailbox full. For explanation visit\r\nhttp://postmaster.example.com/en/error-messages?ip=%1s\r\n\r\n\
--- The header of the original message is following. ---\r\n\r\nFrom: alice@example.org\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "einsundeins");
        assert_eq!(r.recipients.len(), 1);
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert!(bob.reply.is_none());
        assert_eq!(bob.reason, crate::Reason::MailboxFull);
        assert_eq!(bob.action.as_deref(), Some("failed"));
    }

    #[test]
    fn einsundeins_bounce() {
        let email = "From: \"Mail Delivery System\" <mailer-daemon@kundenserver.example>\n\
Subject: Mail delivery failed: returning message to sender\n\n\
This message was created automatically by mail delivery software.\n\n\
A message that you sent could not be delivered to one or more of\n\
its recipients. This is a permanent error. The following address(es)\nfailed:\n\n\
bob@example.net:\n\
SMTP error from remote server for RCPT command, host: mx.example.net (192.0.2.65) reason: 550 5.1.1 User unknown\n\n\n\
--- The header of the original message is following. ---\n\nFrom: alice@example.org\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "einsundeins");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
    }
}
