//! Bounce emails: who could not be reached, and why.
//!
//! [`parse_bounce`] reads a whole email (the raw RFC 5322 bytes, MIME parsed by `mail-parser`)
//! and returns one [`BounceRecipient`] per recipient it reports, each with the SMTP reply as
//! [`crate::reply::parse`] reads it and the [`crate::classify::classify`] verdict. The layers:
//! - MIME and field helpers: `mime.rs` (parts, headers, the returned message), `fields.rs`
//!   (RFC 3464 / RFC 5322 field syntax), `text.rs` (the human-readable text: blocks, addresses,
//!   the reply inside free text), `clip.rs` (big emails cut before parsing);
//! - `standard/`: the reports the RFCs define (delivery status notifications, RFC 3464 and
//!   RFC 6533; feedback reports, RFC 5965; auto-replies, RFC 3834);
//! - `formats/`: one file per MTA or service whose report is its own text, each written from
//!   what its generator writes (the file names the source);
//! - `recognition.rs`: whether an email is a report at all, and of which kind ([`ReportKind`]),
//!   from its sender, subject, structure and words (`data/recognition.toml`);
//! - `fallback.rs`: the general reader of any bounce that no format claims;
//! - `registry.rs`: the one list of formats ([`EXTRACTORS`]), in the order they are tried.
//!
//! Limits: the email may be at most [`MAX_EMAIL_BYTES`] long; reports are looked for at most
//! [`MAX_NESTING`] levels of nested messages deep. The work is linear in the input (one
//! MIME parse, one pass over each report body). No input makes it panic. An email over 1 MiB
//! has its attachments and returned message cut before parsing, report and text parts kept
//! whole (`clip.rs`): a 20 MB attachment costs what a small one does. A report that gives one
//! diagnostic to so many recipients that copying it to each would pass 64 MiB is refused with
//! [`Error::ReportTooLarge`] (no real bounce comes near; found by fuzzing).
//!
//! ```
//! let dsn = b"From: MAILER-DAEMON@example.org\r\n\
//! Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
//! --b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n\
//! --b\r\nContent-Type: message/delivery-status\r\n\r\n\
//! Reporting-MTA: dns; mx.example.org\r\n\r\n\
//! Final-Recipient: rfc822; bob@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\
//! Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown\r\n\
//! --b--\r\n";
//! let report = smtpcodes::parse_bounce(dsn).unwrap();
//! assert_eq!(report.format, "rfc3464");
//! let r = &report.recipients[0];
//! assert_eq!(r.address, "bob@example.com");
//! assert_eq!(r.reply.as_ref().unwrap().code().unwrap().value(), 550);
//! assert_eq!(r.reason, smtpcodes::Reason::UserUnknown);
//! ```

mod clip;
mod fallback;
mod fields;
mod formats;
mod mime;
mod recognition;
mod registry;
mod standard;
mod text;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod peers;
#[cfg(test)]
mod tests;

use crate::classify::{Bounce, Classification, Reason};
use crate::error::{Error, Result};
use crate::reply::Reply;
use crate::retry::{Outcome, RetryDecision, RetryPolicy, decide_outcome};
use crate::status::{EnhancedStatus, StatusClass};
use mail_parser::{Message, MessageParser, PartType};

pub use mime::{MAX_MESSAGES, MAX_NESTING};
pub use registry::{EXTRACTORS, Extractor, format_name};

/// The longest email [`parse_bounce`] accepts: 64 MiB. Bounces are small (the returned
/// original is often cut to its headers); the limit bounds memory and time per call, and keeps
/// every offset within mail-parser's 32-bit positions.
pub const MAX_EMAIL_BYTES: usize = 64 * 1024 * 1024;

/// What kind of report an email is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportKind {
    /// A delivery failed (a non-delivery report: RFC 3464 `Action: failed`, or an MTA's text).
    Bounce,
    /// A delivery is late and still being tried (a delay warning: RFC 3464 `Action: delayed`,
    /// Postfix's "THIS IS A WARNING ONLY", Sendmail's "could not send message for past 4
    /// hours"). Nothing is lost yet: soft, retried by the MTA.
    Delay,
    /// Every recipient was delivered, relayed or expanded (a success DSN, a return receipt).
    Delivery,
    /// A complaint: the recipient reported the message as unwanted (ARF, RFC 5965, or a
    /// provider's own feedback-loop format).
    Feedback,
    /// An auto-reply (RFC 3834): vacation, out of office.
    AutoReply,
}

