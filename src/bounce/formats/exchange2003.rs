//! The non-delivery report of Microsoft Exchange's Internet Mail Service (Exchange 5.5 to
//! 2003): `Your message` with its `To:`, `Subject:` and `Sent:` lines, then `did not reach the
//! following recipient(s):` (or `The following recipient(s) could not be reached:`), one line
//! per recipient, `ADDRESS on DATE`, each followed by its indented details (`The recipient name
//! is not recognized`, `MSEXCH:IMS:…  0 (000C05A6) Unknown Recipient`). There is no SMTP reply
//! unless the details quote one.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const LIST_STARTS: &[&str] =
    &["did not reach the following recipient(s):", "The following recipient(s) could not be reached:"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let start = LIST_STARTS.iter().filter_map(|m| text::find(body, m).map(|i| i + m.len())).min()?;
    if !text::contains(body, "Your message") {
        return None;
    }
    let list = body.get(start..)?;
    // `kijitora@example.jp on Thu, 29 Apr 2010 00:00:00 -0000` opens a recipient's block.
    let blocks = text::address_blocks(list.lines().map(str::trim).filter(|t| !t.is_empty()), |t| {
        t.split_once(" on ").filter(|(who, _)| !who.contains(' ')).and_then(|(who, _)| text::clean_address(who))
    });
    let recipients = blocks.into_iter().map(|(address, details)| text::recipient(address, &details)).collect();
    Some(text::report("exchange2003", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn exchange_ims_report() {
        let email = "From: System Administrator <postmaster@example.org>\nTo: alice@example.org\n\
Subject: Undeliverable: hello\n\n\
Your message\n\n  To:      bob@example.net\n  Subject: hello\n  Sent:    Thu, 29 Apr 2010 00:00:00 -0000\n\n\
did not reach the following recipient(s):\n\n\
bob@example.net on Thu, 29 Apr 2010 00:00:00 -0000\n\
    The recipient name is not recognized\n\
    MSEXCH:IMS:EXAMPLE:SITE:SERVER 0 (000C05A6) Unknown Recipient\n\
carol@example.net on Thu, 29 Apr 2010 00:00:00 -0000\n\
    The remote host said: 552 5.2.2 Mailbox full\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "exchange2003");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert!(bob.reply.is_none());
        let carol = &r.recipients[1];
        assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 552);
        assert_eq!(carol.status.unwrap().to_string(), "5.2.2");
    }
}
