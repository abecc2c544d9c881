//! A bounce of an unidentified MTA (Sisimai's "X6"; `Subject: There was an error sending your
//! mail`): `We had trouble delivering your message. Full details follow:`, then per error `The
//! following recipients returned permanent errors: ADDRESS[, ADDRESS…]. Reason: SMTP Server
//! <192.0.2.1> refused to accept your message (DATA), with the following error message: [554
//! 5.4.6 …]` (the remote host, the command and the reply).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "We had trouble delivering your message. Full details follow:";
const LEADS: &[(&str, &str)] = &[
    ("The following recipients returned permanent errors:", "failed"),
    ("The following recipients returned temporary errors:", "delayed"),
];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, OPENING)?;
    let mut recipients = Vec::new();
    for line in body.get(at..)?.lines() {
        let t = line.trim();
        let Some((rest, action)) = LEADS.iter().find_map(|(l, a)| t.strip_prefix(l).map(|r| (r, *a))) else {
            continue;
        };
        let (who, why) = rest.split_once(". Reason:").unwrap_or((rest, ""));
        let remote = why
            .split_once("Server <")
            .and_then(|(_, r)| r.split_once('>'))
            .map(|(h, _)| h.trim().to_string())
            .filter(|h| h.contains('.') && !h.contains(' '));
        let command =
            why.split_once("your message (").and_then(|(_, r)| r.split_once(')')).and_then(|(c, _)| {
                match c.trim().to_ascii_uppercase().as_str() {
                    "RCPT" | "RCPT TO" => Some("RCPT TO"),
                    "MAIL" | "MAIL FROM" => Some("MAIL FROM"),
                    "DATA" => Some("DATA"),
                    _ => None,
                }
            });
        let said = why.split_once("error message: [").map_or(why, |(_, r)| r.trim_end_matches(']'));
        for address in who.split(',').filter_map(text::address_in) {
            let mut r = text::recipient_with(address, said, remote.clone(), command.map(String::from));
            r.action = Some(action.to_string());
            recipients.push(r);
        }
    }
    Some(text::report("x6", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn x6_bounce() {
        let email = "From: mailer-daemon\nSubject: There was an error sending your mail\n\n\
We had trouble delivering your message. Full details follow:\n\n\
Subject: 'hi'\nDate: 'Thu, 29 Apr 2012 23:34:45 +0000'\n\n1 error(s):\n\n\
The following recipients returned permanent errors: bob@example.net. Reason: SMTP Server \
<192.0.2.223> refused to accept your message (DATA), with the following error message: \
[554 5.4.6 Hop count exceeded - possible mail loop]\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "x6");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("192.0.2.223"));
        assert_eq!(bob.smtp_command.as_deref(), Some("DATA"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 554);
        assert_eq!(bob.status.unwrap().to_string(), "5.4.6");
    }
}