impl ReportKind {
    /// Every kind, in declaration order.
    pub const ALL: [ReportKind; 5] =
        [ReportKind::Bounce, ReportKind::Delay, ReportKind::Delivery, ReportKind::Feedback, ReportKind::AutoReply];

    /// The lower-case name (`bounce`, `delay`, `delivery`, `feedback`, `autoreply`).
    pub fn value(self) -> &'static str {
        match self {
            ReportKind::Bounce => "bounce",
            ReportKind::Delay => "delay",
            ReportKind::Delivery => "delivery",
            ReportKind::Feedback => "feedback",
            ReportKind::AutoReply => "autoreply",
        }
    }

    /// The kind named `value` (as [`ReportKind::value`] writes it).
    pub fn from_value(value: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.value() == value)
    }
}

/// What a bounce email says.
#[derive(Debug, Clone, PartialEq)]
pub struct BounceReport {
    /// The format it was read as: one of the names in [`EXTRACTORS`] (`"rfc3464"`, `"arf"`,
    /// `"rfc3834"`, `"postfix"`, `"exim"`, `"qmail"`, …).
    pub format: &'static str,
    /// What kind of report it is: a bounce, a delay warning, a success report, a complaint or
    /// an auto-reply.
    pub kind: ReportKind,
    /// The MTA that wrote the report (`Reporting-MTA`, without its `dns;` type).
    pub reporting_mta: Option<String>,
    /// When that MTA received the message (`Arrival-Date`; ARF `Arrival-Date`/`Received-Date`).
    pub arrival_date: Option<String>,
    /// ARF (and Amazon SES complaints) only: the `Feedback-Type`, lower case (`abuse`,
    /// `auth-failure`, `fraud`, …).
    pub feedback_type: Option<String>,
    /// One entry per recipient reported, in order; never empty, except for a complaint whose
    /// recipient the feedback loop redacted (RFC 5965 §3.2 makes `Original-Rcpt-To` optional).
    pub recipients: Vec<BounceRecipient>,
    /// The message that bounced, as far as the report returns it.
    pub original: OriginalMessage,
}

/// One recipient of a bounce.
#[derive(Debug, Clone, PartialEq)]
pub struct BounceRecipient {
    /// The address (`Final-Recipient`, else `Original-Recipient`), without type and brackets.
    pub address: String,
    /// `Original-Recipient`, the address as the sender gave it (RFC 3461 ORCPT).
    pub original_recipient: Option<String>,
    /// `Action`, lower case: `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: Option<String>,
    /// `Status`, when it is a valid RFC 3463 enhanced status code.
    pub status: Option<EnhancedStatus>,
    /// `Remote-MTA` (without its `dns;` type), else the host the reply names.
    pub remote_mta: Option<String>,
    /// The `Diagnostic-Code` type (`smtp`, `X-Postfix`, …).
    pub diagnostic_type: Option<String>,
    /// The `Diagnostic-Code` text after the type, unfolded.
    pub diagnostic_text: Option<String>,
    /// The reply: the parsed `Diagnostic-Code`, with the `Status` filled in when it has no
    /// status of its own; or, when the diagnostic does not parse, the `Status` with the
    /// diagnostic text. `None` without either.
    pub reply: Option<Reply>,
    /// The SMTP command the reply answered, when the diagnostic names it.
    pub smtp_command: Option<String>,
    /// Why: [`crate::classify::classify`] of the reply; `Feedback` for ARF, `Vacation` for
    /// auto-replies; `Undefined` without a reply.
    pub reason: Reason,
    /// Hard, soft, none (not a bounce) or unknown.
    pub bounce: Bounce,
    /// `Last-Attempt-Date`, as written.
    pub last_attempt_date: Option<String>,
    /// `Will-Retry-Until`, as written (delayed DSNs).
    pub will_retry_until: Option<String>,
}

