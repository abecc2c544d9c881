//! Shared helpers of the plain-text bounce formats (Exim, qmail, DragonFly, …): the human-readable
//! body, where the per-recipient blocks end, and the SMTP reply inside a block of free text.
//!
//! The reply is looked for where a reply code (`550 `, `550-`) or an enhanced status (`5.1.1`)
//! starts a word, at most [`MAX_TRIES`] places per block, each parsed by [`crate::reply::parse`];
//! a block is cut to [`MAX_BLOCK`] bytes first, so the work stays linear in the input.

use super::fields;
use super::mime;
use super::{BounceRecipient, BounceReport, OriginalMessage, ReportKind};
use crate::classify::{classify, classify_text};
use crate::reply::{self, Reply};
use crate::status::EnhancedStatus;
use mail_parser::Message;
use memchr::memmem;
use rustc_hash::FxHashMap;

/// The longest block of text read per recipient.
pub(crate) const MAX_BLOCK: usize = 8 * 1024;
/// How many places per block are tried as the start of a reply.
pub(crate) const MAX_TRIES: usize = 8;

/// The first text body of the message (HTML turned into text when there is no plain text).
/// A `multipart/*` whose boundary never comes is read as its text: mail-parser keeps that text
/// in the root part but lists no text body (flufl.bounce _detectors/caiwireless.py: "This
/// format thinks it's a MIME, but it really isn't").
pub(crate) fn body(msg: &Message<'_>) -> String {
    match msg.body_text(0) {
        Some(t) => t.into_owned(),
        None => match msg.parts.first().map(|p| &p.body) {
            Some(mail_parser::PartType::Text(t)) if msg.parts.len() == 1 => t.to_string(),
            _ => String::new(),
        },
    }
}

/// The lower-case local part of the message's first `From` address.
pub(crate) fn from_local(msg: &Message<'_>) -> String {
    let from = mime::addresses(msg, "from").into_iter().next().unwrap_or_default();
    from.rsplit_once('@').map_or(from.as_str(), |(l, _)| l).to_ascii_lowercase()
}

/// The decoded `Subject`, or "".
pub(crate) fn subject(msg: &Message<'_>) -> String {
    mime::header_text(msg, "subject").unwrap_or_default()
}

/// True when the message has a header `name`.
pub(crate) fn has_header(msg: &Message<'_>, name: &str) -> bool {
    mime::header(mime::root_headers(msg), name).is_some()
}

/// The raw (unfolded) value of the header `name`.
pub(crate) fn raw_header(msg: &Message<'_>, name: &str) -> Option<String> {
    mime::header(mime::root_headers(msg), name).and_then(|h| mime::raw_value(msg, h))
}

