//! Delivery status notifications (RFC 3464; RFC 6533 for `message/global-delivery-status`).
//!
//! The `message/delivery-status` body is a group of per-message fields followed by one group
//! per recipient (RFC 3464 §2.1). Read leniently: a group that has both per-message and
//! per-recipient fields (no blank line between them) counts as both, and a per-recipient field
//! that repeats within a group (a missing blank line between two recipients) starts the next
//! recipient.
//!
//! A recipient without a `Diagnostic-Code` (OpenSMTPD, Exim and Gmail leave it out) gets as its
//! diagnostic text the line of the human-readable part that names its address, with the lines
//! indented under it; nothing else is taken from that text.

use crate::bounce::fields::{self, Field};
use crate::bounce::mime;
use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};
use crate::classify::{Bounce, Reason, classify, classify_text};
use crate::reply::{self, Reply};
use crate::status::EnhancedStatus;
use std::collections::HashMap;

/// The per-recipient fields that occur once per recipient (a repeat starts the next one).
const RECIPIENT_SINGLETONS: &[&str] = &["final-recipient", "original-recipient", "action", "status"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let mut first_empty: Option<BounceReport> = None;
    for msg in mime::messages(&email.message) {
        for (i, part) in msg.parts.iter().enumerate() {
            let t = mime::mime_type(part);
            if t != "message/delivery-status" && t != "message/global-delivery-status" {
                continue;
            }
            let mut report = read_delivery_status(&mime::body_text(part));
            if report.recipients.is_empty() {
                first_empty.get_or_insert(report);
                continue;
            }
            if report.recipients.iter().any(|r| r.diagnostic_text.is_none() || r.smtp_command.is_none()) {
                let human = human_readable(msg, i);
                let index = word_index(&human, &report.recipients);
                for r in &mut report.recipients {
                    add_human_text(r, &human, &index);
                    add_human_command(r, &human, &index);
                }
            }
            report.original = mime::original_of(msg, i);
            return Some(report);
        }
    }
    if let Some(report) = broken_report(&email.message) {
        return Some(report);
    }
    first_empty
}