impl BounceRecipient {
    /// How the delivery to this recipient ended: what the reply says; without one, the DSN
    /// `Action` (RFC 3464 §2.3.3), else the `Status` class, else the verdict. `feedback_type`
    /// is the report's ([`BounceReport::feedback_type`]): feedback is a complaint or not by
    /// [`Outcome::of_feedback`]; an auto-reply says the message was delivered.
    pub fn outcome(&self, feedback_type: Option<&str>) -> Outcome {
        if let Some(reply) = &self.reply {
            return Outcome::of_reply(reply);
        }
        match self.reason {
            Reason::Feedback => return Outcome::of_feedback(feedback_type),
            Reason::Vacation => return Outcome::Delivered,
            _ => {}
        }
        match self.action.as_deref() {
            Some("delivered" | "relayed" | "expanded") => Outcome::Delivered,
            Some("delayed") => Outcome::Transient,
            Some("failed") => Outcome::Permanent,
            _ => match self.status.map(|s| s.class()) {
                Some(StatusClass::Success) => Outcome::Delivered,
                Some(StatusClass::PersistentTransientFailure) => Outcome::Transient,
                Some(StatusClass::PermanentFailure) => Outcome::Permanent,
                // A bounce that says nothing more is a failure; a soft one may still go through.
                None => match self.bounce {
                    Bounce::Soft => Outcome::Transient,
                    Bounce::None => Outcome::Delivered,
                    Bounce::Hard | Bounce::Unknown => Outcome::Permanent,
                },
            },
        }
    }

    /// What to do about this recipient ([`crate::decide`]): from its reply when it has one,
    /// else from its [`BounceRecipient::outcome`] and the report's verdict, so that every
    /// recipient of a report gets a decision.
    pub fn decide(
        &self,
        feedback_type: Option<&str>,
        attempt: u32,
        elapsed: Option<u64>,
        policy: &RetryPolicy,
    ) -> RetryDecision {
        if let Some(reply) = &self.reply {
            return crate::retry::decide(reply, attempt, elapsed, policy);
        }
        let what = self.status.map_or_else(|| "no reply".to_string(), |s| s.to_string());
        decide_outcome(self.outcome(feedback_type), self.verdict(), &what, attempt, elapsed, policy)
    }

    /// The report's verdict on this recipient (`reason`, `bounce`) as a classification.
    pub fn verdict(&self) -> Classification {
        Classification::of_report(self.reason, self.bounce)
    }

    /// A recipient with only an address and a verdict.
    pub(crate) fn bare(address: String, reason: Reason, bounce: Bounce) -> BounceRecipient {
        BounceRecipient {
            address,
            original_recipient: None,
            action: None,
            status: None,
            remote_mta: None,
            diagnostic_type: None,
            diagnostic_text: None,
            reply: None,
            smtp_command: None,
            reason,
            bounce,
            last_attempt_date: None,
            will_retry_until: None,
        }
    }
}

/// The message that bounced, from the `message/rfc822` or `text/rfc822-headers` part of the
/// report (for an auto-reply: its `In-Reply-To` and addresses), so that a sender can tie the
/// bounce to what it sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OriginalMessage {
    /// `Message-ID`, without angle brackets.
    pub message_id: Option<String>,
    /// The first `From` address.
    pub from: Option<String>,
    /// The `To` addresses.
    pub to: Vec<String>,
    /// `Subject`, decoded.
    pub subject: Option<String>,
    /// Every `X-` header (name as written, value unfolded), in order.
    pub x_headers: Vec<(String, String)>,
}

/// A parsed email handed to the extractors.
pub(crate) struct Email<'x> {
    pub message: Message<'x>,
    /// Set by `text::for_all` when copying a shared diagnostic would go past its memory limit:
    /// (recipients, bytes each).
    pub too_large: std::cell::Cell<Option<(usize, usize)>>,
    /// The first text body, decoded once for all the extractors that read it.
    body: std::cell::OnceCell<String>,
    /// What the email shows of being a report, read on first use.
    signals: std::cell::OnceCell<recognition::Signals>,
    /// The body's first 4 KiB with its white space squeezed, made on first use.
    top: std::cell::OnceCell<String>,
}

impl Email<'_> {
    /// The message's first text body (`text::body`), decoded on first use.
    pub fn body(&self) -> &str {
        self.body.get_or_init(|| text::body(&self.message))
    }

    /// The opening of the body (its first 4 KiB) with every run of white space squeezed to one
    /// space, made once for the readers that look for a banner a relay may have reflowed.
    pub(crate) fn top(&self) -> &str {
        self.top.get_or_init(|| fields::squeeze(text::prefix(self.body(), 4096)))
    }

    /// The recognition signals of the email (`recognition.rs`), read on first use.
    pub(crate) fn signals(&self) -> recognition::Signals {
        *self.signals.get_or_init(|| recognition::Signals::of(&self.message, self.body()))
    }
}

