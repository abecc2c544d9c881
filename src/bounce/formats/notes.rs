//! Lotus Notes' and HCL (IBM) Domino's bounce, in its two layouts:
//!
//! - Notes R4/R5 (`Subject: Undeliverable message`): the reason after `------- Failure Reasons
//!   --------` (`User not listed in public Name & Address Book`, or a translation of it) followed
//!   by the recipient's address alone on a line, and the returned message after `------- Returned
//!   Message --------`;
//! - Domino R6 and later (`Subject: DELIVERY FAILURE: User bob (bob@example.net) not listed in
//!   Domino Directory`, also `DELIVERY_FAILURE:`): `Your message`, `Subject: …`, `was not
//!   delivered to:` with the addresses indented one per line, `because:` with the reason
//!   (`User bob (bob@example.net) not listed in Domino Directory`, `Cannot route mail to user`,
//!   a remote server's reply), then `What should you do?` and its advice.
//!
//! The text has no SMTP reply unless the reason quotes one; the reason's sentence is classified.
//! A Japanese server's notice (ISO-2022-JP, decoded by mail-parser; the undecoded bytes too) and
//! a French one are read as the English sentence they translate. Sources: Domino's report as a
//! real server wrote it, quoted in the Drupal inmail module's parser test (`nouser.eml`: "Your
//! message / Subject: … / was not delivered to: / … / because: / User … (…) not listed in Domino
//! Directory", subject "DELIVERY FAILURE: User … not listed in Domino Directory"); the subject
//! variants and translations as sisimai/p5-sisimai lib/Sisimai/Lhost/Domino.pm and Notes.pm list
//! them (BSD 2-Clause; wording only).

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};
use crate::classify::{Reason, classify_text};

const START: &str = "------- Failure Reasons";
const COPY_MARKERS: &[&str] = &["------- Returned Message"];
/// Notes' and Domino's notices in other languages and the English ones they translate.
/// The Japanese one also as its ISO-2022-JP bytes, for a body whose charset was not decoded.
const TRANSLATIONS: &[(&str, &str)] = &[
    ("ディレクトリのリストにありません", "User not listed in public Name & Address Book"),
    ("\u{1b}$B%G%#%l%/%H%j$N%j%9%H$K$\"$j$^$;$s\u{1b}(B", "User not listed in public Name & Address Book"),
    ("Domino ディレクトリには見つかりません", "not listed in Domino Directory"),
    ("non répertorié dans l'annuaire Domino", "not listed in Domino Directory"),
];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let subject = text::subject(msg);
    let body = email.body();
    let upper = subject.trim_start().to_ascii_uppercase();
    if upper.starts_with("DELIVERY FAILURE:") || upper.starts_with("DELIVERY_FAILURE:") || domino_layout(body) {
        let recipients = domino(body);
        if !recipients.is_empty() {
            return Some(text::report("notes", recipients, text::original(msg)));
        }
    }
    let at = text::find(body, START)?;
    if !subject.starts_with("Undeliverable message") && !COPY_MARKERS.iter().any(|m| text::contains(body, m)) {
        return None;
    }
    let head = text::cut(body.get(at..)?, COPY_MARKERS);
    let mut recipients = Vec::new();
    let mut reason = String::new();
    for line in head.lines().skip(1) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('-') {
            continue;
        }
        match text::clean_address(t).filter(|_| !t.contains(' ')) {
            Some(address) => {
                recipients.push(recipient(address, &reason));
                reason.clear();
            }
            None if reason.len() < text::MAX_BLOCK => {
                reason.push_str(t);
                reason.push('\n');
            }
            None => {}
        }
    }
    Some(text::report("notes", recipients, text::original(msg)))
}

/// A recipient from the reason Notes gives for it: a reply it quotes, else its sentence (or the
/// English one it translates) classified.
fn recipient(address: String, reason: &str) -> BounceRecipient {
    let mut r = text::recipient(address, reason);
    if r.reply.is_none() && r.reason == Reason::Undefined {
        let english = TRANSLATIONS.iter().find(|(t, _)| text::contains(reason, t)).map(|(_, e)| *e);
        if let Some(e) = english {
            let c = classify_text(e, false);
            (r.reason, r.bounce) = (c.reason, c.bounce);
        }
    }
    r.action = Some("failed".to_string());
    r
}

/// True when the body has Domino's lines `was not delivered to:` and `because:`, each alone on a
/// line, after a line `Your message`.
fn domino_layout(body: &str) -> bool {
    let mut seen = 0;
    for line in body.lines().map(str::trim) {
        seen = match (seen, line.to_ascii_lowercase().as_str()) {
            (0, "your message") => 1,
            (1, "was not delivered to:") => 2,
            (2, "because:") => return true,
            (s, _) => s,
        };
    }
    false
}

