//! A bounce of an unidentified MTA (Sisimai's "X1"; `From: "Mail Deliver System"
//! <MAILER-DAEMON@…>`, `Subject: Returned Mail: …`): `The original message was received at …`,
//! then after `---The following addresses had delivery errors---` one line per recipient,
//! `address [reason]`. The text has no SMTP reply; the reason is read by the text rules.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const LIST: &str = "---The following addresses had delivery errors---";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, LIST)?;
    let mut recipients = Vec::new();
    for line in body.get(at + LIST.len()..)?.lines() {
        let t = line.trim();
        if t.is_empty() {
            if recipients.is_empty() {
                continue;
            }
            break;
        }
        let Some((who, why)) = t.split_once(' ') else { continue };
        let Some(address) = text::clean_address(who) else { break };
        let why = why.trim().trim_start_matches('[').trim_end_matches(']');
        let mut r = text::recipient(address, why);
        r.action.get_or_insert_with(|| "failed".to_string());
        recipients.push(r);
    }
    Some(text::report("x1", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn x1_bounce() {
        let email = "From: \"Mail Deliver System\" <MAILER-DAEMON@mx.example.org>\n\
Subject: Returned Mail: User unknown\n\n\
The original message was received at Thu, 29 Apr 2010 23:34:45 +0900 (JST)\nfrom alice@example.org\n\n\
---The following addresses had delivery errors---\n\n\
bob@example.net [User unknown]\n\n\
From: alice@example.org\nSubject: 550 5.2.2\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "x1");
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert!(r.recipients[0].reply.is_none());
        assert_eq!(r.recipients[0].diagnostic_text.as_deref(), Some("User unknown"));
    }
}
