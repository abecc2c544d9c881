//! Amazon WorkMail's bounce (sent through Amazon SES, `Subject: Delivery Status Notification
//! (Failure)`): `An error occurred while trying to deliver the mail to the following
//! recipients:`, the addresses one per line, then `Technical report:` and the delivery-status
//! fields (`Reporting-MTA`, `Action`, `Final-Recipient`, `Diagnostic-Code`, `Status`) written
//! in the text part instead of a `message/delivery-status` part. Those fields are read as
//! RFC 3464 fields.

use crate::bounce::standard::rfc3464;
use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "An error occurred while trying to deliver the mail to the following recipients";
const REPORT: &str = "Technical report:";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, OPENING) {
        return None;
    }
    let at = text::find(body, REPORT)? + REPORT.len();
    let mut report = rfc3464::read_delivery_status(body.get(at..)?);
    report.format = "amazonworkmail";
    report.original = text::original(msg);
    Some(report)
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn workmail_bounce() {
        let email = "From: MAILER-DAEMON@us-west-2.ses.example\nTo: alice@example.org\n\
Subject: Delivery Status Notification (Failure)\n\n\
An error occurred while trying to deliver the mail to the following recipients:\nbob@example.net\n\n\
Technical report:\n\nReporting-MTA: dsn; out.ses.example\n\n\
Action: failed\nFinal-Recipient: rfc822; bob@example.net\n\
Diagnostic-Code: smtp; 550 5.2.2 <bob@example.net>... Mailbox Full\nStatus: 5.2.2\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "amazonworkmail");
        assert_eq!(r.reporting_mta.as_deref(), Some("out.ses.example"));
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::MailboxFull);
    }
}
