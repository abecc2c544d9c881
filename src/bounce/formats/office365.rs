//! The non-delivery report of Office 365 / Exchange Online (and Exchange Server 2010 and later)
//! read from its text, when it comes without a `message/delivery-status` part: `Delivery has
//! failed to these recipients or groups:`, each recipient (`bob@example.net<mailto:…>`) with a
//! user-facing explanation, then `Diagnostic information for administrators:`, `Generating
//! server: HOST`, and per recipient its address alone on a line followed by `Remote Server
//! returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; …'` (or Exchange's own `'< #5.1.1
//! smtp;550 …>'`), then `Original message headers:`.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const OPENING: &str = "Delivery has failed to these recipients or groups:";
const DIAGNOSTIC: &str = "Diagnostic information for administrators:";
const GENERATING: &str = "Generating server:";
const COPY_MARKERS: &[&str] = &["Original message headers:"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, OPENING)?;
    let head = text::cut(body.get(at + OPENING.len()..)?, COPY_MARKERS);
    let (summary, diagnostic) = match text::find(head, DIAGNOSTIC) {
        Some(i) => (head.get(..i)?, head.get(i + DIAGNOSTIC.len()..)?),
        None => (head, ""),
    };
    let mut blocks = blocks(diagnostic);
    if blocks.is_empty() {
        blocks = self::blocks(summary);
    }
    let recipients = blocks
        .into_iter()
        .map(|(address, block)| {
            // `smtp;550 5.1.1 …`: the reply after Exchange's type, made a word of its own.
            let block = block.replace(";", "; ");
            text::recipient(address, &block)
        })
        .collect();
    let mut report = text::report("office365", recipients, text::original(msg));
    report.reporting_mta = diagnostic
        .lines()
        .find_map(|l| l.trim().strip_prefix(GENERATING))
        .map(str::trim)
        .filter(|h| !h.is_empty() && !h.contains(' '))
        .map(String::from);
    Some(report)
}

/// Per recipient, the text under the line that names it alone (`bob@example.net`,
/// `bob@example.net<mailto:bob@example.net>`), up to the next such line.
fn blocks(section: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in section.lines() {
        let t = line.trim();
        if t.starts_with(GENERATING) {
            continue;
        }
        if !t.contains(' ')
            && let Some(a) = text::clean_address(t)
        {
            out.push((a, String::new()));
        } else if let Some((_, block)) = out.last_mut() {
            block.push_str(t);
            block.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const BOUNCE: &str = "From: <postmaster@example.org>\nSubject: Undeliverable: hi\n\n\
Delivery has failed to these recipients or groups:\n\n\
bob@example.net<mailto:bob@example.net>\n\
The email address wasn't found at the destination domain.\n\n\
carol@example.net<mailto:carol@example.net>\n\
The recipient's mailbox is full.\n\n\
Diagnostic information for administrators:\n\n\
Generating server: AB1PR01MB0001.example.prod.outlook.com\n\n\
bob@example.net\n\
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n\n\
carol@example.net\n\
Remote Server returned '< #5.2.2 smtp;554 5.2.2 mailbox full>'\n\n\
Original message headers:\n\n\
From: alice@example.org\nTo: bob@example.net\nSubject: 421 4.7.0\n";

    #[test]
    fn office365_ndr() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "office365");
        assert_eq!(r.reporting_mta.as_deref(), Some("AB1PR01MB0001.example.prod.outlook.com"));
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.10".into()), Reason::UserUnknown));
        let carol = &r.recipients[1];
        assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 554);
        assert_eq!(carol.reason, crate::Reason::MailboxFull);
    }

    #[test]
    fn office365_summary_only() {
        let email = BOUNCE.split("Diagnostic information").next().unwrap().to_string();
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "office365");
        assert_eq!(r.recipients.len(), 2);
        assert!(r.recipients[0].reply.is_none());
    }
}
