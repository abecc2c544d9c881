//! Notices of the fml mailing-list manager (`X-MLServer: fml …`, `From: LIST-admin@…`): the list
//! refusing a post (`You are not a member of this mailing list <list@example.org>.`) or stopping
//! a loop (`Duplicated Message-ID in <list@example.org>.`), the address in angle brackets being
//! the list's, and the message after `Original mail as follows:`. The text has no SMTP reply:
//! the reason is the text rules' reading of the notice.
//!
//! Source: sisimai/p5-sisimai lib/Sisimai/Lhost/FML.pm (peer).

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const COPY_MARKERS: &[&str] = &["Original mail as follows:"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let server = text::raw_header(msg, "x-mlserver")?;
    if !server.trim_start().to_ascii_lowercase().starts_with("fml") || !text::from_local(msg).ends_with("-admin") {
        return None;
    }
    let body = email.body();
    let head = text::cut(body, COPY_MARKERS);
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in head.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let named = match (line.find('<'), line.rfind('>')) {
            (Some(a), Some(b)) if a < b => line.get(a..=b).and_then(text::clean_address),
            _ => None,
        };
        match (named, blocks.last_mut()) {
            (Some(address), _) => blocks.push((address, format!("{line}\n"))),
            (None, Some((_, block))) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, None) => {}
        }
    }
    let recipients = blocks
        .into_iter()
        .map(|(address, block)| {
            let mut r = text::recipient(address, &block);
            r.action.get_or_insert_with(|| "failed".to_string());
            r
        })
        .collect();
    Some(text::report("fml", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn fml_not_member() {
        let email = "From: cats-admin@example.org\nX-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]\n\
Subject: You alice@example.net are not member (cats ML)\n\n\
You are not a member of this mailing list <cats@example.org>.\n\n\
If you know the general guide of this list, please send mail with\nthe mail body\n\n\tguide\n\n\
to the address\n\n\tcats-ctl@example.org\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "fml");
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "cats@example.org");
        assert!(r.recipients[0].reply.is_none());
        let other = email.replace("X-MLServer: fml", "X-MLServer: other");
        assert!(parse_bounce(other.as_bytes()).is_err());
    }
}
