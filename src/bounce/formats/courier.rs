//! The Courier mail server's delivery status notification read from its text alone (a report
//! whose `message/delivery-status` part is missing). The wording is courierdsn's
//! (svarshavchik/courier courier/courier/module.dsn/dsn.c and its text files
//! dsnheader.txt.in, dsnfailed.txt, dsndelayed.txt, dsndelivered.txt, dsnrelayed.txt):
//! `This is a delivery status notification from HOST, running the Courier mail server, version
//! X.`, `The original message was received on DATE from MTA`, then one section per kind of
//! recipient, each under a line of dashes and a centred heading — `UNDELIVERABLE MAIL` (`Your
//! message to the following recipients cannot be delivered:`), `DELAYS IN DELIVERING YOUR
//! MESSAGE` (a warning, `Subject: WARNING: delayed mail.`), `MESSAGE DELIVERED SUCCESSFULLY`,
//! `MESSAGE DELIVERED TO A MAIL GATEWAY` — and per recipient ` <bob@example.net>:` followed by
//! what happened: `     mx.example.net [192.0.2.7]:` (the host), ` >>> RCPT TO:<…>` (what
//! Courier sent), ` <<< 550 5.1.1 …` (the reply), ` *** …` (a connection error).
//!
//! Recipients under the delay heading are delayed (and soft), under the delivery headings
//! delivered or relayed. A report whose delivery-status fields were pasted into the text is
//! left to `rfc3464`.

use crate::bounce::fields;
use crate::bounce::formats::v5sendmail::smtp_command;
use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const BANNER: &str = "running the Courier mail server";
const NOTIFICATION: &str = "This is a delivery status notification from";
/// The section headings, with the action of their recipients.
const SECTIONS: &[(&str, &str)] = &[
    ("UNDELIVERABLE MAIL", "failed"),
    ("DELAYS IN DELIVERING YOUR MESSAGE", "delayed"),
    ("MESSAGE DELIVERED SUCCESSFULLY", "delivered"),
    ("MESSAGE DELIVERED TO A MAIL GATEWAY", "relayed"),
];
/// dsnfooter.txt, after the last section.
const FOOTER: &str = "If your message was also sent to additional recipients";
/// Most recipients read from one report.
const MAX_RECIPIENTS: usize = 10_000;

