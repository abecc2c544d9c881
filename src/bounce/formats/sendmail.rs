//! Sendmail 8's bounce and warning read from their text alone: a report whose
//! `message/delivery-status` part is missing (Sendmail built without DSN, a relay that kept
//! only the text, a report forwarded as text). The wording is `errbody()` in sendmail/savemail.c
//! (sendmail 8.12 to 8.18, arnt/sendmail-smtputf8; the same since 8.7):
//! - a warning (nothing failed for good yet) opens with a box, `**      THIS IS A WARNING
//!   MESSAGE ONLY      **` / `**  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **`;
//! - `The original message was received at DATE` and `from HOST [IP]`;
//! - up to three lists, each under its own line: `----- The following addresses had permanent
//!   fatal errors -----` (each address on a line of its own, then `    (reason: 550 5.1.1
//!   User unknown)` and `    (expanded from: <alias>)`), `----- The following addresses had
//!   transient non-fatal errors -----`, `----- The following addresses had successful delivery
//!   notifications -----` (`address  (successfully delivered to mailbox)`);
//! - `----- Transcript of session follows -----`, the transcript: `... while talking to
//!   mx.example.net.:` opens an SMTP conversation, `>>> RCPT To:<…>` is what Sendmail sent,
//!   `<<< 550 5.1.1 …` what the host replied, and a line `550 5.1.1 <bob@example.net>... User
//!   unknown` (`<bob@example.net>... Deferred: Connection timed out with mx.example.net.` in a
//!   warning) reports one recipient;
//! - the returned message after `----- Original message follows -----` or `----- Message header
//!   follows -----`.
//!
//! The subjects (`Returned mail: see transcript for details`, `Warning: could not send message
//! for past 4 hours`) are not needed. A recipient's reply is the host's (`<<<`) reply in the
//! transcript, else its `(reason: …)`, else its own transcript line. Recipients of the
//! transient list (of a warning) are delayed and soft; of the successful list delivered.
//!
//! Sendmail 5 and early 8 (`----- Unsent message follows -----`) are `v5sendmail.rs`; a report
//! whose delivery-status fields were pasted into the text is left to `rfc3464`.

use crate::bounce::fields;
use crate::bounce::formats::v5sendmail::smtp_command;
use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};
use std::collections::HashMap;

/// The three list headings, with the action of their recipients.
const LISTS: &[(&str, &str)] = &[
    ("The following addresses had permanent fatal errors", "failed"),
    ("The following addresses had transient non-fatal errors", "delayed"),
    ("The following addresses had successful delivery notifications", "delivered"),
];
const RECEIVED: &str = "The original message was received at";
const WARNING: &str = "THIS IS A WARNING MESSAGE ONLY";
const TRANSCRIPT: &[&str] =
    &["----- Transcript of session follows -----", "----- Transcript of session is unavailable"];
/// Where the report's text ends.
const END_MARKERS: &[&str] = &[
    "----- Original message follows -----",
    "----- Message header follows -----",
    "----- Unsent message follows -----",
    "----- No message was collected -----",
    "Content-Type: message/rfc822",
    "Content-Type: text/rfc822-headers",
];
/// Most recipients read from one report (Sendmail lists each once).
const MAX_RECIPIENTS: usize = 10_000;

