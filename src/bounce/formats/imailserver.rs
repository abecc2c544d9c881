//! Ipswitch IMail Server's bounce (`Subject: Undeliverable Mail`, `X-Mailer: <SMTP32 v…>`): one
//! line per recipient, the reason and the address (`Unknown user: bob@example.net`, `Unknown
//! host: …`, `User mailbox exceeds allowed size: …`, `Delivery failed 3 attempts: …`) or
//! `undeliverable to bob@example.net`, the remote server's reply after `Body of message
//! generated response:`, and the returned message after `Original message follows.`.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const RESPONSE: &str = "Body of message generated response:";
const COPY_MARKERS: &[&str] = &["Original message follows."];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let imail = text::subject(msg).trim() == "Undeliverable Mail"
        || text::raw_header(msg, "x-mailer").is_some_and(|m| m.trim_start().starts_with("<SMTP32 v"));
    if !imail {
        return None;
    }
    let body = email.body();
    let head = text::cut(body, COPY_MARKERS);
    let response = text::find(head, RESPONSE).and_then(|i| head.get(i + RESPONSE.len()..)).unwrap_or_default().trim();
    let response = text::prefix(response, text::MAX_BLOCK);
    let mut recipients = Vec::new();
    for line in head.lines().map(str::trim) {
        let found = if let Some(rest) = line.strip_prefix("undeliverable to ") {
            text::address_in(rest)
        } else {
            // `Unknown user: bob@example.net`: a reason of more than one word before the address.
            line.rsplit_once(": ")
                .filter(|(label, a)| label.contains(' ') && !label.contains('@') && !a.trim().contains(' '))
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
