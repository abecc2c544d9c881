//! Ipswitch IMail Server's bounce (`Subject: Undeliverable Mail`, `X-Mailer: <SMTP32 v…>`): one
//! line per recipient, the reason and the address (`Unknown user: bob@example.net`, `Invalid final
//! delivery userid: …`, `Unknown host: …`, `User mailbox exceeds allowed size: …`, `Delivery
//! failed 3 attempts: …`, `Requested action not taken: virus detected: …`) or `undeliverable to
//! bob@example.net`, the remote server's reply after `Body of message generated response:`, and
//! the returned message after `Original message follows.`. A subject that only starts with
//! `Undeliverable Mail` (IMail appends the original subject in some versions) needs one of those
//! lines. Source: the wording as sisimai/p5-sisimai lib/Sisimai/Lhost/IMailServer.pm lists it
//! (BSD 2-Clause; wording only).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

/// IMail's reasons before an address (lower case).
const LABELS: &[&str] = &[
    "unknown user",
    "invalid final delivery userid",
    "unknown host",
    "user mailbox exceeds allowed size",
    "delivery failed",
    "requested action not taken",
];
const RESPONSE: &str = "Body of message generated response:";
const COPY_MARKERS: &[&str] = &["Original message follows."];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let subject = text::subject(msg);
    let subject = subject.trim();
    let sure = subject.eq_ignore_ascii_case("Undeliverable Mail")
        || text::raw_header(msg, "x-mailer").is_some_and(|m| m.trim_start().starts_with("<SMTP32 v"));
    let maybe = subject.get(..18).is_some_and(|p| p.eq_ignore_ascii_case("Undeliverable Mail"));
    if !sure && !maybe {
        return None;
    }
    let body = email.body();
    let head = text::cut(body, COPY_MARKERS);
    let response = text::find(head, RESPONSE).and_then(|i| head.get(i + RESPONSE.len()..)).unwrap_or_default().trim();
    let response = text::prefix(response, text::MAX_BLOCK);
    let mut recipients = Vec::new();
    for line in head.lines().map(str::trim) {
        let found = if let Some(rest) =
            line.get(..17).filter(|p| p.eq_ignore_ascii_case("undeliverable to ")).and(line.get(17..))
        {
            text::address_in(rest)
        } else {
            // `Unknown user: bob@example.net`: a reason of more than one word before the address
            // (one IMail writes, when the subject alone does not make the email IMail's).
            line.rsplit_once(": ")
                .filter(|(label, a)| label.contains(' ') && !label.contains('@') && !a.trim().contains(' '))
                .filter(|(label, _)| sure || LABELS.iter().any(|l| label.to_ascii_lowercase().starts_with(l)))
                .and_then(|(_, a)| text::clean_address(a.trim()))
        };
        let Some(address) = found else { continue };
        let block = if response.is_empty() { line.to_string() } else { format!("{line}\n{response}") };
        let mut r = text::recipient(address, &block);
        r.action.get_or_insert_with(|| "failed".to_string());
        recipients.push(r);
    }
    Some(text::report("imailserver", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn imail_unknown_user() {
        let email = "From: \"Postmaster\" <postmaster@example.org>\nSubject: Undeliverable Mail\n\n\
Unknown user: bob@example.net\n\n\nOriginal message follows.\n\nTo: carol@example.net\nSubject: 550 5.1.1\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "imailserver");
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert!(r.recipients[0].reply.is_none());
        assert_eq!(r.recipients[0].reason, crate::Reason::UserUnknown);
    }

    #[test]
    fn imail_subject_with_the_original_subject_crlf() {
        let email = "From: \"Postmaster\" <postmaster@example.org>\r\nSubject: Undeliverable Mail: hello\r\n\r\n\
Unknown host: example.invalid\r\n\
Invalid final delivery userid: bob@example.net\r\n\
User mailbox exceeds allowed size: carol@example.net\r\n\
Note: dave@example.net\r\n\r\n\
Original message follows.\r\n\r\nTo: bob@example.net\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "imailserver");
        // `Unknown host:` names a domain, not a recipient; `Note:` is not IMail's.
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert_eq!(r.recipients[1].address, "carol@example.net");
        assert_eq!(r.recipients[1].action.as_deref(), Some("failed"));
    }

    #[test]
    fn ordinary_mail_with_the_subject() {
        let email = "From: alice@example.org\nSubject: Undeliverable Mail again\n\n\
My reply to bob: bob@example.net\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }

    #[test]
    fn imail_response() {
        let email = "From: \"Postmaster\" <postmaster@example.org>\nSubject: Undeliverable Mail\n\n\
Save to the following Address Book:\n\nTo: alice@example.org\nCC:\n\n\
undeliverable to bob@example.net\n\n\
Body of message generated response:\n\
550-REJECTED - Blacklisted URL in message.\n\
550 See http://lookup.example.com.\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert_eq!(r.recipients[0].reply.as_ref().unwrap().code().unwrap().value(), 550);
    }
}
