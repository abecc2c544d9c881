//! Symantec Email Security.cloud's (formerly MessageLabs) bounce read from its human-readable text,
//! when it comes without its `message/delivery-status` part: `This is the mail delivery agent at
//! messagelabs.com.` (later `… at Symantec Email Security.cloud.`), `I was unable to deliver your
//! message to the following addresses:`, each address alone on a line followed by `Reason:` and
//! the receiving server's refusal (`Reason: 550 5.1.1 User unknown`), then `The message subject
//! was:` and the other details of the message. Source: Broadcom knowledge base article 162445,
//! "Outbound Mail returned by MAILER-DAEMON@messagelabs.com" (the two opening sentences and the
//! refusals it quotes).

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const AGENT: &str = "this is the mail delivery agent at";
const LIST: &str = "i was unable to deliver your message to the following addresses:";
const END: &str = "the message subject was:";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let lower = body.to_ascii_lowercase();
    let agent = text::find(&lower, AGENT)?;
    let agent_line = lower.get(agent..)?.lines().next().unwrap_or_default();
    if !text::contains(agent_line, "messagelabs") && !text::contains(agent_line, "symantec") {
        return None;
    }
    let at = text::find(&lower, LIST)?;
    let end = text::find(lower.get(at..)?, END).map_or(body.len(), |i| at + i);
    let list = body.get(at + LIST.len()..end)?;
    let mut recipients: Vec<BounceRecipient> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut reason: Option<String> = None;
    let finish = |pending: &mut Vec<String>, reason: &mut Option<String>, out: &mut Vec<BounceRecipient>| {
        let said = reason.take().unwrap_or_default();
        for address in pending.drain(..) {
            let mut r = text::recipient(address, &said);
            text::failed_or_delayed(&mut r);
            out.push(r);
        }
    };
    for line in list.lines() {
        let t = line.trim();
        if let Some(said) = t.get(..7).filter(|p| p.eq_ignore_ascii_case("reason:")).and(t.get(7..)) {
            reason = Some(said.trim().to_string());
        } else if !t.contains(' ')
            && let Some(a) = text::clean_address(t)
        {
            if reason.is_some() {
                finish(&mut pending, &mut reason, &mut recipients);
            }
            pending.push(a);
        } else if let Some(r) = reason.as_mut()
            && !t.is_empty()
            && r.len() < text::MAX_BLOCK
        {
            // The refusal wrapped over more lines.
            r.push(' ');
            r.push_str(t);
        }
    }
    finish(&mut pending, &mut reason, &mut recipients);
    Some(text::report("messagelabs", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    #[test]
    fn messagelabs_bounce() {
        let email = "From: Mail Delivery System <MAILER-DAEMON@messagelabs.example>\nSubject: Mail Delivery Failure\n\n\
This is the mail delivery agent at messagelabs.com.\n\n\
I was unable to deliver your message to the following addresses:\n\n\
bob@example.net\n\nReason: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown\n\n\
carol@example.net\n\nReason: 552 Requested mail action aborted: exceeded storage allocation\n\n\
The message subject was: hello\nThe message date was: Thu, 17 Jul 2017 23:34:45 +0900\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "messagelabs");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        assert_eq!(bob.action.as_deref(), Some("failed"));
        let carol = &r.recipients[1];
        assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 552);
        assert_eq!(carol.reason, Reason::MailboxFull);
    }

    #[test]
    fn symantec_cloud_wrapped_crlf() {
        let email = "From: MAILER-DAEMON@example.org\r\nSubject: Mail Delivery Failure\r\n\r\n\
This is the mail delivery agent at Symantec Email Security.cloud.\r\n\r\n\
I was unable to deliver your message to the following addresses:\r\n\r\n\
bob@example.net\r\ncarol@example.net\r\n\r\n\
Reason: 554 5.7.1 Message rejected due to\r\n content restrictions\r\n\r\n\
The message subject was: hello\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "messagelabs");
        assert_eq!(r.recipients.len(), 2);
        for rcpt in &r.recipients {
            assert_eq!(rcpt.reply.as_ref().unwrap().code().unwrap().value(), 554);
            assert!(rcpt.diagnostic_text.as_deref().unwrap().contains("content restrictions"));
        }
    }

    #[test]
    fn ordinary_mail_quoting_the_phrase() {
        let email = "From: alice@example.org\nSubject: odd\n\n\
The notice said 'This is the mail delivery agent at messagelabs.com.' and nothing more.\n\nalice@example.org\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }
}