/// What the transcript says about one recipient.
#[derive(Default, Clone)]
struct Said {
    /// The host's replies (`<<<` lines) since the previous recipient line.
    replies: String,
    /// The recipient's own line, after the address (`User unknown`, `Deferred: …`), with its
    /// code and status when it starts with them.
    own: String,
    host: Option<String>,
    command: Option<String>,
}

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let listed = LISTS.iter().any(|(m, _)| text::contains(body, m));
    let transcript_at = TRANSCRIPT.iter().filter_map(|m| text::find(body, m)).min();
    if !(listed || (transcript_at.is_some() && text::contains(body, RECEIVED))) {
        return None;
    }
    // The delivery-status fields pasted into the text (a report that lost its MIME header):
    // rfc3464 reads them.
    if fields::find_field(body, &["reporting-mta", "final-recipient"]).is_some() {
        return None;
    }
    let head = text::cut(body, END_MARKERS);
    let warning = text::contains(head, WARNING);
    let transcript = transcript_at.and_then(|at| head.get(at..)).unwrap_or_default();
    let said = read_transcript(transcript);
    let by_address: HashMap<String, &Said> = said.iter().map(|(a, s)| (a.to_ascii_lowercase(), s)).collect();
    let mut recipients: Vec<BounceRecipient> = Vec::new();
    for (address, action, details) in read_lists(head) {
        let none = Said::default();
        let s = by_address.get(&address.to_ascii_lowercase()).copied().unwrap_or(&none);
        let reason = details
            .lines()
            .find_map(|l| l.trim().strip_prefix("(reason: "))
            .map(|r| r.strip_suffix(')').unwrap_or(r).to_string());
        let mut r = if !s.replies.is_empty() {
            text::recipient_with(address, &s.replies, s.host.clone(), s.command.clone())
        } else if let Some(reason) = reason {
            text::recipient_with(address, &reason, s.host.clone(), s.command.clone())
        } else if !s.own.is_empty() {
            text::recipient_with(address, &s.own, s.host.clone(), s.command.clone())
        } else {
            text::recipient_from_reply(address, None, &details, action == "delayed")
        };
        // The alias the address was expanded from is the one the sender wrote (RFC 3464
        // Original-Recipient; GNU Mailman's SimpleMatch reads both as failed).
        r.original_recipient = details
            .lines()
            .find_map(|l| l.trim().strip_prefix("(expanded from:"))
            .and_then(|a| text::clean_address(a.trim()))
            .filter(|a| !a.eq_ignore_ascii_case(&r.address));
        set_action(&mut r, action);
        recipients.push(r);
    }
    if recipients.is_empty() && !listed {
        // No lists (a warning or an old 8.x report): the transcript's recipient lines.
        for (address, s) in said {
            let text = if s.replies.is_empty() { &s.own } else { &s.replies };
            let deferred = s.own.contains("Deferred");
            let mut r = text::recipient_with(address, text, s.host.clone(), s.command.clone());
            set_action(&mut r, if warning || deferred { "delayed" } else { "failed" });
            recipients.push(r);
        }
    }
    Some(text::report("sendmail", recipients, text::original(msg)))
}

/// The action of a recipient from the list it is in (a delayed one soft).
fn set_action(r: &mut BounceRecipient, action: &str) {
    if action == "delayed" {
        text::mark_delayed(r);
    } else {
        r.action = Some(action.to_string());
    }
}

/// The recipients of the lists, in order: `(address, action, detail lines)`.
fn read_lists(head: &str) -> Vec<(String, &'static str, String)> {
    let mut out: Vec<(String, &'static str, String)> = Vec::new();
    let mut current: Option<&'static str> = None;
    let mut seen = std::collections::HashSet::new();
    for line in head.lines() {
        let trimmed = line.trim();
        if let Some((_, action)) = LISTS.iter().find(|(m, _)| trimmed.contains(m)) {
            current = Some(action);
            continue;
        }
        let Some(action) = current else { continue };
        if trimmed.is_empty() || trimmed.starts_with("-----") {
            current = None;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, _, details)) = out.last_mut().filter(|(_, _, d)| d.len() < text::MAX_BLOCK) {
                details.push_str(trimmed);
                details.push('\n');
            }
            continue;
        }
        // `<bob@example.net>`, `bob@example.net  (successfully delivered to mailbox)`; a
        // program or file (`|/usr/bin/x`) names no mailbox.
        let first = trimmed.split_whitespace().next().unwrap_or_default();
        let action = match trimmed.get(first.len()..).map(str::trim) {
            Some(rest) if action == "delivered" && rest.contains("relayed") => "relayed",
            Some(rest) if action == "delivered" && rest.contains("expanded") => "expanded",
            _ => action,
        };
        // Each address once (Sendmail lists each once; a repeated one would only copy text).
        if let Some(address) = text::clean_address(first)
            && out.len() < MAX_RECIPIENTS
            && seen.insert(address.to_ascii_lowercase())
        {
            out.push((address, action, String::new()));
        }
    }
    out
}