/// The human-readable text of a report (RFC 3464 §2: the part before the delivery-status part
/// at `report_index`), "" when the message has none.
fn human_readable(msg: &mail_parser::Message<'_>, report_index: usize) -> String {
    match msg.text_body.first() {
        Some(&id) if (id as usize) < report_index => {
            msg.body_text(0).map(|t| text::prefix(&t, MAX_HUMAN).to_string()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// The longest human-readable text searched for the recipients' addresses.
const MAX_HUMAN: usize = 64 * 1024;

/// A recipient without a `Diagnostic-Code` whose address the human-readable text names: that
/// text (the line naming it, with the lines indented under it: Exim's `  save to /path` +
/// `    mailbox is full`, OpenSMTPD's `bob@example.net: Domain does not exist`, Gmail's `Your
/// message wasn't delivered to bob@example.net because …`) becomes its diagnostic text, read
/// for a reply, else with the `Status` as its reply, and classified again.
fn add_human_text(r: &mut BounceRecipient, human: &str, index: &HashMap<String, Vec<usize>>) {
    if r.diagnostic_text.is_some() {
        return;
    }
    let Some(block) = text_about(human, index, &r.address) else { return };
    let transient = r.action.as_deref() == Some("delayed");
    let reply = match (text::find_reply(&block, None, None), r.status) {
        (Some(found), Some(s)) if found.status().is_none() => {
            let same_class = found.code().is_none_or(|c| s.class().digit() == c.value() / 100);
            if same_class {
                Reply::new(
                    found.code(),
                    Some(s),
                    found.lines().to_vec(),
                    found.remote_mta().map(String::from),
                    found.smtp_command().map(String::from),
                )
                .unwrap_or(found)
            } else {
                found
            }
        }
        (Some(found), _) => found,
        (None, Some(s)) => match Reply::new(None, Some(s), vec![block.clone()], None, None) {
            Ok(reply) => reply,
            Err(_) => return,
        },
        (None, None) => {
            let c = classify_text(&block, transient);
            if c.reason != Reason::Undefined {
                r.reason = c.reason;
                r.bounce = c.bounce;
            }
            r.diagnostic_text = Some(block);
            return;
        }
    };
    let c = classify(&reply);
    r.reason = c.reason;
    r.bounce = c.bounce;
    if r.remote_mta.is_none() {
        r.remote_mta = reply.remote_mta().map(String::from);
    }
    if r.smtp_command.is_none() {
        r.smtp_command = reply.smtp_command().map(String::from);
    }
    r.diagnostic_text = Some(block);
    r.reply = Some(reply);
}

/// A recipient whose reply does not name the SMTP command it answered, when the human-readable
/// text about it does (Exim's `SMTP error from remote mail server after EHLO x:` above the
/// `Diagnostic-Code: smtp; 550 Rejected` it repeats): the reply gets that command and is
/// classified again (the command can decide the reason, see [`crate::classify`]).
fn add_human_command(r: &mut BounceRecipient, human: &str, index: &HashMap<String, Vec<usize>>) {
    let Some(reply) = r.reply.as_ref().filter(|reply| reply.smtp_command().is_none()) else { return };
    let Some(command) = text_about(human, index, &r.address).and_then(|block| text::command_in(&block)) else {
        return;
    };
    let remote = reply.remote_mta().map(String::from);
    let Ok(reply) = Reply::new(reply.code(), reply.status(), reply.lines().to_vec(), remote, Some(command.clone()))
    else {
        return;
    };
    let c = classify(&reply);
    (r.reason, r.bounce) = (c.reason, c.bounce);
    r.smtp_command = Some(command);
    r.reply = Some(reply);
}

/// Brackets, quotes and punctuation around a word.
fn is_word_trim(c: char) -> bool {
    matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '"' | '\'' | ':' | ',' | ';' | '.')
}

/// How many places of the human-readable text are read per address: Sendmail names a recipient
/// once in its list of failed addresses and again in the transcript (`<bob@example.com>...
/// Deferred: Connection refused by mx.example.com.`).
const MAX_MENTIONS: usize = 3;

/// Where each recipient's key word (see [`key_word`]) occurs in the human-readable text (its
/// first [`MAX_MENTIONS`] places; lower case, without the brackets, quotes and punctuation around
/// it), so that each recipient is looked up once (linear in the input however many recipients
/// the report has). Only words as long as some key are lower-cased and looked at.
fn word_index(human: &str, recipients: &[BounceRecipient]) -> HashMap<String, Vec<usize>> {
    let mut index: HashMap<String, Vec<usize>> =
        recipients.iter().filter_map(|r| key_word(&r.address)).map(|k| (k, Vec::new())).collect();
    // Which word lengths some key has, looked up by the length.
    let mut lengths = vec![false; index.keys().map(String::len).max().map_or(0, |n| n + 1)];
    for k in index.keys() {
        if let Some(l) = lengths.get_mut(k.len()) {
            *l = true;
        }
    }
    let shortest = index.keys().map(String::len).min().unwrap_or(0);
    // The words as `split_inclusive(char::is_whitespace)` cuts them, each starting at `at`.
    let mut at = 0;
    while at < human.len() {
        let (end, next) = match fields::next_white_space(human, at) {
            Some((space, len)) => (space, space + len),
            None => (human.len(), human.len()),
        };
        // Trimming only shortens a word: one shorter than every key is not looked at.
        if end - at < shortest {
            at = next;
            continue;
        }
        let w = human.get(at..end).unwrap_or_default().trim_matches(is_word_trim);
        if lengths.get(w.len()) == Some(&true)
            && let Some(places) = index.get_mut(&w.to_lowercase())
            && places.len() < MAX_MENTIONS
        {
            places.push(at);
        }
        at = next;
    }
    index
}

/// The word a recipient is looked up by: an address with spaces (a pipe, `|/bin/x
/// bob@example.com`) by its first word, lower case.
fn key_word(address: &str) -> Option<String> {
    Some(address.split_whitespace().next()?.trim_matches(is_word_trim).to_lowercase())
}

/// The lines of `human` that name `address` (as a whole word, any case), each with the lines
/// indented deeper under it up to a blank line, squeezed and joined; `None` when no line names it.
fn text_about(human: &str, index: &HashMap<String, Vec<usize>>, address: &str) -> Option<String> {
    let first = key_word(address)?;
    let mut blocks: Vec<String> = Vec::new();
    for &at in index.get(&first)? {
        if let Some(block) = block_at(human, at, address)
            && !blocks.contains(&block)
        {
            blocks.push(block);
        }
    }
    fields::text(text::prefix(&blocks.join("\n"), text::MAX_BLOCK))
}

/// The line of `human` where `address` is named at byte `at`, with the lines indented deeper
/// under it up to a blank line; `None` when the address is not named there.
fn block_at(human: &str, at: usize, address: &str) -> Option<String> {
    let rest = human.get(at..)?;
    let named = rest.get(..address.len()).is_some_and(|s| s.eq_ignore_ascii_case(address))
        || rest.get(1..=address.len()).is_some_and(|s| s.eq_ignore_ascii_case(address));
    if !named {
        return None;
    }
    // The line's start, looked for at most MAX_BLOCK bytes back (bounded work per recipient).
    let lo = at.saturating_sub(text::MAX_BLOCK);
    let back = human.as_bytes().get(lo..at)?;
    let mut start = back.iter().rposition(|&b| b == b'\n').map_or(lo, |n| lo + n + 1);
    while !human.is_char_boundary(start) {
        start += 1;
    }
    let mut lines = human.get(start..)?.lines();
    let first_line = text::prefix(lines.next()?, 2 * text::MAX_BLOCK);
    let indent = |l: &str| l.len() - l.trim_start().len();
    let depth = indent(first_line);
    let mut block = first_line.trim().to_string();
    for l in lines {
        if l.trim().is_empty() || indent(l) <= depth || block.len() > text::MAX_BLOCK {
            break;
        }
        block.push('\n');
        block.push_str(l.trim());
    }
    fields::text(text::prefix(&block, text::MAX_BLOCK))
}

/// The fallback for a report whose MIME structure is broken (a `multipart/report;
/// report-type=delivery-status` whose boundary lines are missing, so that mail-parser sees one
/// text body): the delivery-status fields are read from where the first `Reporting-MTA`,
/// `Final-Recipient` or `Original-Recipient` line starts. The original message is not looked for.
fn broken_report(msg: &mail_parser::Message<'_>) -> Option<BounceReport> {
    let root = msg.parts.first()?;
    let ct = mime::header(root.headers(), "content-type")?.value.as_content_type()?;
    let report_type = ct.attributes().unwrap_or_default().iter().find(|a| a.name.eq_ignore_ascii_case("report-type"));
    let is_dsn_report = ct.ctype().eq_ignore_ascii_case("multipart")
        && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        && report_type.is_some_and(|a| a.value.eq_ignore_ascii_case("delivery-status"));
    if !is_dsn_report {
        return None;
    }
    let body = fields::lossy(msg.raw_message.get(root.offset_body as usize..)?);
    let start = fields::find_field(&body, &["reporting-mta", "final-recipient", "original-recipient"])?;
    let report = read_delivery_status(body.get(start..)?);
    (!report.recipients.is_empty()).then_some(report)
}

/// A report in an email without a `Content-Type` (text/plain by RFC 2045 §5.2) whose body still
/// holds the parts, boundary lines and part headers (Sendmail run without its MIME header): the
/// part headed `Content-Type: message/delivery-status`, read up to its next boundary line, with
/// the text before it as the human-readable part. Tried after the plain-text formats, which
/// read more from such a body (Postfix's text with its delivery-status fields pasted in).
pub(crate) fn extract_unlabelled(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let root = msg.parts.first()?;
    if mime::header(root.headers(), "content-type").is_some() {
        return None;
    }
    let body = fields::lossy(msg.raw_message.get(root.offset_body as usize..)?);
    let (human, fields) = unlabelled_delivery_status(&body)?;
    let start = fields::find_field(fields, &["reporting-mta", "final-recipient", "original-recipient"])?;
    let mut report = read_delivery_status(fields.get(start..)?);
    let human = text::prefix(human, MAX_HUMAN);
    let index = word_index(human, &report.recipients);
    for r in &mut report.recipients {
        add_human_text(r, human, &index);
        add_human_command(r, human, &index);
    }
    (!report.recipients.is_empty()).then_some(report)
}

/// In the body of an email without MIME headers: the text before the part whose header says
/// `Content-Type: message/delivery-status`, and that part's body, from the blank line after its
/// headers up to the next line that starts with `--` (a boundary line) or the end.
fn unlabelled_delivery_status(body: &str) -> Option<(&str, &str)> {
    let mut spans = fields::line_spans(body);
    let (header_at, _) = spans.find(|(_, line)| {
        fields::split_field(line).is_some_and(|(name, value)| {
            name.eq_ignore_ascii_case("content-type")
                && value.trim_start().get(..23).is_some_and(|v| v.eq_ignore_ascii_case("message/delivery-status"))
        })
    })?;
    let (start, _) = spans.find(|(_, line)| line.trim().is_empty())?;
    let end = fields::line_spans(body.get(start..)?)
        .find(|(_, line)| line.starts_with("--"))
        .map_or(body.len(), |(at, _)| start + at);
    Some((body.get(..header_at)?, body.get(start..end)?))
}

/// A report from the body of a delivery-status part (the original message is left empty).
pub(crate) fn read_delivery_status(body: &str) -> BounceReport {
    let mut report = BounceReport {
        kind: crate::bounce::ReportKind::Bounce,
        format: "rfc3464",
        reporting_mta: None,
        arrival_date: None,
        feedback_type: None,
        recipients: Vec::new(),
        original: Default::default(),
    };
    for group in fields::parse_groups(body) {
        let mut current: Vec<&Field> = Vec::new();
        for f in &group {
            match f.name.as_str() {
                "reporting-mta" if report.reporting_mta.is_none() => report.reporting_mta = fields::mta(&f.value()),
                "arrival-date" if report.arrival_date.is_none() => report.arrival_date = fields::text(&f.value()),
                name => {
                    if RECIPIENT_SINGLETONS.contains(&name) && current.iter().any(|c| c.name == name) {
                        report.recipients.extend(recipient(&current));
                        current.clear();
                    }
                    current.push(f);
                }
            }
        }
        report.recipients.extend(recipient(&current));
    }
    report
}

fn get<'a>(fs: &[&'a Field], name: &str) -> Option<&'a Field> {
    fs.iter().copied().find(|f| f.name == name)
}

