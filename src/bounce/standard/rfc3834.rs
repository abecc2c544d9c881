//! Auto-replies (RFC 3834): vacation and out-of-office messages, recognised by their headers
//! alone: `Auto-Submitted: auto-replied` or `auto-generated` (RFC 3834 §5), `X-Autoreply`,
//! `X-Autorespond`, `Precedence: auto_reply` and Apple's `X-Apple-Action: vacation`.
//!
//! Mail clients that write none of these (Outlook's "Automatic reply:") are recognised by the
//! subject, in the clients' languages (`recognition.rs`, `data/recognition.toml`).
//!
//! Bounces carry `Auto-Submitted` too, so this extractor runs after the formats and declines
//! any email that is a report (`multipart/report`), has a bounce's subject, or comes from a
//! bounce's sender (`MAILER-DAEMON`, `postmaster`, "Mail Delivery System"; not people on
//! holiday). The one recipient is the auto-reply's
//! `From`; the original message is the one its `In-Reply-To` names, sent by its `To`.

use crate::bounce::fields;
use crate::bounce::mime;
use crate::bounce::{BounceRecipient, BounceReport, Email, OriginalMessage};
use crate::classify::{Bounce, Reason};

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let root = msg.parts.first()?;
    if mime::mime_type(root).starts_with("multipart/report") {
        return None;
    }
    let raw = |name: &str| mime::header(mime::root_headers(msg), name).and_then(|h| mime::raw_value(msg, h));
    let token = |name: &str| raw(name).as_deref().and_then(fields::token);
    let auto = token("auto-submitted").is_some_and(|v| v == "auto-replied" || v == "auto-generated")
        || token("x-autoreply").is_some_and(|v| v != "no")
        || raw("x-autorespond").is_some()
        || token("precedence").is_some_and(|v| v == "auto_reply")
        || token("x-apple-action").is_some_and(|v| v == "vacation");
    let sig = email.signals();
    // `Auto-Submitted: no` says a person wrote it (RFC 3834 §5), whatever its subject.
    let by_subject = sig.auto_reply() && token("auto-submitted").is_none_or(|v| v != "no");
    if !(auto || by_subject) || sig.daemon() || sig.bounce_subject() {
        return None;
    }
    let from = mime::addresses(msg, "from").into_iter().next()?;
    let attached = msg.parts.iter().enumerate().skip(1).find(|(_, p)| {
        matches!(mime::mime_type(p).as_str(), "message/rfc822" | "message/global" | "text/rfc822-headers")
    });
    let original = match attached {
        Some((_, part)) => mime::original_from_part(part),
        None => OriginalMessage {
            message_id: mime::header_text(msg, "in-reply-to").map(|id| id.trim_matches(['<', '>']).to_string()),
            from: mime::addresses(msg, "to").into_iter().next(),
            to: vec![from.clone()],
            subject: None,
            x_headers: Vec::new(),
        },
    };
    Some(BounceReport {
        kind: crate::bounce::ReportKind::Bounce,
        format: "rfc3834",
        reporting_mta: None,
        arrival_date: None,
        feedback_type: None,
        recipients: vec![BounceRecipient::bare(from, Reason::Vacation, Bounce::None)],
        original,
    })
}
