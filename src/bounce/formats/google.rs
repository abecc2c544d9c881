//! Gmail's current bounce read from its text (`Mail Delivery Subsystem
//! <mailer-daemon@googlemail.com>`), for the reports whose `message/delivery-status` part is
//! empty or missing: the recipients in `X-Failed-Recipients`, a heading between asterisks
//! (`** Message not delivered **`, `** Address not found **`, `** Message blocked **`;
//! `** Delivery incomplete **` for a delay), Google's explanation, and the remote server's words
//! after `The response was:` (or `The response from the remote server was:`), then the returned
//! message after `----- Original message -----`.
//!
//! Source: Google Workspace Admin Help "SMTP error reference" (answer 3726730: the replies Google
//! quotes); sisimai/p5-sisimai lib/Sisimai/Lhost/Google.pm (peer).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const HEADINGS: &[&str] = &[
    "** Message not delivered **",
    "** Address not found **",
    "** Message blocked **",
    "** Delivery incomplete **",
    "** Message expired **",
    "** Domain not found **",
];
const RESPONSE: &[&str] = &["The response from the remote server was:", "The response was:"];
const COPY_MARKERS: &[&str] = &["----- Original message -----", "----- Message header follows -----"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    if text::from_local(msg) != "mailer-daemon" {
        return None;
    }
    let failed = text::raw_header(msg, "x-failed-recipients")?;
    let body = email.body();
    let at = HEADINGS.iter().filter_map(|h| text::find(body, h)).min()?;
    let notice = text::cut(body.get(at..)?, COPY_MARKERS);
    let delayed = notice.starts_with("** Delivery incomplete **");
    // The server's words when Google quotes them, else Google's own explanation.
    let said = RESPONSE.iter().find_map(|m| text::find(notice, m).map(|i| i + m.len())).and_then(|i| notice.get(i..));
    // One reading of the shared text, copied to each address (linear in the input).
    let reply = said.and_then(|s| text::find_reply(s, None, text::command_in(s)));
    let mut template = text::recipient_from_reply(String::new(), reply, notice, delayed);
    if template.reply.is_some() {
        template.diagnostic_text = said.and_then(crate::bounce::fields::text);
    }
    template.smtp_command = template.smtp_command.or_else(|| said.and_then(text::command_in));
    template.action = Some(if delayed { "delayed" } else { "failed" }.to_string());
    let recipients = text::for_all(email, &template, failed.split(',').filter_map(text::address_in));
    Some(text::report("google", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const BOUNCE: &str = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\
To: alice@example.org\n\
Subject: Delivery Status Notification (Failure)\n\
X-Failed-Recipients: bob@example.net\n\n\
** Address not found **\n\n\
Your message wasn't delivered to bob@example.net because the address couldn't be found, or is unable to receive mail.\n\n\
The response from the remote server was:\n\
550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table\n\n\
----- Original message -----\n\nSubject: 554 5.7.1\n";

    #[test]
    fn google_text_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "google");
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
    }

    #[test]
    fn google_without_code() {
        let email = BOUNCE.replace("** Address not found **", "** Message not delivered **").replace(
            "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
            "Unspecified Error (SENT_SECOND_EHLO): Smtp server does not advertise AUTH capability",
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "google");
        assert!(r.recipients[0].reply.is_none());
        assert_eq!(r.recipients[0].action.as_deref(), Some("failed"));
    }
}
