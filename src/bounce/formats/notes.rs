//! Lotus Notes' (HCL Domino's SMTP MTA) bounce: `Subject: Undeliverable message`, the reason
//! after `------- Failure Reasons --------` (`User not listed in public Name & Address Book`,
//! or a translation of it) followed by the recipient's address alone on a line, and the
//! returned message after `------- Returned Message --------`. The text has no SMTP reply; a
//! Japanese server's notice is read as the English one it translates.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};
use crate::classify::{Reason, classify_text};

const START: &str = "------- Failure Reasons";
const COPY_MARKERS: &[&str] = &["------- Returned Message"];
/// Notes' notices in other languages and the English ones they translate.
/// The Japanese one also as its ISO-2022-JP bytes, for a body whose charset was not decoded
/// (mail-parser decodes ISO-2022-JP only with its `full_encoding` feature).
const TRANSLATIONS: &[(&str, &str)] = &[
    ("ディレクトリのリストにありません", "User not listed in public Name & Address Book"),
    ("\u{1b}$B%G%#%l%/%H%j$N%j%9%H$K$\"$j$^$;$s\u{1b}(B", "User not listed in public Name & Address Book"),
];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    if !text::subject(msg).starts_with("Undeliverable message") {
        return None;
    }
    let body = email.body();
    let at = text::find(body, START)?;
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
                let mut r = text::recipient(address, &reason);
                if r.reply.is_none() && r.reason == Reason::Undefined {
                    let english = TRANSLATIONS.iter().find(|(t, _)| text::contains(&reason, t)).map(|(_, e)| *e);
                    if let Some(e) = english {
                        let c = classify_text(e, false);
                        (r.reason, r.bounce) = (c.reason, c.bounce);
                    }
                }
                r.action = Some("failed".to_string());
                recipients.push(r);
                reason.clear();
            }
            None => {
                reason.push_str(t);
                reason.push('\n');
            }
        }
    }
    Some(text::report("notes", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
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
        assert_eq!(bob.address, "bob@example.org");
        assert!(bob.reply.is_none());
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
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
        assert_eq!(r.recipients[0].reason, crate::Reason::UserUnknown);
    }
}
