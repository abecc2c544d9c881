//! The bounce of au's EZweb mobile mail (`Postmaster@ezweb.ne.jp`, subject `Mail System Error -
//! Returned Mail`), a Japanese paragraph and its English counterpart: `Each of the following
//! recipients was rejected by a remote mail server.` with, per recipient, a line
//! `Recipient: <ADDRESS>`, the command `>>> RCPT TO:<ADDRESS>` and the reply `<<< 550 …`; or
//! `Your message was not delivered within N days and N hours.` and `The following recipients
//! did not receive this message:` with the addresses in brackets. Older ones put the address
//! before the sentence.
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/EZweb.pm (peer: the notice's Japanese and English
//! sentences and its markers).

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const REJECTED: &str = "Each of the following recipients was rejected by a remote";
const NOT_RECEIVED: &str = "The following recipients did not receive this message:";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    if !text::subject(msg).contains("Mail System Error - Returned Mail") {
        return None;
    }
    let body = email.body();
    if !text::contains(body, REJECTED) && !text::contains(body, NOT_RECEIVED) {
        return None;
    }
    // The returned message (inline in older reports) starts at its first header line.
    let head = text::cut(body, &["\nReceived: ", "\n-----------"]);
    // Per recipient: the address, the reply lines, the command they answered.
    let mut blocks: Vec<(String, String, Option<String>)> = Vec::new();
    // The text that is about all of them (a time-out, a rejection without details).
    let mut general = String::new();
    for line in head.lines() {
        let t = line.trim();
        let named = t.strip_prefix("Recipient:").unwrap_or(t).trim();
        if named.starts_with('<')
            && named.ends_with('>')
            && let Some(address) = text::clean_address(named)
        {
            if !blocks.iter().any(|(a, _, _)| a.eq_ignore_ascii_case(&address)) {
                blocks.push((address, String::new(), None));
            }
        } else if let Some(sent) = t.strip_prefix(">>>") {
            if let Some((_, _, command)) = blocks.last_mut() {
                *command = text::command_in(&format!("after {}", sent.trim()));
            }
        } else if let Some(said) = t.strip_prefix("<<<") {
            if let Some((_, block, _)) = blocks.last_mut() {
                block.push_str(said.trim());
                block.push('\n');
            }
        } else if t.is_ascii() && !t.is_empty() {
            general.push_str(t);
            general.push('\n');
        }
    }
    let recipients: Vec<BounceRecipient> = blocks
        .into_iter()
        .map(|(address, block, command)| {
            if block.trim().is_empty() {
                text::recipient_with(address, &general, None, None)
            } else {
                text::recipient_with(address, &block, None, command)
            }
        })
        .collect();
    Some(text::report("ezweb", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    const HEAD: &str =
        "From: Postmaster@ezweb.example\nTo: alice@example.org\nSubject: Mail System Error - Returned Mail\n\n";

    #[test]
    fn ezweb_rejected() {
        let email = format!(
            "{HEAD}Each of the following recipients was rejected by a remote\nmail server.\n\n\
    Recipient: <bob@ezweb.example>\n\
    >>> RCPT TO:<bob@ezweb.example>\n\
    <<< 550 <bob@ezweb.example>: User unknown\n"
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "ezweb");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@ezweb.example");
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
    }

    #[test]
    fn ezweb_not_received() {
        let email = format!(
            "{HEAD}Your message was not delivered within 0 days and 1 hours.\nRemote host is not responding.\n\n\
The following recipients did not receive this message:\n\n<bob@ezweb.example>\n"
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@ezweb.example");
        assert!(bob.reply.is_none());
    }
}
