//! The bounce of Sendmail version 5 (and of Sendmail 8 when it returns a message without a
//! delivery-status part in that old layout): `----- Transcript of session follows -----`, the
//! transcript, and the returned message after `----- Unsent message follows -----` (`-----
//! Message header follows -----` when only the header is returned, `----- No message was
//! collected -----` when there is none; savemail.c of those versions) (the layout
//! of savemail.c before Sendmail 8.7 added its address lists; see sendmail.rs for the later one).
//! In the transcript, `While talking to HOST:` (`... while talking to HOST.:` in Sendmail 8)
//! opens an SMTP conversation, `>>> CMD` is what Sendmail
//! sent and `<<< NNN …` what the host replied; a line `NNN <address>... text` reports one
//! recipient (`554 <a@b>... 550 Host unknown`). A recipient's reply is the host's (`<<<`) reply
//! since the previous recipient line, else the reply its own line ends with, else the line.

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};

const TRANSCRIPT: &str = "----- Transcript of session follows -----";
/// Where the transcript ends: the returned message, its header only, or nothing returned
/// (savemail.c of Sendmail 5 and 8.6).
const UNSENT: &[&str] = &[
    "----- Unsent message follows -----",
    "----- Message header follows -----",
    "----- No message was collected -----",
];
/// What only Sendmail 8.7 and later write (sendmail.rs reads those).
const SENDMAIL8: &[&str] = &["The original message was received at", "----- The following addresses had "];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let start = text::find(body, TRANSCRIPT)?;
    if !UNSENT.iter().any(|m| text::contains(body, m)) || SENDMAIL8.iter().any(|m| text::contains(body, m)) {
        return None;
    }
    let transcript = text::cut(body.get(start + TRANSCRIPT.len()..)?, UNSENT);
    let mut recipients: Vec<BounceRecipient> = Vec::new();
    let (mut host, mut command, mut said) = (None::<String>, None::<String>, String::new());
    for line in transcript.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("While talking to ").or_else(|| t.strip_prefix("... while talking to ")) {
            let h = rest.trim_end_matches(':').trim().trim_end_matches('.');
            host = Some(h.to_string()).filter(|h| !h.is_empty());
            command = None;
            said.clear();
        } else if let Some(rest) = t.strip_prefix(">>> ") {
            command = smtp_command(rest);
            said.clear();
        } else if let Some(rest) = t.strip_prefix("<<< ") {
            said.push_str(rest);
            said.push('\n');
        } else if let Some((address, rest)) = recipient_line(t) {
            if recipients.iter().any(|r| r.address.eq_ignore_ascii_case(&address)) {
                continue;
            }
            let r = if said.is_empty() {
                // `554 <a@b>... 550 Host unknown`: the reply the line ends with, else the line.
                let own = rest.split_whitespace().next().is_some_and(|w| w.len() == 3 && w.parse::<u16>().is_ok());
                text::recipient_with(address, if own { rest } else { t }, None, None)
            } else {
                text::recipient_with(address, &said, host.clone(), command.clone())
            };
            recipients.push(r);
            said.clear();
        }
    }
    Some(text::report("v5sendmail", recipients, text::original(msg)))
}

/// `554 <kijitora@example.org>... Remote protocol error` → the address and the text after `...`.
fn recipient_line(line: &str) -> Option<(String, &str)> {
    let (code, rest) = line.split_once(' ')?;
    if code.len() != 3 || code.parse::<u16>().is_err() {
        return None;
    }
    let (who, text) = rest.split_once("...")?;
    if !who.trim_start().starts_with('<') {
        return None;
    }
    Some((text::clean_address(who.trim())?, text.trim()))
}

/// The command of a `>>> ` line (also of Sendmail 8's and Courier's transcripts).
pub(crate) fn smtp_command(line: &str) -> Option<String> {
    let upper = line.to_ascii_uppercase();
    let c = [("RCPT", "RCPT TO"), ("MAIL", "MAIL FROM"), ("DATA", "DATA"), ("HELO", "HELO"), ("EHLO", "EHLO")]
        .into_iter()
        .find(|(w, _)| upper.starts_with(w))?
        .1;
    Some(c.to_string())
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    const BOUNCE: &str = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n\
To: alice@example.org\nSubject: Returned mail: User unknown\n\n\
   ----- Transcript of session follows -----\n\
While talking to mx.example.net:\n\
>>> RCPT To:<bob@example.net>\n\
<<< 550 <bob@example.net>, User Unknown\n\
550 <bob@example.net>... User unknown\n\
550 example.com (smtp)... 550 Host unknown\n\
554 <carol@example.com>... 550 Host unknown (Authoritative answer from name server)\n\
554 <dave@example.edu>... Remote protocol error\n\n\
   ----- Unsent message follows -----\n\
From: alice@example.org\nTo: bob@example.net\nSubject: 421 4.4.1\n\nhi\n";

    #[test]
    fn v5sendmail_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "v5sendmail");
        assert_eq!(r.recipients.len(), 3);
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
        let carol = &r.recipients[1];
        assert_eq!(carol.address, "carol@example.com");
        assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert!(carol.remote_mta.is_none());
        // Its own line's code, the only one there is.
        assert_eq!(r.recipients[2].reply.as_ref().unwrap().code().unwrap().value(), 554);
    }

    #[test]
    fn needs_both_markers() {
        // Without its second marker it is not this format; the general fallback still reads it
        // as the bounce it is.
        let other = BOUNCE.replace("Unsent message follows", "Something else");
        let r = parse_bounce(other.as_bytes()).unwrap();
        assert_eq!(r.format, "fallback");
        let got: Vec<_> = r.recipients.iter().map(|x| (x.address.as_str(), x.reason)).collect();
        assert_eq!(
            got[..2],
            [("bob@example.net", crate::Reason::UserUnknown), ("carol@example.com", crate::Reason::HostUnknown)]
        );
        assert_eq!(got[2].0, "dave@example.edu");
    }

    /// Sendmail 8's way of naming the host, and CRLF line ends.
    #[test]
    fn v5sendmail_sendmail8_transcript() {
        let email = BOUNCE
            .replace("While talking to mx.example.net:", "... while talking to mx.example.net.:")
            .replace('\n', "\r\n");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "v5sendmail");
        assert_eq!(r.recipients[0].remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(r.recipients[0].reason, crate::Reason::UserUnknown);
    }

    /// Only the header returned; and Sendmail 8.7's layout is left to sendmail.rs.
    #[test]
    fn v5sendmail_header_only_and_later_layout() {
        let email = BOUNCE.replace("----- Unsent message follows -----", "----- Message header follows -----");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "v5sendmail");
        assert_eq!(r.recipients.len(), 3);
        let later = BOUNCE.replace(
            "----- Transcript of session follows -----",
            "The original message was received at Fri, 1 Mar 2024 10:00:00 +0900\n\n----- Transcript of session follows -----",
        );
        let r = parse_bounce(later.as_bytes()).unwrap();
        assert_eq!(r.format, "sendmail");
    }
}
