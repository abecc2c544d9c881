//! Zoho Mail's bounce (`mailer-daemon@mail.zoho.com`, an `X-ZohoMail` header): after Exim's
//! opening sentence, one line per recipient, `ADDRESS Invalid Address, ERROR_CODE :550,
//! ERROR_CODE :5.2.1 <…>... User Unknown` (the reply code, then the remote reply's text); its
//! delay warning lists `[Status: Error, Address: <ADDRESS>, ResponseCode 421, , TEXT]` under
//! `----- The following addresses had fatal errors -----`. The reply read is the code with the
//! text that follows it.
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/Zoho.pm (peer).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const FIELD: &str = "ERROR_CODE :";
const WARNING: &str = "[Status: ";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    if !text::has_header(msg, "x-zohomail") {
        return None;
    }
    let body = email.body();
    if !text::contains(body, FIELD) && !text::contains(body, WARNING) {
        return None;
    }
    let mut recipients = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let found = if let Some(i) = text::find(t, FIELD) {
            error_code_line(t, i)
        } else if t.starts_with(WARNING) {
            warning_line(t)
        } else {
            None
        };
        if let Some((address, block)) = found {
            recipients.push(text::recipient_with(address, &block, None, None));
        }
    }
    Some(text::report("zoho", recipients, text::original(msg)))
}

/// `bob@example.net Invalid Address, ERROR_CODE :550, ERROR_CODE :5.2.1 …` → the address and
/// `550 5.2.1 …`.
fn error_code_line(line: &str, first: usize) -> Option<(String, String)> {
    let address = text::clean_address(line.split_whitespace().next()?)?;
    let mut fields = line.get(first + FIELD.len()..)?.split(FIELD);
    let code = fields.next()?.trim().trim_end_matches(',').trim();
    let rest = fields.next().unwrap_or_default().trim().trim_start_matches(',').trim();
    Some((address, format!("{code} {rest}")))
}

/// `[Status: Error, Address: <bob@example.net>, ResponseCode 421, , Host not reachable.]` →
/// the address and `421 Host not reachable.`.
fn warning_line(line: &str) -> Option<(String, String)> {
    let inner = line.trim_start_matches(WARNING).trim_end_matches(']');
    let at = text::find(inner, "Address:")?;
    let rest = inner.get(at + "Address:".len()..)?;
    let (who, rest) = rest.split_once(',').unwrap_or((rest, ""));
    let address = text::clean_address(who.trim())?;
    let rest = rest.trim();
    let rest = rest.strip_prefix("ResponseCode").map_or(rest, str::trim_start);
    let (code, tail) = rest.split_once(',').unwrap_or((rest, ""));
    let tail = tail.trim().trim_start_matches(',').trim();
    Some((address, format!("{} {tail}", code.trim())))
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const HEAD: &str = "From: mailer-daemon@mail.zoho.example\nTo: alice@zoho.example\nX-ZohoMail: Si\n";

    #[test]
    fn zoho_bounce() {
        let email = format!(
            "{HEAD}Subject: Undelivered Mail Returned to Sender\n\n\
This message was created automatically by mail delivery software.\n\
A message that you sent could not be delivered to one or more of its recipients. This is a permanent error.\n\n\
bob@example.net Invalid Address, ERROR_CODE :550, ERROR_CODE :5.2.2 <bob@example.net>... Mailbox Full\n\
carol@example.net Error, ERROR_CODE :421, ERROR_CODE :, Host not reachable.\n"
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "zoho");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.2.2".into()), Reason::MailboxFull));
        let carol = &r.recipients[1];
        assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 421);
        assert_eq!(carol.action.as_deref(), Some("delayed"));
    }

    #[test]
    fn zoho_delay_warning() {
        let email = format!(
            "{HEAD}Subject: Mail Delivery Status Notification (Delay)\n\n\
----- The following addresses had fatal errors -----\n\
[Status: Error, Address: <bob@example.net>, ResponseCode 421, , Host not reachable.]\n"
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 421);
    }
}
