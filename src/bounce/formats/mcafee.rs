//! McAfee Email Gateway's (Email and Web Security appliance, `X-NAI-Header: Modified by McAfee …`,
//! `Subject: Delivery Status`) bounce read from its text part (`deliveryproblems.txt`), when the
//! report comes without its `message/delivery-status` part: `--- The following addresses had
//! delivery problems ---`, then one line per recipient, `<bob@example.net>   (User unknown
//! bob@example.net)` or with the receiving server's reply in the brackets (`(550 5.1.1 …)`).
//! Source: the text as sisimai/p5-sisimai lib/Sisimai/Lhost/McAfee.pm quotes it (BSD 2-Clause;
//! wording only).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const LIST: &str = "--- the following addresses had delivery problems ---";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let lower = body.to_ascii_lowercase();
    let at = text::find(&lower, LIST)?;
    let list = body.get(at + LIST.len()..)?;
    let mut recipients = Vec::new();
    for line in list.lines() {
        let t = line.trim();
        // `<bob@example.net>   (why)`: the address in angle brackets, the reason in round ones.
        let Some(rest) = t.strip_prefix('<') else { continue };
        let Some((address, why)) = rest.split_once('>') else { continue };
        let why = why.trim();
        let Some(why) = why.strip_prefix('(').map(|w| w.strip_suffix(')').unwrap_or(w)) else { continue };
        let Some(address) = text::clean_address(address) else { continue };
        let mut r = text::recipient(address, why);
        text::failed_or_delayed(&mut r);
        recipients.push(r);
    }
    Some(text::report("mcafee", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    #[test]
    fn mcafee_delivery_problems() {
        let email = "From: postmaster@gw.example.org\r\nSubject: Delivery Status\r\n\
X-NAI-Header: Modified by McAfee Email and Web Security Virtual Appliance\r\n\r\n\
   --- The following addresses had delivery problems ---\r\n\r\n\
<bob@example.net>   (User unknown bob@example.net)\r\n\
<carol@example.net>   (552 5.2.2 Mailbox full)\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mcafee");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", None, None, Reason::UserUnknown));
        assert_eq!(bob.action.as_deref(), Some("failed"));
        let carol = &r.recipients[1];
        assert_eq!(seen(carol), ("carol@example.net", Some(552), Some("5.2.2".into()), Reason::MailboxFull));
    }

    #[test]
    fn ordinary_mail_quoting_the_line() {
        let email = "From: alice@example.org\nSubject: gateway\n\n\
--- The following addresses had delivery problems ---\nis what I got; see <bob@example.net> for details.\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }
}
