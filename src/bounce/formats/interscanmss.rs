//! Trend Micro InterScan Messaging Security Suite's notice (`Subject: Mail could not be
//! delivered`, `From: … ("InterScan …")`): `Message from InterScan Messaging Security Suite`,
//! then `Unable to deliver message to <address> (and other recipients in the same domain).`,
//! or, for a session it relayed, the dialogue `Sent <<< RCPT TO:<address>` and `Received >>>
//! 550 5.1.1 …`; the returned message in a `message/rfc822` part.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const BANNER: &str = "Message from InterScan Messaging Security Suite";
const UNABLE: &str = "Unable to deliver message to ";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    if !text::contains(body, BANNER) {
        return None;
    }
    let mut recipients = Vec::new();
    let mut command: Option<String> = None;
    for line in body.lines().map(str::trim) {
        if let Some(rest) = line.split_once(UNABLE).map(|(_, r)| r) {
            if let Some(a) = text::address_in(rest) {
                let mut r = text::recipient(a, line);
                r.action.get_or_insert_with(|| "failed".to_string());
                recipients.push(r);
            }
        } else if let Some(sent) = line.strip_prefix("Sent <<< ") {
            command = text::command_in(&format!("after {sent}"));
            if let Some(a) = sent.split_once(':').and_then(|(_, a)| text::address_in(a)) {
                recipients.push(text::recipient_with(a, "", None, command.clone()));
            }
        } else if let Some(said) = line.strip_prefix("Received >>> ")
            && let Some(last) = recipients.pop()
        {
            let mut r = text::recipient_with(last.address, said, None, command.clone());
            r.action.get_or_insert_with(|| "failed".to_string());
            recipients.push(r);
        }
    }
    Some(text::report("interscanmss", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
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
    }

    #[test]
    fn interscan_session() {
        let email = "From: postmaster@example.org\nSubject: Mail could not be delivered\n\n\
Message from InterScan Messaging Security Suite\n\n\
Sent <<< RCPT TO:<bob@example.net>\n\
Received >>> 550 5.1.1 <bob@example.net>... user unknown\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
    }
}
