//! McAfee MXLogic's bounce (an Exim derivative, `Received: … (mxl_mta-…)`): Exim's opening, `The
//! following address failed:` (singular) or `… address(es) failed:`, each recipient indented as
//! `<address>: reply` on one line, then `Included is a copy of the message header:`. Source: the
//! layout as sisimai/p5-sisimai lib/Sisimai/Lhost/MXLogic.pm quotes it (BSD 2-Clause; wording
//! only); Exim's own wording is deliver.c's.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "This message was created automatically by mail delivery software";
/// The line that opens the list, as Exim words it for one or for several recipients (lower case).
const LISTS: &[&str] = &["the following address failed:", "the following address(es) failed:"];
const COPY_MARKERS: &[&str] = &["Included is a copy of the message header"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, OPENING) {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (at, len) = LISTS.iter().find_map(|m| text::find(&lower, m).map(|i| (i, m.len())))?;
    let head = text::cut(body.get(at + len..)?, COPY_MARKERS);
    let recipients = head
        .lines()
        .filter(|l| l.starts_with([' ', '\t']))
        .filter_map(|l| {
            let (who, said) = l.trim().split_once(": ")?;
            let address = text::clean_address(who).filter(|_| !who.contains(' '))?;
            let mut r = text::recipient(address, said);
            r.action.get_or_insert_with(|| "failed".to_string());
            Some(r)
        })
        .collect();
    Some(text::report("mxlogic", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn mxlogic_several_crlf() {
        let email = "From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\r\nSubject: Mail delivery failed\r\n\r\n\
This message was created automatically by mail delivery software.\r\n\r\n\
A message that you have sent could not be delivered to one or more\r\n\
recipients.  This is a permanent error.  The following address(es) failed:\r\n\r\n\
\x20 <bob@example.net>: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown\r\n\
\x20 <carol@example.net>: 552 5.2.2 Mailbox full\r\n\r\n\
Included is a copy of the message header:\r\nFrom: alice@example.org\r\n";
        // The plural wording is Exim's own, which reads it first; the recipients are the same.
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert!(matches!(r.format, "exim" | "mxlogic"), "{}", r.format);
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert_eq!(r.recipients[0].reason, crate::Reason::UserUnknown);
        assert_eq!(r.recipients[1].address, "carol@example.net");
        assert_eq!(r.recipients[1].reason, crate::Reason::MailboxFull);
    }

    #[test]
    fn mxlogic_bounce() {
        let email = "From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\nSubject: Mail delivery failed\n\n\
This message was created automatically by mail delivery software.\n\n\
A message that you have sent could not be delivered to one or more\n\
recipients.  This is a permanent error.  The following address failed:\n\n  \
<bob@example.net>: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in local recipient table\n\n\n\
Included is a copy of the message header:\n-----------------------------------------\nFrom: alice@example.org\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mxlogic");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
    }
}