impl Drop for Email<'_> {
    /// Drops the nested messages one by one: mail-parser parses any depth of `message/rfc822`
    /// nesting without recursion, but the derived drop of the tree recurses once per level,
    /// and some ten thousand levels (under a MiB of input) overflow a thread's stack.
    fn drop(&mut self) {
        let mut stack = vec![std::mem::take(&mut self.message)];
        while let Some(mut m) = stack.pop() {
            for part in &mut m.parts {
                if let PartType::Message(inner) = &mut part.body {
                    stack.push(std::mem::take(inner));
                }
            }
        }
    }
}

/// The MIME parser. Only the header fields something reads structured are parsed: those
/// mail-parser needs to split and decode the parts (`Content-Type`, `Content-Disposition`,
/// `Content-Transfer-Encoding`), the decoded `Subject`, the `From` and `To` addresses and the
/// `Message-ID` and `In-Reply-To` ids. Every other field is skipped: it stays in the part's
/// header list with its offsets, and the extractors read its raw value from those
/// (`mime::raw_value`). Parsing them all (addresses, dates, ids, raw copies of each `Received:`
/// and `X-` field) took a quarter of the time of a bounce.
pub(crate) static PARSER: std::sync::LazyLock<MessageParser> = std::sync::LazyLock::new(|| {
    use mail_parser::HeaderName as H;
    MessageParser::new()
        .default_header_ignore()
        .header_content_type(H::ContentType)
        .header_content_type(H::ContentDisposition)
        .header_text(H::ContentTransferEncoding)
        .header_text(H::Subject)
        .header_address(H::From)
        .header_address(H::To)
        .header_id(H::MessageId)
        .header_id(H::InReplyTo)
});

/// A recipient as the extractors' tests compare it: address, reply code, status and reason.
#[cfg(test)]
pub(crate) fn seen(r: &BounceRecipient) -> (&str, Option<u16>, Option<String>, Reason) {
    (
        r.address.as_str(),
        r.reply.as_ref().and_then(Reply::code).map(|c| c.value()),
        r.status.map(|s| s.to_string()),
        r.reason,
    )
}

/// Reads a bounce email. See the module documentation for the formats and limits.
///
/// Errors: [`Error::EmailTooLarge`] beyond [`MAX_EMAIL_BYTES`]; [`Error::NotAnEmail`] when the
/// input does not start with a header block; [`Error::NotABounce`] for an email in none of the
/// formats, or one whose report names no recipient.
pub fn parse_bounce(raw: &[u8]) -> Result<BounceReport> {
    if raw.len() > MAX_EMAIL_BYTES {
        return Err(Error::EmailTooLarge { len: raw.len(), max: MAX_EMAIL_BYTES });
    }
    let raw = skip_mbox_line(raw);
    // A byte-order mark and blank lines in front are artefacts of the tool that saved the email
    // (to mail-parser a leading blank line would end an empty header block).
    let raw = raw.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(raw).trim_ascii_start();
    check_header_block(raw)?;
    // mail-parser ends lines at LF: an email with CR-only line ends (old Mac tools) gets LFs.
    let lf: Vec<u8>;
    let raw = if !raw.contains(&b'\n') && raw.contains(&b'\r') {
        lf = raw.iter().map(|&b| if b == b'\r' { b'\n' } else { b }).collect();
        &lf[..]
    } else {
        raw
    };
    let clipped = clip::clip(raw);
    let raw = &clipped[..];
    // mail-parser never panics in release builds, but a few `debug_assert!`s in its recovery
    // from broken multipart structures fire in debug builds (for example a nested message right
    // after a boundary line that lacks its line end). Debug builds get an error instead.
    let parsed = std::panic::catch_unwind(|| PARSER.parse(raw));
    let message = match parsed {
        Ok(Some(message)) => message,
        Ok(None) => return Err(Error::NotAnEmail { why: "no header field could be read" }),
        Err(_) => return Err(Error::NotAnEmail { why: "its MIME structure is broken beyond repair" }),
    };
    let email = Email {
        message,
        too_large: std::cell::Cell::new(None),
        body: std::cell::OnceCell::new(),
        signals: std::cell::OnceCell::new(),
        top: std::cell::OnceCell::new(),
    };
    let mut empty: Option<&'static str> = None;
    for ex in EXTRACTORS {
        let found = (ex.run)(&email);
        if let Some((recipients, each)) = email.too_large.get() {
            return Err(Error::ReportTooLarge { recipients, each, max: text::MAX_COPIED_BYTES });
        }
        if let Some(mut report) = found {
            // A complaint may name nobody (ARF's recipient is optional); any other report that
            // names no recipient says nothing usable.
            if !report.recipients.is_empty() || report.format == "arf" {
                settle_kind(&mut report, &email);
                return Ok(report);
            }
            empty.get_or_insert(ex.format);
        }
    }
    Err(Error::NotABounce {
        why: match empty {
            Some(f) => format!("its {f} report names no recipient"),
            None => {
                "no format reads it, and neither its sender, subject, headers nor words say it is a report".to_string()
            }
        },
    })
}

