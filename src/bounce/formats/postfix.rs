//! Postfix's bounce read from its text alone (a report without its `message/delivery-status`
//! part, or forwarded as plain text), as the bounce daemon writes it from its built-in templates
//! (vdukhovni/postfix postfix/src/bounce/bounce_templates.c since Postfix 2.3;
//! bounce_notify_util.c before): the opening `This is the mail system at host HOST.` (before
//! 2.3: `This is the Postfix program at host HOST.`), then per template
//! - failure, `Subject: Undelivered Mail Returned to Sender`: `I'm sorry to have to inform you
//!   that your message could not be delivered to one or more recipients.` (before 2.3: `… that
//!   the message returned below could not be delivered to one or more destinations.`);
//! - delay, `Subject: Delayed Mail (still being retried)`: `# THIS IS A WARNING ONLY.  YOU DO
//!   NOT NEED TO RESEND YOUR MESSAGE. #` in a box of `#`;
//! - success, `Subject: Successful Mail Delivery Report`: `Your message was successfully
//!   delivered to the destination(s) listed below.`;
//! - verify, `Subject: Mail Delivery Status Report`: `Enclosed is the mail delivery report that
//!   you requested.`;
//!
//! signed `The mail system` (`The Postfix program`), then per recipient a block that starts
//! with the address in angle brackets at the start of a line and continues on indented lines:
//! `<bob@example.net> (expanded from <b@example.org>): host mx.example.net[192.0.2.1] said: 550
//! 5.1.1 … (in reply to RCPT TO command)`. Sites may translate the template
//! (`bounce_template_file`); such a report is still known by the default subject, the
//! `MAILER-DAEMON` sender and a recipient block in Postfix's own wording.
//!
//! Recipients of a delay warning are delayed (and soft); of a success report delivered; of a
//! verify report as their reply says; of a failure report failed.
//!
//! When the delivery-status fields were pasted into the text too (a report forwarded as text),
//! a recipient's `Status` there fills in the status its block's reply does not have.

use crate::bounce::fields;
use crate::bounce::standard::rfc3464;
use crate::bounce::text;
use crate::bounce::{BounceReport, Email};
use crate::reply::Reply;
use crate::status::EnhancedStatus;
use mail_parser::Message;
use std::collections::HashMap;

/// The first line of every template.
const BANNERS: &[&str] = &["This is the mail system at host", "This is the Postfix program at host"];
/// The failure template's sentence (both versions), known only with the signature or sender.
const SORRY: &str = "I'm sorry to have to inform you that";
const SIGNATURES: &[&str] = &["The mail system", "The Postfix program"];
/// The default subjects of the templates (failure, delay, success, verify).
const SUBJECTS: &[&str] = &[
    "Undelivered Mail Returned to Sender",
    "Delayed Mail (still being retried)",
    "Successful Mail Delivery Report",
    "Mail Delivery Status Report",
];
/// Postfix's wording inside a recipient block (smtp(8), local(8), the resolver).
const BLOCK_WORDS: &[&str] = &[
    "said:",
    "(in reply to",
    "refused to talk to me",
    "Host or domain name not found",
    "Name service error for",
    "connect to ",
    "unknown user:",
    "delivery via ",
    "loops back to myself",
    "mail transport unavailable",
];
/// Where the text of a report pasted whole ends: its other MIME parts.
const END_MARKERS: &[&str] = &[
    "Content-Description: Delivery report",
    "Content-Description: Undelivered Message",
    "Content-Type: message/delivery-status",
    "Content-Type: message/rfc822",
    "Content-Type: text/rfc822-headers",
];

/// Which template the report was written from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Template {
    Failure,
    Delay,
    Success,
    Verify,
}