/// What the transcript says about each recipient (each address once, as first written), in the
/// order of their lines.
fn read_transcript(transcript: &str) -> Vec<(String, Said)> {
    let mut out: Vec<(String, Said)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let (mut host, mut command, mut replies) = (None::<String>, None::<String>, String::new());
    for line in transcript.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("... while talking to ").or_else(|| t.strip_prefix("While talking to ")) {
            let h = rest.trim_end_matches(':').trim_end_matches('.').trim();
            host = (!h.is_empty()).then(|| h.to_string());
            command = None;
            replies.clear();
        } else if let Some(rest) = t.strip_prefix(">>> ") {
            command = smtp_command(rest);
            replies.clear();
        } else if let Some(rest) = t.strip_prefix("<<< ") {
            if replies.len() < text::MAX_BLOCK {
                replies.push_str(rest);
                replies.push('\n');
            }
        } else if let Some((address, own)) = recipient_line(t) {
            let key = address.to_ascii_lowercase();
            if index.contains_key(&key) || out.len() >= MAX_RECIPIENTS {
                replies.clear();
                continue;
            }
            index.insert(key, out.len());
            let said =
                Said { replies: std::mem::take(&mut replies), own, host: host.clone(), command: command.clone() };
            out.push((address, said));
        }
    }
    out
}

/// `550 5.1.1 <bob@example.net>... User unknown` → the address and `550 5.1.1 User unknown`;
/// `<bob@example.net>... Deferred: Connection timed out` → the address and the text.
fn recipient_line(line: &str) -> Option<(String, String)> {
    let (before, after) = line.split_once("... ")?;
    let mut words: Vec<&str> = before.split_whitespace().collect();
    let who = words.pop()?;
    let address = text::clean_address(who)?;
    // What is left in front of the address is the code and status, if anything.
    let codes = words.iter().all(|w| w.bytes().all(|b| b.is_ascii_digit() || b == b'.')) && words.len() <= 2;
    if !codes {
        return None;
    }
    let mut own = words.join(" ");
    if !own.is_empty() {
        own.push(' ');
    }
    own.push_str(text::prefix(after.trim(), text::MAX_BLOCK));
    Some((address, own))
}

#[cfg(test)]
mod tests {
    use crate::bounce::seen;
    use crate::parse_bounce;
    use crate::{Bounce, Reason};

    const BOUNCE: &str = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n\
To: alice@example.org\nSubject: Returned mail: see transcript for details\n\n\
The original message was received at Fri, 1 Mar 2024 10:00:00 +0900\n\
from client.example.org [192.0.2.20]\n\n\
\x20  ----- The following addresses had permanent fatal errors -----\n\
<bob@example.net>\n\
\x20   (reason: 550 5.1.1 <bob@example.net>... User unknown)\n\
carol@example.com\n\
\x20   (reason: 550 5.1.2 Host unknown)\n\
\x20   (expanded from: <c@example.org>)\n\n\
\x20  ----- Transcript of session follows -----\n\
... while talking to mx.example.net.:\n\
>>> RCPT To:<bob@example.net>\n\
<<< 550 5.1.1 <bob@example.net>... User unknown\n\
550 5.1.1 <bob@example.net>... User unknown\n\
550 5.1.2 carol@example.com... Host unknown (Name server: example.com: host not found)\n\n\
\x20  ----- Original message follows -----\n\n\
From: alice@example.org\nSubject: 452 4.2.2 <x@example.net>... Deferred\n\nhi\n";

    #[test]
    fn sendmail_without_dsn_part() {
        for email in [BOUNCE.to_string(), BOUNCE.replace('\n', "\r\n")] {
            let r = parse_bounce(email.as_bytes()).unwrap();
            assert_eq!(r.format, "sendmail");
            assert_eq!(r.recipients.len(), 2);
            let bob = &r.recipients[0];
            assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
            assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
            assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
            assert_eq!(bob.action.as_deref(), Some("failed"));
            let carol = &r.recipients[1];
            assert_eq!(seen(carol), ("carol@example.com", Some(550), Some("5.1.2".into()), Reason::HostUnknown));
            assert_eq!(carol.bounce, Bounce::Hard);
        }
    }