/// Sets the report's [`ReportKind`], and makes a delay warning's recipients delayed.
///
/// A delay warning is one by its DSN (every recipient `Action: delayed`, RFC 3464 §2.3.3), or,
/// for the formats that have no such field, by its words (`recognition.rs`) when no recipient
/// has a permanent reply. Its recipients are then `delayed` and soft, and one whose reason the
/// text does not give is `expired` (the message has been in the queue long enough to warn
/// about; Sisimai's name for the same case).
fn settle_kind(report: &mut BounceReport, email: &Email<'_>) {
    let all = |f: &dyn Fn(&BounceRecipient) -> bool| report.recipients.iter().all(f);
    report.kind = if report.feedback_type.is_some() || all(&|r| r.reason == Reason::Feedback) {
        ReportKind::Feedback
    } else if all(&|r| r.reason == Reason::Vacation) {
        ReportKind::AutoReply
    } else if all(&|r| matches!(r.action.as_deref(), Some("delivered" | "relayed" | "expanded"))) {
        ReportKind::Delivery
    } else {
        let dsn = report.format == "rfc3464";
        let delayed = all(&|r| r.action.as_deref() == Some("delayed"));
        let permanent = report.recipients.iter().any(|r| {
            r.reply.as_ref().is_some_and(Reply::is_permanent)
                || r.status.is_some_and(|s| s.class() == StatusClass::PermanentFailure)
        });
        // A reader that marked a recipient failed has read the report's kind itself.
        let failed = report.recipients.iter().any(|r| r.action.as_deref() == Some("failed"));
        if (dsn && delayed) || (!dsn && !permanent && !failed && email.signals().delay()) {
            ReportKind::Delay
        } else {
            ReportKind::Bounce
        }
    };
    for r in &mut report.recipients {
        // A bounce whose text gives no action for a recipient reports it failed (the message
        // came back).
        if report.kind == ReportKind::Bounce && r.action.is_none() && r.reason != Reason::Vacation {
            r.action = Some("failed".to_string());
        }
        if report.kind == ReportKind::Delay
            && !matches!(r.action.as_deref(), Some("delivered" | "relayed" | "expanded"))
        {
            r.action = Some("delayed".to_string());
        }
        if r.action.as_deref() == Some("delayed") {
            if matches!(r.bounce, Bounce::Hard | Bounce::Unknown) {
                r.bounce = Bounce::Soft;
            }
            // Nothing but a generic status (`4.0.0`, `4.5.0`) or code: the message is waiting in
            // the queue, and that is what the warning says.
            let generic = r.reply.as_ref().is_some_and(|reply| {
                let c = crate::classify::classify(reply);
                match c.basis {
                    crate::classify::Basis::Status => reply.status().is_none_or(|s| s.detail() == 0),
                    crate::classify::Basis::ReplyCode | crate::classify::Basis::Default => true,
                    _ => false,
                }
            });
            if r.reason == Reason::Undefined || generic {
                r.reason = Reason::Expired;
            }
        }
    }
}

/// Input without a leading mbox `From ` separator line (an email saved from an mbox file).
fn skip_mbox_line(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ")
        && let Some(nl) = raw.iter().position(|&b| b == b'\n' || b == b'\r')
    {
        let rest = raw.get(nl..).unwrap_or_default();
        let skip = if rest.starts_with(b"\r\n") { 2 } else { 1 };
        return rest.get(skip..).unwrap_or_default();
    }
    raw
}

/// The input must start with a header field: a name of printable ASCII and a colon
/// (RFC 5322 §2.2).
fn check_header_block(raw: &[u8]) -> Result<()> {
    if raw.is_empty() {
        return Err(Error::NotAnEmail { why: "the input is empty or white space" });
    }
    let line_end = raw.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(raw.len());
    let line = fields::lossy(raw.get(..line_end.min(1000)).unwrap_or_default()).into_owned();
    if fields::split_field(&line).is_none() {
        return Err(Error::NotAnEmail { why: "the first line is not a header field \"Name: value\"" });
    }
    Ok(())
}
