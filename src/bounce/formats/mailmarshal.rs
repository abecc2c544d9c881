//! Trustwave MailMarshal SMTP's bounce (`Subject: Undeliverable Mail: "SUBJECT"`): `Your
//! message:` with the original sender and subject, `Could not be delivered because of` and the
//! reply, `The following recipients were affected:` with the addresses indented one per line,
//! then `Additional Information` with fields such as `Remote-MTA: <192.0.2.1>` and
//! `Reporting-MTA: <host>`. The headings are matched in any case. Source: the layout as
//! sisimai/p5-sisimai lib/Sisimai/Lhost/MailMarshalSMTP.pm quotes it (BSD 2-Clause; wording
//! only).

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const BECAUSE: &str = "could not be delivered because of";
const AFFECTED: &str = "the following recipients were affected:";
const INFO: &str = "additional information";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let lower = body.to_ascii_lowercase();
    let because = text::find(&lower, BECAUSE)?;
    let affected = text::find(&lower, AFFECTED)?;
    let reason = body.get(because + BECAUSE.len()..affected).unwrap_or_default().trim();
    let reason = text::prefix(reason, text::MAX_BLOCK);
    let from = affected + AFFECTED.len();
    let list = body.get(from..)?;
    let (list, info) = match text::find(lower.get(from..)?, INFO) {
        Some(i) => (list.get(..i)?, list.get(i..)?),
        None => (list, ""),
    };
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().trim_matches(['<', '>']).to_string())
            .filter(|v| !v.is_empty() && !v.contains(' '))
    };
    let remote = field("Remote-MTA:");
    let template = text::recipient_with(String::new(), reason, remote, text::command_in(reason));
    let recipients = list
        .lines()
        .filter(|l| l.starts_with([' ', '\t']))
        .filter_map(|l| text::clean_address(l.trim()))
        .map(|address| {
            let mut r = BounceRecipient { address, ..template.clone() };
            r.action.get_or_insert_with(|| "failed".to_string());
            r
        })
        .collect();
    let mut report = text::report("mailmarshal", recipients, text::original(msg));
    report.reporting_mta = field("Reporting-MTA:");
    Some(report)
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn mailmarshal_crlf_several() {
        let email = "From: postmaster@example.org\r\nSubject: Undeliverable Mail: \"hi\"\r\n\r\n\
Your message:\r\n   From:    alice@example.org\r\n   Subject: hi\r\n\r\n\
Could not be delivered because of\r\n\r\n552 5.2.2 Mailbox full\r\n\r\n\
The following recipients were affected: \r\n    bob@example.net\r\n    carol@example.net\r\n\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mailmarshal");
        assert_eq!(r.recipients.len(), 2);
        for rcpt in &r.recipients {
            assert_eq!(rcpt.reply.as_ref().unwrap().code().unwrap().value(), 552);
            assert_eq!(rcpt.reason, crate::Reason::MailboxFull);
            assert_eq!(rcpt.action.as_deref(), Some("failed"));
        }
    }

    #[test]
    fn ordinary_mail_quoting_the_phrases() {
        let email = "From: alice@example.org\nSubject: report\n\n\
The memo could not be delivered because of the strike.\nThe following recipients were affected:\nthe whole team.\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }

    #[test]
    fn mailmarshal_bounce() {
        let email = "From: postmaster@example.org\nSubject: Undeliverable Mail: \"hi\"\n\n\
Your message:\n   From:    alice@example.org\n   Subject: hi\n\n\
Could not be delivered because of\n\n550 5.1.1 User unknown\n\n\
The following recipients were affected: \n    bob@example.net\n\n\n\
Additional Information\n======================\nOriginal Sender:    <alice@example.org>\n\
Remote-MTA:\t\t\t<192.0.2.2>\nReporting-MTA:      <mm.example.org>\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mailmarshal");
        assert_eq!(r.reporting_mta.as_deref(), Some("mm.example.org"));
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("192.0.2.2"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
    }
}
