//! Digital Arts m-FILTER's bounce (`Subject: failure notice`, a Japanese notice that m-FILTER
//! generated it): the failed addresses one per line before `-------server message` and the
//! reply after it, the command after `-------SMTP command`, and the returned message after
//! `-------original message`.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const SERVER: &str = "-------server message";
const COMMAND: &str = "-------SMTP command";
const ORIGINAL: &str = "-------original message";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let server = text::find(body, SERVER)?;
    if !text::contains(body, ORIGINAL) {
        return None;
    }
    let list = body.get(..server)?;
    let rest = text::cut(body.get(server + SERVER.len()..)?, &[ORIGINAL]);
    let (said, command) = match text::find(rest, COMMAND) {
        Some(i) => (rest.get(..i)?, rest.get(i + COMMAND.len()..)?.split_whitespace().next()),
        None => (rest, None),
    };
    let command = command.and_then(|c| match c.to_ascii_uppercase().as_str() {
        "RCPT" => Some("RCPT TO".to_string()),
        "MAIL" => Some("MAIL FROM".to_string()),
        "DATA" => Some("DATA".to_string()),
        "EHLO" | "HELO" => Some(c.to_ascii_uppercase()),
        _ => None,
    });
    let mut template = text::recipient_with(String::new(), said.trim(), None, command);
    template.action.get_or_insert_with(|| "failed".to_string());
    let recipients = text::for_all(
        email,
        &template,
        list.lines().map(str::trim).filter(|l| !l.contains(' ')).filter_map(text::clean_address),
    );
    Some(text::report("mfilter", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn mfilter_bounce() {
        let email = "From: POSTMASTER <postmaster@example.org>\nSubject: failure notice\n\n\
This mail was sent by m-FILTER.\nbob@example.net\n\n\n\
-------server message\n550 unknown user <bob@example.net>\n\n\
-------SMTP command\nDATA\n\n-------original message\nFrom: alice@example.org\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "mfilter");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.smtp_command.as_deref(), Some("DATA"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
    }
}
