//! Abuse and authentication-failure feedback reports (ARF, RFC 5965): a
//! `multipart/report; report-type=feedback-report` whose `message/feedback-report` part says
//! what kind of complaint it is (`Feedback-Type`) and, optionally, to whom the reported message
//! was sent (`Original-Rcpt-To`, RFC 5965 §3.2), else the returned message's `To`. Each
//! recipient is a `feedback`: not a bounce. The recipient is optional and often redacted: a
//! report that names nobody is still a complaint, with no recipients (the returned message's
//! Message-ID and `X-` headers tie it to what was sent).

use crate::bounce::fields;
use crate::bounce::mime;
use crate::bounce::{BounceRecipient, BounceReport, Email};
use crate::classify::{Bounce, Reason};

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    for msg in mime::messages(&email.message) {
        for (i, part) in msg.parts.iter().enumerate() {
            if mime::mime_type(part) != "message/feedback-report" {
                continue;
            }
            let body = mime::body_text(part);
            let fs: Vec<fields::Field> = fields::parse_groups(&body).into_iter().flatten().collect();
            let first = |name: &str| fs.iter().find(|f| f.name == name).map(|f| f.value());
            let original = mime::original_of(msg, i);
            // `Removal-Recipient`: the opt-out reports of the ARF drafts before RFC 5965.
            let mut addresses: Vec<String> = fs
                .iter()
                .filter(|f| f.name == "original-rcpt-to" || f.name == "removal-recipient")
                .filter_map(|f| fields::address(&f.value()))
                .filter(|a| fields::is_mailbox(a))
                .collect();
            if addresses.is_empty() {
                // Only a mailbox: `To: <Undisclosed Recipients>` names nobody.
                addresses = original.to.iter().filter(|a| fields::is_mailbox(a)).cloned().collect();
            }
            let mut seen = Vec::new();
            addresses.retain(|a| {
                let new = !seen.iter().any(|s: &String| s.eq_ignore_ascii_case(a));
                seen.push(a.clone());
                new
            });
            let recipients =
                addresses.into_iter().map(|a| BounceRecipient::bare(a, Reason::Feedback, Bounce::None)).collect();
            return Some(BounceReport {
                kind: crate::bounce::ReportKind::Bounce,
                format: "arf",
                reporting_mta: first("reporting-mta").as_deref().and_then(fields::mta),
                arrival_date: first("arrival-date")
                    .or_else(|| first("received-date"))
                    .as_deref()
                    .and_then(fields::text),
                feedback_type: first("feedback-type").as_deref().and_then(fields::token),
                recipients,
                original,
            });
        }
    }
    None
}