/// `text` up to where the first of `markers` starts (all of it without one).
pub(crate) fn cut<'a>(text: &'a str, markers: &[&'static str]) -> &'a str {
    let end = markers.iter().filter_map(|m| find(text, m)).min().unwrap_or(text.len());
    text.get(..end).unwrap_or(text)
}

thread_local! {
    /// memchr's searcher for each wording an extractor looks for, built on its first use in a
    /// thread and kept, by the address and length of the (static) wording.
    static FINDERS: std::cell::RefCell<FxHashMap<(usize, usize), memmem::Finder<'static>>> =
        std::cell::RefCell::new(FxHashMap::default());
}

/// Where `needle` first occurs in `text` (as `str::find`). The extractors look for fixed
/// wordings in whole bodies, most of which do not have them: a searcher built once per wording
/// (memchr's SIMD `memmem`) makes a miss a few times cheaper than `str::find`, which builds
/// its Two-Way searcher on every call. (A match of a UTF-8 needle in UTF-8 text always starts
/// on a character boundary, so the byte offset is the same.)
pub(crate) fn find(text: &str, needle: &'static str) -> Option<usize> {
    FINDERS.with(|finders| {
        let mut finders = finders.borrow_mut();
        let finder = finders
            .entry((needle.as_ptr() as usize, needle.len()))
            .or_insert_with(|| memmem::Finder::new(needle.as_bytes()));
        finder.find(text.as_bytes())
    })
}

/// True when `needle` occurs in `text` (as `str::contains`), searched as [`find`] does.
pub(crate) fn contains(text: &str, needle: &'static str) -> bool {
    find(text, needle).is_some()
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// The mail address in a word or line (`<bob@example.com>:` → `bob@example.com`): the first
/// whitespace-separated token with an `@`, without brackets, quotes and trailing punctuation.
pub(crate) fn address_in(text: &str) -> Option<String> {
    text.split_whitespace().find(|w| w.contains('@')).and_then(clean_address)
}

/// A token as an address: brackets, quotes, `mailto:` and trailing punctuation removed; it must
/// have something on both sides of an `@`.
pub(crate) fn clean_address(token: &str) -> Option<String> {
    let a = fields::address(token.trim_end_matches([':', ',', ';', '.', ')']).trim_start_matches('('))?;
    let a = a.trim_matches(['"', '\'', '<', '>', ':', ',', ';', '.', '(', ')', '[', ']']);
    let (local, domain) = a.rsplit_once('@')?;
    (!local.is_empty() && domain.contains('.') && !a.contains(char::is_whitespace)).then(|| a.to_string())
}

/// The SMTP command a bounce text names as the one that failed (`after RCPT TO:`, `in reply to
/// end of DATA`, `did not like our final DATA`, `most progress was RCPT TO response`), also
/// when the text is wrapped inside the wording (`in reply to\n    RCPT TO command`).
pub(crate) fn command_in(text: &str) -> Option<String> {
    let upper = fields::squeeze(prefix(text, MAX_BLOCK)).to_ascii_uppercase();
    for lead in ["AFTER ", "IN REPLY TO ", "DID NOT LIKE OUR ", "MOST PROGRESS WAS "] {
        let Some(i) = find(&upper, lead) else { continue };
        let rest = upper.get(i + lead.len()..).unwrap_or_default();
        let rest = rest.strip_prefix("FINAL ").or_else(|| rest.strip_prefix("END OF ")).unwrap_or(rest);
        let cmd = [
            ("RCPT TO", "RCPT TO"),
            ("MAIL FROM", "MAIL FROM"),
            ("DATA", "DATA"),
            ("BDAT", "BDAT"),
            ("EHLO", "EHLO"),
            ("HELO", "HELO"),
            ("STARTTLS", "STARTTLS"),
            ("AUTH", "AUTH"),
            ("INITIAL CONNECTION", "CONNECT"),
            ("CONNECT", "CONNECT"),
        ]
        .into_iter()
        .find(|(w, _)| rest.starts_with(w));
        if let Some((_, c)) = cmd {
            return Some(c.to_string());
        }
    }
    None
}

/// The host a bounce text names as the one that replied: `host mx.example.com [192.0.2.1]`,
/// `remote host 192.0.2.1 said:`.
pub(crate) fn remote_host_in(text: &str) -> Option<String> {
    let text = prefix(text, MAX_BLOCK);
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case("host") {
            let name = words.next()?.trim_matches(['[', ']', ':', ',', '(', ')']);
            if name.contains('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                return Some(name.to_string());
            }
        }
    }
    None
}

/// An enhanced status written as qmail writes it, `(#5.1.1)`.
pub(crate) fn hash_status(text: &str) -> Option<EnhancedStatus> {
    let i = find(text, "(#")?;
    let rest = text.get(i + 2..)?;
    let end = rest.find(')')?;
    // `(#5.1.1)`, or with a note after the status, `(#5.1.1 - chkusr)`.
    EnhancedStatus::parse(rest.get(..end)?.split_whitespace().next()?).ok()
}

/// True when `s` starts with a reply code (`550 `, `550-`, `550` at the end).
fn starts_code(s: &[u8]) -> bool {
    matches!(s, [a, b, c, rest @ ..]
        if (b'2'..=b'5').contains(a) && b.is_ascii_digit() && c.is_ascii_digit()
            && matches!(rest.first(), None | Some(b' ' | b'-')))
}

/// True when `s` starts with an enhanced status code (`5.1.1`, `4.7.26`).
fn starts_status(s: &[u8]) -> bool {
    let [a, b'.', rest @ ..] = s else { return false };
    if !matches!(a, b'2' | b'4' | b'5') {
        return false;
    }
    let n1 = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=3).contains(&n1) || rest.get(n1) != Some(&b'.') {
        return false;
    }
    let rest = rest.get(n1 + 1..).unwrap_or_default();
    let n2 = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=3).contains(&n2) && rest.get(n2).is_none_or(|c| !c.is_ascii_digit() && *c != b'.')
}