/// One recipient from its fields; `None` when they name no recipient (the per-message group).
fn recipient(fs: &[&Field]) -> Option<BounceRecipient> {
    let original_recipient = get(fs, "original-recipient").and_then(|f| fields::address(&f.value()));
    let final_recipient = get(fs, "final-recipient").and_then(|f| fields::address(&f.value()));
    // The final recipient, unless it is not a mailbox (a pipe, a file, a source route to an
    // internal host) and the original recipient is.
    let address = match (final_recipient, &original_recipient) {
        (Some(f), Some(o)) if !fields::is_mailbox(&f) && fields::is_mailbox(o) => o.clone(),
        (Some(f), _) => f,
        (None, o) => o.clone()?,
    };
    let action = get(fs, "action").and_then(|f| fields::token(&f.value()));
    let status_field = get(fs, "status").map(|f| f.value());
    let status = status_field.as_deref().and_then(status_of);
    let mut remote_mta = get(fs, "remote-mta").and_then(|f| fields::mta(&f.value()));
    let diagnostic = get(fs, "diagnostic-code");
    let (diagnostic_type, diagnostic_text) = match diagnostic {
        Some(f) => {
            let value = f.value();
            let (t, rest) = fields::split_typed(&value);
            (t, fields::text(rest))
        }
        None => (None, None),
    };
    let reply = diagnostic.and_then(parse_diagnostic);
    let reply = match (reply, status) {
        (Some(r), Some(s)) if r.status().is_none() => Some(
            Reply::new(
                r.code(),
                Some(s),
                r.lines().to_vec(),
                r.remote_mta().map(String::from),
                r.smtp_command().map(String::from),
            )
            .unwrap_or(r),
        ),
        (Some(r), _) => Some(r),
        (None, Some(s)) => {
            // The diagnostic text, else the Status comment (`4.0.0 (host name lookup failure)`,
            // RFC 3464 Appendix): what the text rules can read.
            let text = diagnostic_text.clone().or_else(|| status_field.as_deref().and_then(fields::comment));
            let lines: Vec<String> = text.into_iter().collect();
            Reply::new(None, Some(s), lines, None, None)
                .or_else(|_| Reply::new(None, Some(s), Vec::new(), None, None))
                .ok()
        }
        (None, None) => None,
    };
    if remote_mta.is_none() {
        remote_mta = reply.as_ref().and_then(|r| r.remote_mta()).map(String::from);
    }
    let smtp_command = reply.as_ref().and_then(|r| r.smtp_command()).map(String::from);
    let (reason, bounce) = match &reply {
        Some(r) => {
            let c = classify(r);
            (c.reason, c.bounce)
        }
        // No reply and no status: the diagnostic text alone, through the text rules.
        None => match diagnostic_text.as_deref().or(status_field.as_deref()) {
            Some(text) => {
                let c = classify_text(text, action.as_deref() == Some("delayed"));
                (c.reason, c.bounce)
            }
            None => (Reason::Undefined, Bounce::Unknown),
        },
    };
    Some(BounceRecipient {
        address,
        original_recipient,
        action,
        status,
        remote_mta,
        diagnostic_type,
        diagnostic_text,
        reply,
        smtp_command,
        reason,
        bounce,
        last_attempt_date: get(fs, "last-attempt-date").and_then(|f| fields::text(&f.value())),
        will_retry_until: get(fs, "will-retry-until").and_then(|f| fields::text(&f.value())),
    })
}

/// The `Status` value when it is a valid RFC 3463 code (`5.1.1`, `5.1.1 (comment)`).
fn status_of(value: &str) -> Option<EnhancedStatus> {
    let t = fields::strip_comments(value);
    let first = t.split_whitespace().next()?;
    EnhancedStatus::parse(first).ok()
}

/// The reply in a `Diagnostic-Code`: the whole value (`smtp; 550 …`, which the reply parser
/// reads with its type), else the text after the type. (A multi-line reply folded into the
/// field, `550-5.1.1 … 550 5.1.1 …`, is split back into its lines by the reply parser.)
fn parse_diagnostic(f: &Field) -> Option<Reply> {
    let value = f.value();
    if let Ok(r) = reply::parse(&value) {
        return Some(r);
    }
    let (_, rest) = fields::split_typed(&value);
    if let Ok(r) = reply::parse(rest) {
        return Some(r);
    }
    None
}
