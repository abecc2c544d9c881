//! Postfix's bounce read from its text alone (a report without its `message/delivery-status`
//! part, or forwarded as plain text): the opening of Postfix's bounce template (`This is the
//! mail system at host …` / `This is the Postfix program at host …`, `I'm sorry to have to
//! inform you that …`), then per recipient a block that starts with the address in angle
//! brackets at the start of a line and continues on indented lines:
//! `<bob@example.net> (expanded from <b@example.org>): host mx.example.net[192.0.2.1] said: 550
//! 5.1.1 … (in reply to RCPT TO command)`. A warning (`Subject: Delayed Mail (still being
//! retried)`) reports delayed recipients.
//!
//! When the delivery-status fields were pasted into the text too (a report forwarded as text),
//! a recipient's `Status` there fills in the status its block's reply does not have.

use crate::bounce::fields;
use crate::bounce::standard::rfc3464;
use crate::bounce::text;
use crate::bounce::{BounceReport, Email};
use crate::reply::Reply;
use crate::status::EnhancedStatus;
use std::collections::HashMap;

const OPENINGS: &[&str] =
    &["This is the mail system at host", "This is the Postfix program at host", "I'm sorry to have to inform you that"];
/// Where the text of a report pasted whole ends: its other MIME parts.
const END_MARKERS: &[&str] = &[
    "Content-Description: Delivery report",
    "Content-Description: Undelivered Message",
    "Content-Type: message/delivery-status",
    "Content-Type: message/rfc822",
    "Content-Type: text/rfc822-headers",
];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = OPENINGS.iter().filter_map(|m| text::find(body, m)).min()?;
    let rest = body.get(at..)?;
    let head = text::cut(rest, END_MARKERS);
    let delayed = text::subject(msg).starts_with("Delayed Mail") || text::contains(head, "THIS IS A WARNING ONLY");
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut open = false;
    for line in head.lines() {
        if line.starts_with('<') {
            let end = line.find('>').unwrap_or(line.len());
            if let Some(address) = line.get(..end).and_then(text::clean_address) {
                blocks.push((address, line.get(end + 1..).unwrap_or_default().to_string()));
                open = true;
                continue;
            }
        }
        match blocks.last_mut() {
            Some((_, block)) if open && line.starts_with([' ', '\t']) => {
                block.push('\n');
                block.push_str(line.trim());
            }
            _ => open = false,
        }
    }
    let pasted = pasted_statuses(rest);
    let recipients = blocks
        .into_iter()
        .map(|(address, block)| {
            let block = without_expansion(&block);
            let remote = remote(block);
            let reply = text::find_reply(block, remote.clone(), command(block));
            let status = pasted.get(&address.to_ascii_lowercase()).copied();
            let reply = match (reply, status) {
                (Some(r), Some(st))
                    if r.status().is_none() && r.code().is_none_or(|c| st.class().digit() == c.value() / 100) =>
                {
                    let (remote, command) = (r.remote_mta().map(String::from), r.smtp_command().map(String::from));
                    Some(Reply::new(r.code(), Some(st), r.lines().to_vec(), remote, command).unwrap_or(r))
                }
                (r, _) => r,
            };
            let mut r = text::recipient_from_reply(address, reply, block, delayed);
            r.remote_mta = r.remote_mta.or(remote);
            r.smtp_command = r.smtp_command.or_else(|| command(block));
            r.action = Some(if delayed { "delayed" } else { "failed" }.to_string());
            r
        })
        .collect();
    Some(text::report("postfix", recipients, text::original(msg)))
}

/// A block without its leading `(expanded from <…>):`.
fn without_expansion(block: &str) -> &str {
    let b = block.trim_start();
    if b.starts_with("(expanded from")
        && let Some(i) = text::find(b, "):")
    {
        return b.get(i + 2..).unwrap_or(b);
    }
    b.strip_prefix(':').unwrap_or(b)
}

/// The command Postfix names (`(in reply to RCPT TO command)`); its `refused to talk to me`
/// reports a greeting that was not a 2xx reply, the reply to the connection.
fn command(block: &str) -> Option<String> {
    let refused = || fields::squeeze(text::prefix(block, text::MAX_BLOCK)).contains("refused to talk to me");
    text::command_in(block).or_else(|| refused().then(|| "CONNECT".to_string()))
}

/// `host mx.example.net[192.0.2.1] said:` → `mx.example.net`.
fn remote(block: &str) -> Option<String> {
    let block = text::prefix(block, text::MAX_BLOCK);
    let i = text::find(block, "host ")?;
    let name = block.get(i + 5..)?.split(['[', ' ', '\n']).next()?;
    (name.contains('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .then(|| name.to_string())
}

/// The valid `Status` of each `Final-Recipient` (lower case) of delivery-status fields pasted
/// into the text (the first one given for an address).
fn pasted_statuses(text: &str) -> HashMap<String, EnhancedStatus> {
    let mut out = HashMap::new();
    let Some(start) = fields::find_field(text, &["reporting-mta", "final-recipient"]) else { return out };
    for r in rfc3464::read_delivery_status(text.get(start..).unwrap_or_default()).recipients {
        if let Some(st) = r.status {
            out.entry(r.address.to_ascii_lowercase()).or_insert(st);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const BOUNCE: &str = "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n\
Subject: Undelivered Mail Returned to Sender\n\n\
This is the mail system at host mx.example.org.\n\n\
I'm sorry to have to inform you that your message could not\n\
be delivered to one or more recipients. It's attached below.\n\n\
\x20                  The mail system\n\n\
<bob@example.net>: host mx.example.net[192.0.2.7] said: 550 5.1.1\n\
\x20   <bob@example.net>: Recipient address rejected: User unknown (in reply to\n\
\x20   RCPT TO command)\n\n\
<carol@example.net> (expanded from <c@example.org>): Name service error for\n\
\x20   domain example.net: Host not found, try again\n";

    #[test]
    fn postfix_text_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "postfix");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        let carol = &r.recipients[1];
        assert_eq!(carol.address, "carol@example.net");
        assert!(carol.reply.is_none());
    }

    #[test]
    fn postfix_pasted_status() {
        let email = BOUNCE.replace("said: 550 5.1.1\n", "said: 550\n")
            + "\n--b\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.1.1\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "postfix");
        assert_eq!(r.recipients[0].status.unwrap().to_string(), "5.1.1");
        assert_eq!(r.recipients[0].reply.as_ref().unwrap().code().unwrap().value(), 550);
    }
}