/// True when a reply code or an enhanced status starts a word of `text` (`550 `, `5.1.1`).
pub(crate) fn mentions_reply(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|i| {
        let boundary = i == 0 || matches!(bytes.get(i - 1), Some(b' ' | b':' | b'(' | b'"' | b'\'' | b'#' | b'<'));
        let rest = bytes.get(i..).unwrap_or_default();
        boundary && (starts_code(rest) || starts_status(rest))
    })
}

/// The SMTP reply in a block of bounce text: parsed from the first place where a reply code or
/// a status starts a word; the status qmail appends (`(#5.1.1)`) filled in when the reply has
/// none of its own (and its class agrees with the code); else, when the text has only such a
/// status, that status with the text. `remote` and `command` are filled in when the reply does
/// not name them. `None` when the text has neither a code nor a status.
pub(crate) fn find_reply(text: &str, remote: Option<String>, command: Option<String>) -> Option<Reply> {
    let s = fields::squeeze(prefix(text, MAX_BLOCK));
    let bytes = s.as_bytes();
    let extra = hash_status(&s);
    let mut tries = 0;
    for i in 0..bytes.len() {
        let boundary = i == 0 || matches!(bytes.get(i - 1), Some(b' ' | b':' | b'(' | b'"' | b'\''));
        let rest = bytes.get(i..).unwrap_or_default();
        if !boundary || !(starts_code(rest) || starts_status(rest)) {
            continue;
        }
        tries += 1;
        if tries > MAX_TRIES {
            break;
        }
        let Ok(r) = reply::parse(s.get(i..).unwrap_or_default()) else { continue };
        let status =
            r.status().or_else(|| extra.filter(|st| r.code().is_none_or(|c| st.class().digit() == c.value() / 100)));
        let remote = r.remote_mta().map(String::from).or_else(|| remote.clone());
        let command = r.smtp_command().map(String::from).or_else(|| command.clone());
        return Some(Reply::new(r.code(), status, r.lines().to_vec(), remote, command).unwrap_or(r));
    }
    let status = extra?;
    Reply::new(None, Some(status), vec![s], remote.clone(), command.clone())
        .or_else(|_| Reply::new(None, Some(status), Vec::new(), remote, command))
        .ok()
}

