//! Google Groups' refusal of a post (`Mail Delivery Subsystem <mailer-daemon@googlemail.com>`,
//! `Subject: Delivery Status Notification (Failure)`): the group named in `X-Failed-Recipients`,
//! a localised text (`We're writing to let you know that the group you tried to contact (NAME)
//! may not exist, or you may not have permission to post messages to the group.`) that points
//! to the Google Groups help centre at `groups.google.com`, and the returned message after
//! `----- Original message -----`. The text has no SMTP reply: the reason comes from its wording;
//! when the text rules do not read the language it is written in, from the same notice's English
//! wording (Google's fixed text, translated).
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/GoogleGroups.pm (peer).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};
use crate::classify::{Reason, classify_text};

const HELP: &str = "groups.google.com";
const COPY_MARKERS: &[&str] = &["----- Original message -----"];
/// The notice in English, for the verdict on a translation the text rules do not read.
const ENGLISH: &str =
    "The group you tried to contact may not exist, or you may not have permission to post messages to the group.";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    if text::from_local(msg) != "mailer-daemon" || !text::subject(msg).contains("Delivery Status Notification") {
        return None;
    }
    let failed = text::raw_header(msg, "x-failed-recipients")?;
    let body = email.body();
    let head = text::cut(body, COPY_MARKERS);
    if !text::contains(head, HELP) {
        return None;
    }
    let recipients = failed
        .split(',')
        .filter_map(text::address_in)
        .map(|address| {
            let mut r = text::recipient_with(address, head, None, None);
            r.action = Some("failed".to_string());
            if r.reply.is_none() && r.reason == Reason::Undefined {
                let c = classify_text(ENGLISH, false);
                (r.reason, r.bounce) = (c.reason, c.bounce);
            }
            r
        })
        .collect();
    Some(text::report("googlegroups", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    const BOUNCE: &str = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\
To: alice@example.org\n\
Subject: Delivery Status Notification (Failure)\n\
X-Failed-Recipients: cats@googlegroups.com\n\
Auto-Submitted: auto-replied\n\n\
Hello alice@example.org,\n\n\
We're writing to let you know that the group you tried to contact (cats) may not exist, or you \
may not have permission to post messages to the group. A few more details on why you weren't able to post:\n\n\
 * You might have spelled or formatted the group name incorrectly.\n\
 * You may need to join the group before receiving permission to post.\n\n\
If you have questions related to this or any other Google Group, visit the Help Center at \
https://groups.google.com/support/.\n\nThanks,\n\nGoogle Groups\n\n\
----- Original message -----\n\nFrom: alice@example.org\nSubject: 550 5.1.1\n\nhi\n";

    #[test]
    fn google_groups_refusal() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "googlegroups");
        assert_eq!(r.recipients.len(), 1);
        let g = &r.recipients[0];
        assert_eq!(g.address, "cats@googlegroups.com");
        // No code or status in the text (the one in the returned message is not read).
        assert!(g.reply.is_none());
        assert!(g.status.is_none());
        assert_ne!(g.reason, crate::Reason::Undefined);
        // A translation reads as the English notice does.
        let head = BOUNCE.split("Hello").next().unwrap();
        let translated = format!(
            "{head}Hallo,\n\nDie Gruppe existiert vielleicht nicht.\n\nhttps://groups.google.com/support/\n\n----- Original message -----\n"
        );
        let t = parse_bounce(translated.as_bytes()).unwrap();
        assert_eq!(t.recipients[0].reason, g.reason);
    }

    #[test]
    fn not_without_the_help_link() {
        let other = BOUNCE.replace("groups.google.com", "support.example.com");
        assert!(parse_bounce(other.as_bytes()).map_or(true, |r| r.format != "googlegroups"));
    }
}
