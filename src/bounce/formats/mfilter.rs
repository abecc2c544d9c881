//! Digital Arts m-FILTER's bounce (`Subject: failure notice`, `X-Mailer: m-FILTER`, a Japanese
//! notice that m-FILTER generated it: `このメールは「m-FILTER」が自動的に生成して送信しています。`
//! and `以下のメールアドレスへの送信に失敗しました。`): the failed addresses one per line before
//! `-------server message` and the reply after it, the command after `-------SMTP command`, and
//! the returned message after `-------original message` (or its headers after `-------original
//! mail info`). Source: the notice as sisimai/p5-sisimai lib/Sisimai/Lhost/mFILTER.pm quotes it
//! (BSD 2-Clause; wording only).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const SERVER: &str = "-------server message";
const COMMAND: &str = "-------SMTP command";
const ORIGINALS: &[&str] = &["-------original message", "-------original mail info"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let server = text::find(body, SERVER)?;
    let ours = ORIGINALS.iter().any(|m| text::contains(body, m))
        || text::raw_header(msg, "x-mailer").is_some_and(|m| m.trim().eq_ignore_ascii_case("m-FILTER"))
        || text::contains(body, "m-FILTER");
    if !ours {
        return None;
    }
    let list = body.get(..server)?;
    let rest = text::cut(body.get(server + SERVER.len()..)?, ORIGINALS);
    let (said, command) = match text::find(rest, COMMAND) {
        Some(i) => (rest.get(..i)?, rest.get(i + COMMAND.len()..)?.split_whitespace().next()),
        None => (rest, None),
    };
    let command = command.and_then(|c| match c.to_ascii_uppercase().as_str() {
        "RCPT" => Some("RCPT TO".to_string()),
        "MAIL" => Some("MAIL FROM".to_string()),
        "DATA" => Some("DATA".to_string()),
        "EHLO" | "HELO" => Some(c.to_ascii_uppercase()),
        _ => None,
    });
    let mut template = text::recipient_with(String::new(), said.trim(), None, command);
    template.action.get_or_insert_with(|| "failed".to_string());
    let recipients = text::for_all(
        email,
        &template,
        list.lines().map(str::trim).filter(|l| !l.contains(' ')).filter_map(text::clean_address),
    );
    Some(text::report("mfilter", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn mfilter_japanese_notice_crlf() {
        let email = "From: POSTMASTER <postmaster@example.org>\r\nSubject: failure notice\r\nX-Mailer: m-FILTER\r\n\
Content-Type: text/plain; charset=UTF-8\r\n\r\n\
このメールは「m-FILTER」が自動的に生成して送信しています。\r\n\
以下のメールアドレスへの送信に失敗しました。\r\n\
bob@example.net\r\ncarol@example.net\r\n\r\n\
-------server message\r\n452 4.2.2 Mailbox full\r\n\r\n\
-------SMTP command\r\nRCPT\r\n\r\n-------original mail info\r\nFrom: alice@example.org\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mfilter");
        assert_eq!(r.recipients.len(), 2);
        for rcpt in &r.recipients {
            assert_eq!(rcpt.smtp_command.as_deref(), Some("RCPT TO"));
            assert_eq!(rcpt.reply.as_ref().unwrap().code().unwrap().value(), 452);
            assert_eq!(rcpt.reason, crate::Reason::MailboxFull);
            assert_eq!(rcpt.action.as_deref(), Some("delayed"));
        }
        assert_eq!(r.recipients[1].address, "carol@example.net");
    }

    #[test]
    fn ordinary_mail_quoting_the_marker() {
        let email = "From: alice@example.org\nSubject: log\n\n-------server message\nall fine\n\nbob@example.net\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }

    #[test]
    fn mfilter_bounce() {
        let email = "From: POSTMASTER <postmaster@example.org>\nSubject: failure notice\n\n\
This mail was sent by m-FILTER.\nbob@example.net\n\n\n\
-------server message\n550 unknown user <bob@example.net>\n\n\
-------SMTP command\nDATA\n\n-------original message\nFrom: alice@example.org\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mfilter");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.smtp_command.as_deref(), Some("DATA"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
    }
}