/// One recipient being read.
struct Entry {
    address: String,
    action: &'static str,
    host: Option<String>,
    command: Option<String>,
    replies: String,
    errors: String,
}

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let banner = text::contains(body, BANNER);
    let headed =
        text::contains(body, NOTIFICATION) && body.lines().any(|l| SECTIONS.iter().any(|(h, _)| l.trim() == *h));
    if !banner && !headed {
        return None;
    }
    if fields::find_field(body, &["reporting-mta", "final-recipient"]).is_some() {
        return None;
    }
    let head = text::cut(body, &[FOOTER, "Content-Type: message/rfc822", "Content-Type: text/rfc822-headers"]);
    let mut entries: Vec<Entry> = Vec::new();
    let mut action: Option<&'static str> = None;
    for line in head.lines() {
        let t = line.trim();
        if let Some((_, a)) = SECTIONS.iter().find(|(h, _)| t == *h) {
            action = Some(a);
            continue;
        }
        let Some(action) = action else { continue };
        if t.starts_with("-----") {
            continue;
        }
        if t.starts_with('<') && t.ends_with(">:") {
            if let Some(address) = text::clean_address(t).filter(|_| entries.len() < MAX_RECIPIENTS) {
                entries.push(Entry {
                    address,
                    action,
                    host: None,
                    command: None,
                    replies: String::new(),
                    errors: String::new(),
                });
            }
            continue;
        }
        let Some(e) = entries.last_mut() else { continue };
        if let Some(rest) = t.strip_prefix(">>> ") {
            e.command = smtp_command(rest);
            e.replies.clear();
        } else if let Some(rest) = t.strip_prefix("<<< ") {
            if e.replies.len() < text::MAX_BLOCK {
                e.replies.push_str(rest);
                e.replies.push('\n');
            }
        } else if let Some(rest) = t.strip_prefix("*** ") {
            if e.errors.len() < text::MAX_BLOCK {
                e.errors.push_str(rest);
                e.errors.push('\n');
            }
        } else if let Some(host) = t.strip_suffix(':').and_then(|h| h.split_whitespace().next()) {
            // `mx.example.net [192.0.2.7]:`, the peer.
            if host.contains('.') && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                e.host = Some(host.to_string());
            }
        }
    }
    let recipients = entries
        .into_iter()
        .map(|e| {
            let said = if e.replies.is_empty() { &e.errors } else { &e.replies };
            let mut r: BounceRecipient = if said.is_empty() {
                text::recipient_from_reply(e.address, None, "", e.action == "delayed")
            } else {
                text::recipient_with(e.address, said, e.host, e.command)
            };
            if e.action == "delayed" {
                text::mark_delayed(&mut r);
            } else {
                r.action = Some(e.action.to_string());
            }
            r
        })
        .collect();
    Some(text::report("courier", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::bounce::seen;
    use crate::parse_bounce;
    use crate::{Bounce, Reason};

    const BOUNCE: &str = "From: Courier mail server at mx.example.org <@>\n\
Subject: NOTICE: mail delivery status.\n\n\
This is a delivery status notification from mx.example.org,\n\
running the Courier mail server, version 1.1.4.\n\n\
The original message was received on Fri, 01 Mar 2024 10:00:00 +0900\n\
from client.example.org (client.example.org [192.0.2.20])\n\n\
---------------------------------------------------------------------------\n\n\
\x20                          UNDELIVERABLE MAIL\n\n\
Your message to the following recipients cannot be delivered:\n\n\
\x20<bob@example.net>:\n\
\x20    mx.example.net [192.0.2.7]:\n\
\x20>>> RCPT TO:<bob@example.net>\n\
\x20<<< 550 5.1.1 <bob@example.net>... User unknown\n\n\
\x20<carol@example.com>:\n\
\x20*** No such domain.\n\n\
---------------------------------------------------------------------------\n\n\
If your message was also sent to additional recipients, their delivery\n\
status is not included in this report.\n";

    #[test]
    fn courier_text_only() {
        for email in [BOUNCE.to_string(), BOUNCE.replace('\n', "\r\n")] {
            let r = parse_bounce(email.as_bytes()).unwrap();
            assert_eq!(r.format, "courier");
            assert_eq!(r.recipients.len(), 2);
            let bob = &r.recipients[0];
            assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
            assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
            assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
            assert_eq!(bob.action.as_deref(), Some("failed"));
            let carol = &r.recipients[1];
            assert_eq!(carol.address, "carol@example.com");
            assert!(carol.reply.is_none());
            assert_eq!(carol.reason, Reason::HostUnknown);
        }
    }

    /// The delay notice: delayed and soft.
    #[test]
    fn courier_delayed() {
        let email = BOUNCE
            .replace("NOTICE: mail delivery status.", "WARNING: delayed mail.")
            .replace("UNDELIVERABLE MAIL", "DELAYS IN DELIVERING YOUR MESSAGE")
            .replace("550 5.1.1 <bob@example.net>... User unknown", "451 4.7.1 Greylisted");
        let r = parse_bounce(email.as_bytes()).unwrap();
        for x in &r.recipients {
            assert_eq!(x.action.as_deref(), Some("delayed"));
            assert_eq!(x.bounce, Bounce::Soft);
        }
        assert_eq!(seen(&r.recipients[0]).1, Some(451));
    }

    /// Ordinary mail that names Courier is not a bounce.
    #[test]
    fn courier_mentioned_in_ordinary_mail() {
        let email = "From: alice@example.org\nSubject: servers\n\n\
We are running the Courier mail server on mx.example.org.\n <bob@example.net>:\nplease ask Bob.\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }

    /// A reply without an enhanced status.
    #[test]
    fn courier_plain_reply() {
        let email = BOUNCE.replace("<<< 550 5.1.1 <bob@example.net>... User unknown", "<<< 550 No such user here");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), None, Reason::UserUnknown));
    }

    /// Many recipients cost what their text does.
    #[test]
    fn many_recipients_linear() {
        let mut email = BOUNCE.split("\x20<bob@example.net>:").next().unwrap().to_string();
        for i in 0..20_000 {
            email.push_str(&format!(" <u{i}@example.com>:\n     mx.example.com [192.0.2.1]:\n >>> RCPT TO:<u{i}@example.com>\n <<< 550 5.1.1 unknown\n\n"));
        }
        let t = std::time::Instant::now();
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients.len(), 10_000);
        assert!(t.elapsed().as_secs() < 30, "took {:?}", t.elapsed());
    }
}