/// The recipients of Domino's layout: the addresses under each `was not delivered to:`, with
/// the text under the `because:` that follows.
fn domino(body: &str) -> Vec<BounceRecipient> {
    #[derive(PartialEq)]
    enum At {
        Before,
        Addresses,
        Reason,
    }
    let mut out = Vec::new();
    let mut at = At::Before;
    let mut addresses: Vec<String> = Vec::new();
    let mut reason = String::new();
    let mut flush = |addresses: &mut Vec<String>, reason: &mut String| {
        for a in addresses.drain(..) {
            out.push(recipient(a, reason));
        }
        reason.clear();
    };
    for line in body.lines() {
        let t = line.trim();
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "was not delivered to:" => {
                flush(&mut addresses, &mut reason);
                at = At::Addresses;
                continue;
            }
            "because:" if at == At::Addresses => {
                at = At::Reason;
                continue;
            }
            "what should you do?" | "your message" => {
                flush(&mut addresses, &mut reason);
                at = At::Before;
                continue;
            }
            _ => {}
        }
        match at {
            At::Addresses => {
                if let Some(a) = text::clean_address(t).filter(|_| !t.contains(' ')) {
                    addresses.push(a);
                }
            }
            At::Reason if !t.is_empty() && reason.len() < text::MAX_BLOCK => {
                reason.push_str(t);
                reason.push('\n');
            }
            _ => {}
        }
    }
    flush(&mut addresses, &mut reason);
    out
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const BOUNCE: &str = "From: postmaster@gw.example.org\nSubject: Undeliverable message\n\n\
------- Failure Reasons  --------\n\n\
User  not listed in public Name & Address Book\n\
bob@example.org\n\n\n\
------- Returned Message --------\n\
From: alice@example.net\nTo: bob@example.org\nSubject: 550 5.1.1\n\nhi\n";

    #[test]
    fn notes_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "notes");
        assert_eq!(r.recipients.len(), 1);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.org", None, None, Reason::UserUnknown));
        assert_eq!(bob.action.as_deref(), Some("failed"));
    }

    #[test]
    fn notes_japanese() {
        let email =
            BOUNCE.replace("User  not listed in public Name & Address Book", "ディレクトリのリストにありません");
        let email = email.replace(
            "Subject: Undeliverable message\n",
            "Subject: Undeliverable message\nContent-Type: text/plain; charset=UTF-8\n",
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
    }

    const DOMINO: &str = "From: Postmaster@mail.example.org\r\n\
Subject: DELIVERY FAILURE: User bob (bob@example.net) not listed in Domino Directory\r\n\r\n\
Your message\r\n\r\n  Subject: hello\r\n\r\n\
was not delivered to:\r\n\r\n  bob@example.net\r\n\r\n\
because:\r\n\r\n  User bob (bob@example.net) not listed in Domino Directory\r\n\r\n\
What should you do?\r\n\r\n  * Check the recipient's address and send the message again.\r\n";

    #[test]
    fn domino_report() {
        let r = parse_bounce(DOMINO.as_bytes()).unwrap();
        assert_eq!(r.format, "notes");
        assert_eq!(r.recipients.len(), 1);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", None, None, Reason::UserUnknown));
        assert_eq!(bob.action.as_deref(), Some("failed"));
    }

    #[test]
    fn domino_two_recipients_with_a_reply() {
        let email = "From: Postmaster@mail.example.org\nSubject: Delivery failure notice\n\n\
Your message\n\n  Subject: hello\n\nwas not delivered to:\n\n  bob@example.net\n  carol@example.net\n\n\
because:\n\n  550 5.2.2 Mailbox full\n\n\
Your message\n\n  Subject: hello\n\nwas not delivered to:\n\n  dave@example.net\n\n\
because:\n\n  User dave (dave@example.net) not listed in Domino Directory\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "notes");
        assert_eq!(r.recipients.len(), 3);
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), Some("5.2.2".into()), Reason::MailboxFull));
        assert_eq!(seen(&r.recipients[1]), ("carol@example.net", Some(550), Some("5.2.2".into()), Reason::MailboxFull));
        assert_eq!(seen(&r.recipients[2]), ("dave@example.net", None, None, Reason::UserUnknown));
    }

    #[test]
    fn domino_japanese_iso_2022_jp() {
        // ユーザー bob (bob@example.net) は Domino ディレクトリには見つかりません。 in ISO-2022-JP.
        let reason = b"\x1b$B%f!<%6!<\x1b(B bob (bob@example.net) \x1b$B$O\x1b(B Domino \x1b$B%G%#%l%/%H%j$K$O8+$D$+$j$^$;$s!#\x1b(B";
        let mut email = b"From: Postmaster@mail.example.jp\nSubject: DELIVERY FAILURE:\n\
Content-Type: text/plain; charset=ISO-2022-JP\n\n\
Your message\n\n  Subject: hello\n\nwas not delivered to:\n\n  bob@example.net\n\nbecause:\n\n  "
            .to_vec();
        email.extend_from_slice(reason);
        email.extend_from_slice(b"\n");
        let r = parse_bounce(&email).unwrap();
        assert_eq!(r.format, "notes");
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", None, None, Reason::UserUnknown));
    }

    #[test]
    fn ordinary_mail_quoting_the_phrase() {
        let email = "From: alice@example.org\nTo: bob@example.net\nSubject: DELIVERY FAILURE: what?\n\n\
Bob, my message was not delivered to: your old address, because: it is gone?\n\nalice@example.org\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }
}