    /// The warning: the box, the transient list, a deferral in the transcript.
    #[test]
    fn sendmail_warning() {
        let email = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n\
Subject: Warning: could not send message for past 4 hours\n\n\
\x20   **********************************************\n\
\x20   **      THIS IS A WARNING MESSAGE ONLY      **\n\
\x20   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n\
\x20   **********************************************\n\n\
The original message was received at Fri, 1 Mar 2024 10:00:00 +0900\n\
from client.example.org [192.0.2.20]\n\n\
\x20  ----- The following addresses had transient non-fatal errors -----\n\
<dave@example.net>\n\n\
\x20  ----- Transcript of session follows -----\n\
<dave@example.net>... Deferred: Connection timed out with mx.example.net.\n\
Warning: message still undelivered after 4 hours\n\
Will keep trying until message is 5 days old\n\n\
\x20  ----- Message header follows -----\n\nSubject: hi\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "sendmail");
        let dave = &r.recipients[0];
        assert_eq!(dave.address, "dave@example.net");
        assert_eq!(dave.action.as_deref(), Some("delayed"));
        assert_eq!(dave.bounce, Bounce::Soft);
        // Without the lists: the transcript's line, delayed by the box.
        let bare = email.replace(
            "   ----- The following addresses had transient non-fatal errors -----\n<dave@example.net>\n\n",
            "",
        );
        let r = parse_bounce(bare.as_bytes()).unwrap();
        assert_eq!(r.format, "sendmail");
        assert_eq!(r.recipients[0].address, "dave@example.net");
        assert_eq!(r.recipients[0].action.as_deref(), Some("delayed"));
    }

    /// A return receipt: delivered.
    #[test]
    fn sendmail_delivery_notification() {
        let email = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n\
Subject: Return receipt\n\n\
The original message was received at Fri, 1 Mar 2024 10:00:00 +0900\n\
from client.example.org [192.0.2.20]\n\n\
\x20  ----- The following addresses had successful delivery notifications -----\n\
<bob@example.net>  (successfully delivered to mailbox)\n\n\
\x20  ----- Transcript of session follows -----\n\
<bob@example.net>... Successfully delivered\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert_eq!(r.recipients[0].action.as_deref(), Some("delivered"));
    }

    /// Ordinary mail quoting a Sendmail bounce is not one.
    #[test]
    fn sendmail_quoted_in_ordinary_mail() {
        let email = "From: alice@example.org\nSubject: Re: returned mail\n\n\
> The original message was received at Fri, 1 Mar 2024 10:00:00 +0900\n\
>    ----- The following addresses had permanent fatal errors -----\n\
> <bob@example.net>\n\
>     (reason: 550 5.1.1 User unknown)\n\n\
>    ----- Transcript of session follows -----\n\
> 550 5.1.1 <bob@example.net>... User unknown\n\nIs Bob gone?\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }

    /// A reply without an enhanced status, and a local failure with no transcript line.
    #[test]
    fn sendmail_plain_reply() {
        let email = BOUNCE.replace(
            "<<< 550 5.1.1 <bob@example.net>... User unknown\n550 5.1.1 <bob@example.net>... User unknown\n",
            "<<< 550 <bob@example.net>... No such user\n550 <bob@example.net>... No such user\n",
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), None, Reason::UserUnknown));
    }

    /// Many recipients, and one address repeated, cost what their text does.
    #[test]
    fn many_recipients_linear() {
        let mut email = String::from(
            "From: MAILER-DAEMON@mx.example.org\nSubject: Returned mail\n\n\
The original message was received at Fri, 1 Mar 2024 10:00:00 +0900\n\n\
\x20  ----- The following addresses had permanent fatal errors -----\n",
        );
        for i in 0..20_000 {
            email.push_str(&format!("<u{i}@example.com>\n    (reason: 550 5.1.1 User unknown)\n"));
        }
        email.push_str(&"<bob@example.net>\n".repeat(20_000));
        email.push_str("\n   ----- Transcript of session follows -----\n");
        email.push_str(&format!("550 5.1.1 <bob@example.net>... {}\n", "x".repeat(1_000_000)));
        let t = std::time::Instant::now();
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients.len(), 10_000);
        assert!(t.elapsed().as_secs() < 30, "took {:?}", t.elapsed());
    }
}
