//! Trend Micro InterScan Messaging Security Suite's notice (`Subject: Mail could not be
//! delivered`, or in Japanese `メッセージを配信できません。` / `メール配信に失敗しました`; `From: …
//! ("InterScan …")`): `Message from InterScan Messaging Security Suite`, then `Unable to deliver
//! message to <address> (and other recipients in the same domain).` (often with `Please check if
//! address is correct.`), or, for a session it relayed, the dialogue `Sent <<< RCPT
//! TO:<address>` and `Received >>> 550 5.1.1 …` (a localized notice keeps the arrows and
//! translates the words: the text after an arrow is a command when it starts with one, else the
//! reply); the returned message in a `message/rfc822` part. Without a reply the notice's sentence
//! is all there is (the text rules decide). Source: the notice as IMSS writes it, quoted in
//! sisimai/p5-sisimai lib/Sisimai/Lhost/InterScanMSS.pm (BSD 2-Clause; wording only: subjects,
//! `Sent <<<` / `Received >>>`, `Unable to deliver message to`).

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const BANNER: &str = "message from interscan messaging security suite";
const UNABLE: &str = "unable to deliver message to ";
const SUBJECTS: &[&str] = &["Mail could not be delivered", "メッセージを配信できません。", "メール配信に失敗しました"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let lower = body.to_ascii_lowercase();
    let from = text::raw_header(msg, "from").unwrap_or_default().to_ascii_lowercase();
    let subject = text::subject(msg);
    let ours = text::contains(&lower, BANNER)
        || text::contains(&from, "interscan")
        || SUBJECTS.iter().any(|s| subject.trim() == *s);
    if !ours {
        return None;
    }
    let mut recipients: Vec<BounceRecipient> = Vec::new();
    let mut command: Option<String> = None;
    for (line, low) in body.lines().map(str::trim).zip(lower.lines().map(str::trim)) {
        if let Some(i) = text::find(low, UNABLE) {
            let rest = line.get(i + UNABLE.len()..).unwrap_or_default();
            if let Some(a) = text::address_in(rest) {
                let mut r = text::recipient(a, line);
                r.action.get_or_insert_with(|| "failed".to_string());
                recipients.push(r);
            }
            continue;
        }
        let Some(said) = after_arrow(line) else { continue };
        let upper = said.to_ascii_uppercase();
        if ["RCPT", "MAIL", "DATA", "EHLO", "HELO", "BDAT", "RSET", "QUIT", "STARTTLS"]
            .iter()
            .any(|c| upper.starts_with(c))
        {
            command = text::command_in(&format!("after {said}"));
            if upper.starts_with("RCPT")
                && let Some(a) = said.split_once(':').and_then(|(_, a)| text::address_in(a))
            {
                recipients.push(text::recipient_with(a, "", None, command.clone()));
            }
        } else if let Some(last) = recipients.pop() {
            let mut r = text::recipient_with(last.address, said, None, command.clone());
            r.action.get_or_insert_with(|| "failed".to_string());
            recipients.push(r);
        }
    }
    Some(text::report("interscanmss", recipients, text::original(msg)))
}

/// The text after a session arrow: `Sent <<< RCPT TO:<…>`, `Received >>> 550 …`, or the same
/// arrows after translated words.
fn after_arrow(line: &str) -> Option<&str> {
    let i = line.find("<<< ").or_else(|| line.find(">>> "))?;
    // The arrow starts the line or follows a word (`Sent`, `Received`, or their translations).
    let lead = line.get(..i)?;
    if !lead.is_empty() && (!lead.ends_with(' ') || lead.trim().contains(' ')) {
        return None;
    }
    Some(line.get(i + 4..)?.trim())
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    #[test]
    fn interscan_notice() {
        let email = "From: postmaster@example.org (\"InterScan Notification\")\nSubject: Mail could not be delivered\n\n\
****** Message from InterScan Messaging Security Suite ******\n\n\
The following mail could not be delivered.\n\
Reason:  Unable to deliver message to <bob@example.net> (and other recipients in the same domain).\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "interscanmss");
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert!(r.recipients[0].reply.is_none());
        assert_eq!(r.recipients[0].action.as_deref(), Some("failed"));
    }

    #[test]
    fn interscan_session() {
        let email = "From: postmaster@example.org\nSubject: Mail could not be delivered\n\n\
Message from InterScan Messaging Security Suite\n\n\
Sent <<< RCPT TO:<bob@example.net>\n\
Received >>> 550 5.1.1 <bob@example.net>... user unknown\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
    }

    #[test]
    fn interscan_localized_session_crlf() {
        // A Japanese notice: the subject and the words before the arrows translated.
        let email = "From: postmaster@example.jp\r\nSubject: =?UTF-8?B?44Oh44O844Or6YWN5L+h44Gr5aSx5pWX44GX44G+44GX44Gf?=\r\n\
Content-Type: text/plain; charset=UTF-8\r\n\r\n\
送信 <<< RCPT TO:<bob@example.jp>\r\n\
受信 >>> 552 5.2.2 <bob@example.jp>... Mailbox full\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "interscanmss");
        assert_eq!(seen(&r.recipients[0]), ("bob@example.jp", Some(552), Some("5.2.2".into()), Reason::MailboxFull));
    }

    #[test]
    fn ordinary_mail_quoting_the_phrase() {
        let email = "From: alice@example.org\nTo: it@example.net\nSubject: mail problem\n\n\
Our gateway said 'Unable to deliver message to <bob@example.net>' yesterday. Why?\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }
}
