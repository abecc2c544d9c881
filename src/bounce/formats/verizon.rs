//! Verizon Wireless' MMS gateway notice (`From: MMSC NDR Administrator <…@…vzwpix.com>`,
//! `Subject: Undeliverable Message`): `Message could not be delivered to mobile.`, `Error: …`,
//! then `Original Message:` with the original `To:` line, which names the recipient. The text
//! has no SMTP reply.
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/Verizon.pm (peer: the MMSC NDR notice).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "Message could not be delivered to mobile.";
const ORIGINAL: &str = "Original Message:";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, OPENING)?;
    let original_at = text::find(body, ORIGINAL)?;
    let error = body.get(at..original_at).unwrap_or_default();
    let recipients = body
        .get(original_at..)?
        .lines()
        .filter_map(|l| l.trim().strip_prefix("To:"))
        .take(1)
        .flat_map(|v| v.split(','))
        .filter_map(text::address_in)
        .map(|address| {
            let mut r = text::recipient(address, error);
            r.action.get_or_insert_with(|| "failed".to_string());
            r
        })
        .collect();
    Some(text::report("verizon", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn verizon_notice() {
        let email = "From: MMSC NDR Administrator <sysadmin@mmsc.example.com>\nSubject: Undeliverable Message\n\n\
Message could not be delivered to mobile.\nError: No valid recipients for this MM\n\n\n\
Original Message:\nFrom: alice <alice@example.org>\nTo: 0000000000@mms.example.com\nSubject: hi\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "verizon");
        assert_eq!(r.recipients[0].address, "0000000000@mms.example.com");
        assert!(r.recipients[0].reply.is_none());
    }
}