/// Where the report's text starts, when the email is one: the banner; else the sorry sentence
/// signed as Postfix signs or sent by `MAILER-DAEMON`; else (a translated template) the first
/// recipient block in Postfix's wording in an email with a default subject from `MAILER-DAEMON`.
fn start(msg: &Message<'_>, body: &str) -> Option<usize> {
    if let Some(at) = BANNERS.iter().filter_map(|m| text::find(body, m)).min() {
        return Some(at);
    }
    let daemon = matches!(text::from_local(msg).as_str(), "mailer-daemon" | "postmaster");
    if let Some(at) = text::find(body, SORRY) {
        let signed = body.lines().any(|l| SIGNATURES.contains(&l.trim()));
        if signed || daemon {
            return Some(at);
        }
    }
    let subject = text::subject(msg);
    if !daemon || !SUBJECTS.iter().any(|s| subject.trim() == *s) {
        return None;
    }
    fields::line_spans(body).take(10_000).find_map(|(at, line)| {
        let block = line.starts_with('<') && line.contains('@') && line.contains('>');
        (block && BLOCK_WORDS.iter().any(|w| line.contains(w))).then_some(at)
    })
}

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = start(msg, body)?;
    let rest = body.get(at..)?;
    let head = text::cut(rest, END_MARKERS);
    let subject = text::subject(msg);
    let template = if subject.starts_with("Delayed Mail") || text::contains(head, "THIS IS A WARNING ONLY") {
        Template::Delay
    } else if subject.starts_with("Successful Mail Delivery")
        || text::contains(head, "successfully delivered to the destination")
    {
        Template::Success
    } else if subject.starts_with("Mail Delivery Status Report")
        || text::contains(head, "the mail delivery report that you requested")
    {
        Template::Verify
    } else {
        Template::Failure
    };
    let delayed = template == Template::Delay;
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
            let by_reply = r.reply.as_ref().map(|x| match x.code().map(|c| c.value() / 100) {
                Some(2) => "delivered",
                Some(4) => "delayed",
                _ => "failed",
            });
            r.action = Some(
                match template {
                    Template::Failure => "failed",
                    Template::Delay => "delayed",
                    Template::Success => "delivered",
                    Template::Verify => by_reply.unwrap_or("failed"),
                }
                .to_string(),
            );
            if delayed {
                text::mark_delayed(&mut r);
            }
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

    /// The pre-2.3 template, tab-indented signature, CRLF line ends.
    #[test]
    fn postfix_old_template() {
        let email = "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n\
Subject: Undelivered Mail Returned to Sender\n\n\
This is the Postfix program at host mx.example.org.\n\n\
I'm sorry to have to inform you that the message returned\n\
below could not be delivered to one or more destinations.\n\n\
For further assistance, please send mail to <postmaster>\n\n\
\t\t\tThe Postfix program\n\n\
<bob@example.net>: host mx.example.net[192.0.2.7] said: 552 5.2.2 Mailbox full\n\
\x20   (in reply to RCPT TO command)\n"
            .replace('\n', "\r\n");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "postfix");
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(552), Some("5.2.2".into()), Reason::MailboxFull));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.action.as_deref(), Some("failed"));
    }

    /// The delay template: delayed and soft, with or without a reply.
    #[test]
    fn postfix_delay_template() {
        let email = "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n\
Subject: Delayed Mail (still being retried)\n\n\
This is the mail system at host mx.example.org.\n\n\
####################################################################\n\
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n\
####################################################################\n\n\
Your message could not be delivered for more than 4 hour(s).\n\
It will be retried until it is 5 day(s) old.\n\n\
\x20                  The mail system\n\n\
<bob@example.net>: connect to mx.example.net[192.0.2.7]:25: Connection timed out\n\n\
<carol@example.net>: host mx.example.net[192.0.2.7] said: 450 4.2.0\n\
\x20   <carol@example.net>: Recipient address rejected: Greylisted (in reply to RCPT\n\
\x20   TO command)\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "postfix");
        assert_eq!(r.recipients.len(), 2);
        for x in &r.recipients {
            assert_eq!(x.action.as_deref(), Some("delayed"));
            assert_eq!(x.bounce, crate::Bounce::Soft);
        }
        assert_eq!(seen(&r.recipients[1]).1, Some(450));
        assert_eq!(r.recipients[1].smtp_command.as_deref(), Some("RCPT TO"));
    }

    /// The success template: delivered, not failed.
    #[test]
    fn postfix_success_template() {
        let email = "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n\
Subject: Successful Mail Delivery Report\n\n\
This is the mail system at host mx.example.org.\n\n\
Your message was successfully delivered to the destination(s)\n\
listed below. If the message was delivered to mailbox you will\n\
receive no further notifications.\n\n\
\x20                  The mail system\n\n\
<bob@example.net>: delivery via mx.example.net[192.0.2.7]:25: 250 2.0.0 Ok: queued\n\
\x20   as 4AbCdE\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        let bob = &r.recipients[0];
        assert_eq!(bob.action.as_deref(), Some("delivered"));
        assert_eq!(seen(bob).1, Some(250));
    }

    /// A translated template, known by the default subject, the sender and a block in
    /// Postfix's wording.
    #[test]
    fn postfix_translated_template() {
        let email = "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n\
Subject: Undelivered Mail Returned to Sender\n\n\
Dies ist das Mailsystem auf mx.example.org.\n\n\
Ihre Nachricht konnte nicht zugestellt werden.\n\n\
<bob@example.net>: host mx.example.net[192.0.2.7] said: 550 5.1.1\n\
\x20   <bob@example.net>: Recipient address rejected: User unknown (in reply to\n\
\x20   RCPT TO command)\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "postfix");
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
    }

    /// Ordinary mail with the template's sentence, or a person's mail with its subject, is not a
    /// bounce.
    #[test]
    fn postfix_wording_in_ordinary_mail() {
        let email = "From: alice@example.org\nTo: team@example.org\nSubject: meeting\n\n\
I'm sorry to have to inform you that the meeting is cancelled.\n\n\
<bob@example.net>: please tell the others.\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
        let email = "From: alice@example.org\nSubject: Undelivered Mail Returned to Sender\n\n\
What does this mean?\n<bob@example.net>: host mx.example.net[192.0.2.7] said: 550 no\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }

    /// A reply without an enhanced status, wrapped over lines, and extra blank lines.
    #[test]
    fn postfix_plain_reply() {
        let email = BOUNCE.replace(
            "said: 550 5.1.1\n    <bob@example.net>: Recipient address rejected: User unknown (in reply to\n    RCPT TO command)\n",
            "said: 550 sorry, no\n    mailbox here by that name (in reply to RCPT TO command)\n\n\n",
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), None, Reason::UserUnknown));
        assert_eq!(r.recipients[0].smtp_command.as_deref(), Some("RCPT TO"));
    }
}