/// Groups lines into `(address, block)`: a line for which `header` gives an address opens a
/// block; every other line is appended to the open block, each followed by a line end; lines
/// before the first header are dropped.
pub(crate) fn address_blocks<S: AsRef<str>>(
    lines: impl IntoIterator<Item = S>,
    mut header: impl FnMut(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in lines {
        let line = line.as_ref();
        if let Some(address) = header(line) {
            blocks.push((address, String::new()));
        } else if let Some((_, block)) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
}

/// How many bytes of copied diagnostics [`for_all`] may make for one email: the copies are what
/// could make memory grow faster than the input (100,000 addresses under one 8 KiB diagnostic,
/// a 2.4 MB email, made 1.6 GB; found by fuzzing). Real reports stay far below.
pub(crate) const MAX_COPIED_BYTES: usize = 64 * 1024 * 1024;

/// One recipient per address, each a copy of `template`: for reports that give one diagnostic
/// for all their recipients. Past [`MAX_COPIED_BYTES`] of copies it stops and marks `email` so
/// that `parse_bounce` fails with [`crate::Error::ReportTooLarge`] rather than dropping some.
pub(crate) fn for_all(
    email: &super::Email<'_>,
    template: &BounceRecipient,
    addresses: impl IntoIterator<Item = String>,
) -> Vec<BounceRecipient> {
    let each = 64
        + template.diagnostic_text.as_ref().map_or(0, String::len)
        + template.reply.as_ref().map_or(0, |r| r.lines().iter().map(String::len).sum());
    let mut out = Vec::new();
    for address in addresses {
        if (out.len() + 1).saturating_mul(each) > MAX_COPIED_BYTES {
            email.too_large.set(Some((out.len() + 1, each)));
            break;
        }
        out.push(BounceRecipient { address, ..template.clone() });
    }
    out
}

/// One recipient from its address and the block of text about it: the reply as [`find_reply`]
/// reads it (with the remote host and command the text names), the block as diagnostic text.
pub(crate) fn recipient(address: String, block: &str) -> BounceRecipient {
    recipient_with(address, block, remote_host_in(block), command_in(block))
}

/// [`recipient`] with the remote host and command given by the format's own wording.
pub(crate) fn recipient_with(
    address: String,
    block: &str,
    remote: Option<String>,
    command: Option<String>,
) -> BounceRecipient {
    let reply = find_reply(block, remote.clone(), command.clone());
    let (reason, bounce) = match &reply {
        Some(r) => {
            let c = classify(r);
            (c.reason, c.bounce)
        }
        // No code and no status in the text: the text rules alone decide (nothing invented).
        None => {
            let c = classify_text(prefix(block, MAX_BLOCK), false);
            (c.reason, c.bounce)
        }
    };
    let mut r = BounceRecipient::bare(address, reason, bounce);
    r.status = reply.as_ref().and_then(|r| r.status());
    r.remote_mta = reply.as_ref().and_then(|r| r.remote_mta()).map(String::from).or(remote);
    r.smtp_command = reply.as_ref().and_then(|r| r.smtp_command()).map(String::from).or(command);
    r.diagnostic_text = fields::text(prefix(block, MAX_BLOCK));
    r.action = reply.as_ref().map(|r| if r.is_transient() { "delayed" } else { "failed" }.to_string());
    r.reply = reply;
    r
}

/// A recipient of a delay warning: delayed, and soft whatever its text says.
pub(crate) fn mark_delayed(r: &mut BounceRecipient) {
    r.action = Some("delayed".to_string());
    if matches!(r.bounce, crate::classify::Bounce::Hard | crate::classify::Bounce::Unknown) {
        r.bounce = crate::classify::Bounce::Soft;
    }
}

/// A recipient of a report that returned the message: `delayed` when its reply is transient,
/// else `failed`.
pub(crate) fn failed_or_delayed(r: &mut BounceRecipient) {
    let transient = r.reply.as_ref().is_some_and(Reply::is_transient);
    r.action = Some(if transient { "delayed" } else { "failed" }.to_string());
}

/// The reply in a diagnostic written as a `Diagnostic-Code` value (`smtp; 550 5.1.1 …`, or
/// the reply alone), as [`crate::reply::parse`] reads it, with `status` filled in when the
/// reply has none of its own (and its class agrees with the code); else, when the text does
/// not parse, `status` with the text. `None` without either.
pub(crate) fn typed_reply(diagnostic: &str, status: Option<EnhancedStatus>) -> Option<Reply> {
    let diagnostic = prefix(diagnostic.trim(), MAX_BLOCK);
    let (_, rest) = fields::split_typed(diagnostic);
    let parsed = reply::parse(diagnostic).ok().or_else(|| reply::parse(rest).ok());
    if let Some(r) = parsed {
        let status =
            r.status().or_else(|| status.filter(|st| r.code().is_none_or(|c| st.class().digit() == c.value() / 100)));
        let remote = r.remote_mta().map(String::from);
        let command = r.smtp_command().map(String::from);
        return Some(Reply::new(r.code(), status, r.lines().to_vec(), remote, command).unwrap_or(r));
    }
    let status = status?;
    let lines: Vec<String> = fields::text(rest).into_iter().collect();
    Reply::new(None, Some(status), lines, None, None)
        .or_else(|_| Reply::new(None, Some(status), Vec::new(), None, None))
        .ok()
}

/// A recipient from a reply already read: classified by it, else by the text rules on `text`
/// (`transient` when the report says the delivery is only delayed).
pub(crate) fn recipient_from_reply(
    address: String,
    reply: Option<Reply>,
    text: &str,
    transient: bool,
) -> BounceRecipient {
    let (reason, bounce) = match &reply {
        Some(r) => {
            let c = classify(r);
            (c.reason, c.bounce)
        }
        None => {
            let c = classify_text(prefix(text, MAX_BLOCK), transient);
            (c.reason, c.bounce)
        }
    };
    let mut r = BounceRecipient::bare(address, reason, bounce);
    r.status = reply.as_ref().and_then(|r| r.status());
    r.remote_mta = reply.as_ref().and_then(|r| r.remote_mta()).map(String::from);
    r.smtp_command = reply.as_ref().and_then(|r| r.smtp_command()).map(String::from);
    r.diagnostic_text = fields::text(prefix(text, MAX_BLOCK));
    r.reply = reply;
    r
}

/// A report of `format` (no per-message fields).
pub(crate) fn report(
    format: &'static str,
    recipients: Vec<BounceRecipient>,
    original: OriginalMessage,
) -> BounceReport {
    BounceReport {
        format,
        kind: ReportKind::Bounce,
        reporting_mta: None,
        arrival_date: None,
        feedback_type: None,
        recipients,
        original,
    }
}

/// The original message of a plain-text bounce: the first attached message or headers part.
pub(crate) fn original(msg: &Message<'_>) -> OriginalMessage {
    mime::original_of(msg, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_in_free_text() {
        let r = find_reply(
            "SMTP error from remote mail server after RCPT TO:<a@b.example>:\n host mx.b.example [192.0.2.1]: 550 5.1.1 <a@b.example>... User Unknown",
            Some("mx.b.example".into()),
            Some("RCPT TO".into()),
        )
        .unwrap();
        assert_eq!(r.code().unwrap().value(), 550);
        assert_eq!(r.status().unwrap().to_string(), "5.1.1");
        assert_eq!(r.remote_mta(), Some("mx.b.example"));
        assert_eq!(r.smtp_command(), Some("RCPT TO"));
    }

    #[test]
    fn qmail_status_filled_in() {
        let r = find_reply("remote host 192.0.2.1 said: 550 Unknown user\n. (#5.5.0)", None, None).unwrap();
        assert_eq!(r.code().unwrap().value(), 550);
        assert_eq!(r.status().unwrap().to_string(), "5.5.0");
        let r = find_reply("550 sorry, no mailbox here by that name (#5.1.1 - chkusr)", None, None).unwrap();
        assert_eq!(r.status().unwrap().to_string(), "5.1.1");
        let r = find_reply("Unable to contact LDAP server. (#4.4.3)", None, None).unwrap();
        assert!(r.code().is_none());
        assert_eq!(r.status().unwrap().to_string(), "4.4.3");
    }

    #[test]
    fn nothing_invented() {
        assert!(find_reply("all hosts have been failing for a long time; IP 192.0.2.1 in 2024", None, None).is_none());
        assert_eq!(command_in("after end of data:"), Some("DATA".into()));
        assert_eq!(command_in("(in reply to\n    RCPT TO command)"), Some("RCPT TO".into()));
        assert_eq!(remote_host_in("host mx.example.jp [192.0.2.1]: 550"), Some("mx.example.jp".into()));
        assert_eq!(clean_address("<bob@example.com>:"), Some("bob@example.com".into()));
        assert_eq!(clean_address("kijitora"), None);
        assert_eq!(prefix("aé", 2), "a");
    }
}
