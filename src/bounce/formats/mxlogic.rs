//! McAfee MXLogic's bounce (an Exim derivative, `Received: … (mxl_mta-…)`): Exim's opening, `The
//! following address failed:` (singular) or `… address(es) failed:`, each recipient indented as
//! `<address>: reply` on one line, then `Included is a copy of the message header:`.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "This message was created automatically by mail delivery software";
const LIST: &str = "The following address failed:";
const COPY_MARKERS: &[&str] = &["Included is a copy of the message header"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, OPENING) {
        return None;
    }
    let at = text::find(body, LIST)?;
    let head = text::cut(body.get(at + LIST.len()..)?, COPY_MARKERS);
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
