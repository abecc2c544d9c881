//! Exim's notice about malformed recipient addresses in a message it was asked to deliver
//! (`Subject: Mail failure - malformed recipient address`): `A message that you sent contained
//! one or more recipient addresses that were incorrectly constructed:`, each address as written
//! indented on its own line with the error (`  bob <bob@example.net>: malformed address: …`),
//! `This address has been ignored.` (or `These addresses have been ignored.`), then the copy of
//! the message. Reported as `exim`; the recipient is the mailbox the address names.
//!
//! Source: Exim src/src/moan.c (`moan_to_sender`, ERRMESS_BADADDRESS: the "incorrectly constructed"
//! notice).

use crate::bounce::fields;
use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "incorrectly constructed:";
const COPY_MARKERS: &[&str] =
    &["This address has been ignored", "These addresses have been ignored", "------ This is a copy"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, OPENING)?;
    if !text::contains(body, "recipient addresses that were") {
        return None;
    }
    let head = text::cut(body.get(at + OPENING.len()..)?, COPY_MARKERS);
    let recipients = head
        .lines()
        .filter(|l| l.starts_with([' ', '\t']))
        .filter_map(|l| {
            let (written, error) = l.trim().split_once(": ")?;
            let address = fields::address(written).and_then(|a| text::clean_address(&a))?;
            let mut r = text::recipient(address, error);
            r.action.get_or_insert_with(|| "failed".to_string());
            Some(r)
        })
        .collect();
    Some(text::report("exim", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn exim_malformed_address() {
        let email = "From: Mail Delivery System <mailer-daemon@mx.example.org>\n\
Subject: Mail failure - malformed recipient address\n\n\
A message that you sent contained one or more recipient addresses that were\nincorrectly constructed:\n\n  \
carol@example.net <bob@example.net>: malformed address: <bob@example.net> may not follow carol@example.net\n\n\
This address has been ignored. The other addresses in the message were\n\
syntactically valid and have been passed on for an attempt at delivery.\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "exim");
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert!(r.recipients[0].reply.is_none());
    }
}
