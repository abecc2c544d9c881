//! SMTP replies: a basic reply code (RFC 5321 §4.2), an optional enhanced status code
//! (RFC 3463, RFC 2034) and text, on one or more lines, in the shapes found in the wild.
//!
//! Accepted shapes:
//! - `550 5.1.1 text`, `550-5.7.1 text`, `250` (code alone), multi-line `250-…\r\n250 …`, and a
//!   multi-line reply flattened onto one line;
//! - a status before the code, `5.1.1 550 text`, and a status alone, `5.7.1 Message rejected`;
//! - DSN Diagnostic-Code values (RFC 3464 §2.3.6): `smtp; 550 …`, `SMTP;550 …`, `X-Postfix; …`,
//!   optionally with the `Diagnostic-Code:` field name, and Postfix's trailer
//!   `(in reply to RCPT TO command)`, which gives the command;
//! - any of these inside the wrappers of `data/wrappers.toml` ([`WRAPPERS`]): what MTAs, bounce
//!   messages and sending libraries write around a reply (`host … said:`, `SMTP error from
//!   remote mail server after RCPT TO:<…>: host …:`, `Remote host said:`, `Remote Server
//!   returned '…'`, `<<< 550 …`, `(550, b'…')` …), each with its source. The wrapper's host and
//!   command fill [`Reply::remote_mta`] and [`Reply::smtp_command`]; where wrappers nest, the
//!   innermost reply wins; [`Reply::unwrapped`] names what was taken off. A wrapper never makes
//!   a reply out of text that has none: a code or a status must follow it.

mod wrap;

pub use wrap::{WRAPPERS, Wrapper};

use crate::error::{Error, Result};
use crate::status::{self, EnhancedStatus, Scan, StatusClass, excerpt};
use std::fmt;

/// The longest input [`parse`] accepts. A reply line is at most 512 octets (RFC 5321
/// §4.5.3.1.5); multi-line replies and bounce diagnostics are longer, and 64 KiB leaves room for
/// any real one while bounding the work per call.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;
/// The most lines [`parse`] accepts in one reply.
pub const MAX_LINES: usize = 1000;

/// A basic reply code: three digits, the first 2–5 (RFC 5321 §4.2: 2yz to 5yz; 1yz is not
/// used by SMTP). RFC 5321's grammar also limits the second digit to 0–5
/// (`Reply-code = %x32-35 %x30-35 %x30-39`), but servers send codes such as `571 Delivery not
/// authorized`: those are accepted, with no [`Category`]. Valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

impl ReplyCode {
    pub fn new(code: u16) -> Result<ReplyCode> {
        Self::checked(code, 0)
    }

    fn checked(code: u16, position: usize) -> Result<ReplyCode> {
        let why = if !(100..=999).contains(&code) {
            "a reply code has three digits"
        } else if !(2..=5).contains(&(code / 100)) {
            "the first digit must be 2, 3, 4 or 5"
        } else {
            return Ok(ReplyCode(code));
        };
        Err(Error::InvalidReplyCode { code, position, why })
    }

    pub fn value(self) -> u16 {
        self.0
    }
    pub fn kind(self) -> ReplyKind {
        ReplyKind::from_digit(self.0 / 100).unwrap_or(ReplyKind::PermanentNegative)
    }
    /// The category of the second digit; `None` for x6z–x9z, which RFC 5321 does not define.
    pub fn category(self) -> Option<Category> {
        Category::from_digit(self.0 / 10 % 10)
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

digit_enum! {
    /// First digit of a reply code (RFC 5321 §4.2.1).
    pub enum ReplyKind {
        /// 1yz: defined by RFC 5321 §4.2.1 but not used by SMTP; no reply [`parse`] accepts has it.
        PositivePreliminary = 1,
        PositiveCompletion = 2,
        PositiveIntermediate = 3,
        TransientNegative = 4,
        PermanentNegative = 5,
    }
}

digit_enum! {
    /// Second digit of a reply code (RFC 5321 §4.2.1). x3z and x4z are "unspecified as yet".
    pub enum Category {
        Syntax = 0,
        Information = 1,
        Connections = 2,
        Unspecified3 = 3,
        Unspecified4 = 4,
        MailSystem = 5,
    }
}

/// A parsed SMTP reply. It has a code, a status or both; `lines` hold the text of each line
/// with the code and the status removed.
///
/// Two replies are equal when their code, status, lines, remote MTA and command are: which
/// wrappers [`parse`] took off to find them ([`Reply::unwrapped`]) is how they were read, not
/// what they say.
#[derive(Debug, Clone)]
pub struct Reply {
    code: Option<ReplyCode>,
    status: Option<EnhancedStatus>,
    lines: Vec<String>,
    remote_mta: Option<String>,
    smtp_command: Option<String>,
    unwrapped: Vec<&'static str>,
}

impl PartialEq for Reply {
    fn eq(&self, other: &Reply) -> bool {
        (self.code, self.status, &self.lines, &self.remote_mta, &self.smtp_command)
            == (other.code, other.status, &other.lines, &other.remote_mta, &other.smtp_command)
    }
}
impl Eq for Reply {}
impl std::hash::Hash for Reply {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.code, self.status, &self.lines, &self.remote_mta, &self.smtp_command).hash(state);
    }
}

impl Reply {
    /// Builds a reply from its parts. At least one of `code` and `status` is required. Lines
    /// are trimmed; a line may not contain CR or LF, and the first line may not start with what
    /// would read as a status or a code (pass those as `status`/`code`), so that
    /// [`Reply::to_wire`] always parses back to an equal reply.
    pub fn new(
        code: Option<ReplyCode>,
        status: Option<EnhancedStatus>,
        lines: Vec<String>,
        remote_mta: Option<String>,
        smtp_command: Option<String>,
    ) -> Result<Reply> {
        if code.is_none() && status.is_none() {
            return Err(Error::Syntax {
                expected: "a reply code or an enhanced status code",
                position: 0,
                found: lines.first().map(|l| excerpt(l)).unwrap_or_default(),
            });
        }
        let mut lines: Vec<String> = lines.into_iter().map(|l| l.trim().to_string()).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        if let Some(l) = lines.iter().find(|l| l.contains(['\r', '\n'])) {
            return Err(Error::Syntax {
                expected: "a line without CR or LF (one list item per line)",
                position: 0,
                found: excerpt(l),
            });
        }
        let first = lines[0].as_bytes();
        if status.is_none() && !matches!(status::scan(first, 0), Scan::None) {
            return Err(Error::Syntax {
                expected: "text that does not start with an enhanced status code (pass it as status)",
                position: 0,
                found: excerpt(&lines[0]),
            });
        }
        if let Some(c) = code
            && code_at(first, 0).is_some_and(|(v, sep)| v == c.value() && matches!(sep, Some(b' ' | b'-')))
        {
            return Err(Error::Syntax {
                expected: "text that does not start with the reply code again (it would read as the code written twice)",
                position: 0,
                found: excerpt(&lines[0]),
            });
        }
        if code.is_none() && code_at(first, 0).is_some() {
            return Err(Error::Syntax {
                expected: "text that does not start with a reply code (pass it as code)",
                position: 0,
                found: excerpt(&lines[0]),
            });
        }
        let last = lines.last().map(String::as_str).unwrap_or_default();
        if last.ends_with("command)") && last.contains("(in reply to ") {
            return Err(Error::Syntax {
                expected: "text that does not end with a Postfix \"(in reply to … command)\" trailer (pass it as smtp_command)",
                position: 0,
                found: excerpt(last),
            });
        }
        let reply = Reply { code, status, lines, remote_mta, smtp_command, unwrapped: Vec::new() };
        if let Some(w) = wrap::find(&reply.text_cow(), 0, true).filter(|w| w.closed) {
            return Err(Error::Syntax {
                expected: "text that does not quote another reply (pass the inner reply)",
                position: w.start,
                found: excerpt(&reply.lines[0]),
            });
        }
        let wire = reply.to_wire().len();
        if wire > MAX_INPUT_BYTES {
            return Err(Error::TooLong { len: wire, max: MAX_INPUT_BYTES });
        }
        Ok(reply)
    }

    pub fn code(&self) -> Option<ReplyCode> {
        self.code
    }
    pub fn status(&self) -> Option<EnhancedStatus> {
        self.status
    }
    /// Text of each line, without code and status. Never empty.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
    /// The text of all lines joined by one space (empty lines skipped).
    pub fn text(&self) -> String {
        join_lines(&self.lines)
    }
    /// [`Reply::text`] without a copy for the common one-line reply (the classifier's hot path).
    pub fn text_cow(&self) -> std::borrow::Cow<'_, str> {
        match self.lines.as_slice() {
            [one] => std::borrow::Cow::Borrowed(one.as_str()),
            lines => std::borrow::Cow::Owned(join_lines(lines)),
        }
    }
    /// The host that sent the reply, when the input names it (Postfix `host X said:`).
    pub fn remote_mta(&self) -> Option<&str> {
        self.remote_mta.as_deref()
    }
    /// The SMTP command the reply answered, when the input names it
    /// (Postfix `(in reply to RCPT TO command)` gives `RCPT TO`).
    pub fn smtp_command(&self) -> Option<&str> {
        self.smtp_command.as_deref()
    }

    /// The ids of the wrappers (`data/wrappers.toml`) that [`parse`] took off to find this reply,
    /// outermost first; empty for a reply that stood alone or was built with [`Reply::new`].
    pub fn unwrapped(&self) -> &[&'static str] {
        &self.unwrapped
    }

    /// This reply, answering the SMTP command `command` (`"RCPT"`, `"DATA"` …).
    #[must_use]
    pub fn with_smtp_command(mut self, command: &str) -> Reply {
        self.smtp_command = Some(command.to_string());
        self
    }

    /// The reply's kind: from the basic code, or from the status class when there is no code.
    pub fn kind(&self) -> ReplyKind {
        match (self.code, self.status) {
            (Some(c), _) => c.kind(),
            (None, Some(s)) => match s.class() {
                StatusClass::Success => ReplyKind::PositiveCompletion,
                StatusClass::PersistentTransientFailure => ReplyKind::TransientNegative,
                StatusClass::PermanentFailure => ReplyKind::PermanentNegative,
            },
            (None, None) => unreachable!("a Reply always has a code or a status"),
        }
    }
    /// The reply's category (second digit), `None` without a basic code or for x6z–x9z.
    pub fn category(&self) -> Option<Category> {
        self.code.and_then(ReplyCode::category)
    }
    pub fn is_success(&self) -> bool {
        matches!(self.kind(), ReplyKind::PositiveCompletion | ReplyKind::PositiveIntermediate)
    }
    pub fn is_transient(&self) -> bool {
        self.kind() == ReplyKind::TransientNegative
    }
    pub fn is_permanent(&self) -> bool {
        self.kind() == ReplyKind::PermanentNegative
    }
    /// True when the basic code and the enhanced status class disagree (`550 4.2.2`,
    /// `250 5.0.0`). RFC 3463 §2 (and RFC 2034 §4) want the class to match the code's
    /// first digit; 3xx intermediate replies go with class 2.
    pub fn conflict(&self) -> bool {
        match (self.code, self.status) {
            (Some(c), Some(s)) => {
                let first = c.value() / 100;
                let expected = if first == 3 { 2 } else { first };
                s.class().digit() != expected
            }
            _ => false,
        }
    }

    /// The wire form without the wrappers (it parses back to an equal reply when it fits in
    /// [`MAX_INPUT_BYTES`]; a parsed multi-line reply whose lines had no codes grows by the code
    /// and status added to each line, so near the limit it may not): `550 5.1.1 text`, or one
    /// `550-5.1.1 …` line per line with CRLF between them (RFC 5321 §4.2.1).
    pub fn to_wire(&self) -> String {
        let mut out = String::new();
        let n = self.lines.len();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push_str("\r\n");
            }
            let last = i + 1 == n;
            match self.code {
                Some(c) => {
                    out.push_str(&c.to_string());
                    out.push(if last { ' ' } else { '-' });
                    if let Some(s) = self.status {
                        out.push_str(&s.to_string());
                        out.push(' ');
                    }
                }
                None if i == 0 => {
                    if let Some(s) = self.status {
                        out.push_str(&s.to_string());
                        out.push(' ');
                    }
                }
                None => {}
            }
            out.push_str(line);
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl std::str::FromStr for Reply {
    type Err = Error;
    fn from_str(s: &str) -> Result<Reply> {
        parse(s)
    }
}

/// Lines joined by one space, empty lines left out (a reply's text, an unfolded field).
pub(crate) fn join_lines(lines: &[String]) -> String {
    let mut out = String::new();
    for l in lines.iter().filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(l);
    }
    out
}

/// Parses bytes, decoding them as UTF-8 with invalid sequences replaced (never an error for
/// the encoding alone). The length limit applies to the bytes; error positions are byte
/// offsets into `input`.
pub fn parse_bytes(input: &[u8]) -> Result<Reply> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLong { len: input.len(), max: MAX_INPUT_BYTES });
    }
    if let Ok(text) = std::str::from_utf8(input) {
        return parse_checked(text);
    }
    // Decode as String::from_utf8_lossy does, remembering where each piece came from so that an
    // error position is a byte offset into `input`, not into the decoded text.
    let mut text = String::with_capacity(input.len() + 16);
    let mut marks: Vec<(usize, usize, bool)> = Vec::new(); // (offset in text, offset in input, replacement?)
    let mut raw = 0;
    for chunk in input.utf8_chunks() {
        marks.push((text.len(), raw, false));
        text.push_str(chunk.valid());
        raw += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            marks.push((text.len(), raw, true));
            text.push(char::REPLACEMENT_CHARACTER);
            raw += chunk.invalid().len();
        }
    }
    parse_checked(&text).map_err(|e| {
        e.map_position(|p| {
            let i = marks.partition_point(|m| m.0 <= p).saturating_sub(1);
            match marks.get(i) {
                Some(&(t, r, false)) => r + (p - t),
                Some(&(_, r, true)) => r,
                None => p,
            }
        })
    })
}

/// Parses one SMTP reply in any of the shapes listed in the module documentation.
pub fn parse(input: &str) -> Result<Reply> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLong { len: input.len(), max: MAX_INPUT_BYTES });
    }
    parse_checked(input)
}

/// How deep wrappers may nest (`Remote Server returned '< #5.0.0 smtp; … 550-'…'>'` is three).
const MAX_DEPTH: u8 = 4;
/// How many wrapper matches one parse tries, over all levels, before giving up: each try is one
/// linear search (and one `after` search), so the work stays linear in the input whatever it
/// holds (64 KiB of `Remote host said: ` took 0.6 s with a budget per level, and 6 ms now).
const MAX_TRIES: usize = 12;

/// [`parse`] without the length check (the caller checked the raw input).
fn parse_checked(input: &str) -> Result<Reply> {
    let mut unwrapped = Vec::new();
    let mut budget = MAX_TRIES;
    let mut reply = parse_level(input, 0, 0, &mut Walk { unwrapped: &mut unwrapped, budget: &mut budget })?;
    reply.unwrapped = unwrapped;
    Ok(reply)
}

/// True when `b` starts with a reply code or an enhanced status code.
fn starts_reply(b: &[u8]) -> bool {
    code_at(b, 0).is_some() || matches!(status::scan(b, 0), Scan::Status(..))
}

/// The state of one parse across wrapper levels: the ids of the wrappers taken off, outermost
/// first, and how many wrapper matches may still be tried.
struct Walk<'a> {
    unwrapped: &'a mut Vec<&'static str>,
    budget: &'a mut usize,
}

/// Parses `s`, found at byte `base` of the input, `depth` wrappers deep.
fn parse_level(s: &str, base: usize, depth: u8, walk: &mut Walk<'_>) -> Result<Reply> {
    let mut cur = Cursor::new(s);
    if cur.rest().is_empty() {
        return Err(if depth == 0 { Error::Empty } else { syntax_after_prefix(base + cur.pos) });
    }
    // RFC 3464 §2.3.6: a Diagnostic-Code value is `diagnostic-type; text`, here with or without
    // the field name.
    cur.strip_prefix_ci("diagnostic-code:");
    cur.skip_ws();
    cur.diagnostic_type();
    // Postfix writes one trailer; any more before it are taken off too (the last names the
    // command), so that no parsed text ends with one and the wire form reads back the same.
    let smtp_command = cur.strip_in_reply_to();
    while cur.strip_in_reply_to().is_some() {}
    if cur.rest().is_empty() {
        return Err(syntax_after_prefix(base + cur.pos));
    }
    let rest = cur.rest();
    let at = base + cur.pos;
    if starts_reply(rest.as_bytes()) {
        let mut reply = if depth == 0 { parse_core(rest, at)? } else { parse_cut(rest, at)? };
        // A wrapper inside the reply's own text nests the reply that really answered
        // (`5.1.0 - Unknown address error 550-'5.7.1 …'`): the inner one wins.
        if depth < MAX_DEPTH
            && let Some(mut inner) = unwrap_at(rest, at, depth, true, walk).and_then(Result::ok)
        {
            // The outer status describes the same failure: kept when the inner reply has none
            // and its class agrees with the inner code (RFC 3463 §2).
            if inner.status.is_none() {
                inner.status =
                    reply.status.filter(|st| inner.code.is_none_or(|c| st.class().digit() == c.value() / 100));
            }
            reply = inner;
        }
        if reply.smtp_command.is_none() {
            reply.smtp_command = smtp_command;
        }
        return Ok(reply);
    }
    if depth < MAX_DEPTH
        && let Some(found) = unwrap_at(rest, at, depth, false, walk)
    {
        let mut reply = found?;
        // Postfix's trailer names the command the reply answered: it wins over the command a
        // wrapper's words imply.
        if smtp_command.is_some() {
            reply.smtp_command = smtp_command;
        }
        return Ok(reply);
    }
    // Not a reply, and no wrapper holds one: the core parser's error says what and where.
    parse_core(rest, at)
}

/// The reply after the leftmost wrapper of `s` whose text parses (`nested`: only the wrappers
/// that stand inside a reply's text). `None` when no wrapper occurs; the first parse error when
/// wrappers occur but none is followed by a reply.
fn unwrap_at(s: &str, base: usize, depth: u8, nested: bool, walk: &mut Walk<'_>) -> Option<Result<Reply>> {
    let mut from = 0;
    let mut first_error = None;
    while *walk.budget > 0 {
        *walk.budget -= 1;
        let Some(found) = wrap::find(s, from, nested) else { break };
        // Inside a reply's own text, only a wrapper that is closed where its source says it
        // is (the quote after `550-'…`) stands for another reply: an open one is just text.
        if nested && !found.closed {
            from = after_match(s, &found);
            continue;
        }
        let text = &s[found.reply_start..found.reply_end];
        let rewritten = wrap::rewrite(found.wrapper, text);
        let inner_text = rewritten.as_deref().unwrap_or(text);
        let mark = walk.unwrapped.len();
        walk.unwrapped.push(found.wrapper.id);
        match wrapped_reply(inner_text, base + found.reply_start, depth + 1, &found, walk) {
            Ok(reply) => return Some(Ok(reply)),
            Err(e) => {
                walk.unwrapped.truncate(mark);
                first_error.get_or_insert(e);
                // The next search starts where this match ended: a later wrapper may hold the
                // reply (one starting inside this match would find the same text after it).
                from = after_match(s, &found);
            }
        }
    }
    first_error.map(Err)
}

/// Where the search for the next wrapper starts: after `found`, on a character boundary.
fn after_match(s: &str, found: &wrap::Found) -> usize {
    let mut from = found.reply_start.max(found.start + 1);
    while from < s.len() && !s.is_char_boundary(from) {
        from += 1;
    }
    from
}

/// The reply inside `found`: parsed from its text, with the wrapper's code, status, host and
/// command filling in what the reply does not say. A wrapper that gives the basic code apart
/// (`ERROR_CODE :550, ERROR_CODE :, Host not reachable.`) makes a reply of that code and the text.
fn wrapped_reply(text: &str, base: usize, depth: u8, found: &wrap::Found, walk: &mut Walk<'_>) -> Result<Reply> {
    let mut reply = match parse_level(text, base, depth, walk) {
        Ok(r) => r,
        Err(e) => {
            // The wrapper gives the code apart from the text: the reply is the code and the
            // text, read as the core parser reads `CODE text` (so that its wire form parses back).
            let code = found.code.ok_or(e)?;
            let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ':').trim_end();
            let prefix = format!("{code} ");
            parse_cut(&(prefix.clone() + t), 0)
                .map_err(|e| e.map_position(|p| base + p.saturating_sub(prefix.len()).min(text.len())))?
        }
    };
    if reply.code.is_none()
        && let Some(c) = found.code
    {
        reply.code = Some(ReplyCode::checked(c, base)?);
    }
    if reply.status.is_none() {
        reply.status = found.status;
    }
    if reply.remote_mta.is_none() {
        reply.remote_mta.clone_from(&found.host);
    }
    if reply.smtp_command.is_none() {
        reply.smtp_command.clone_from(&found.command);
    }
    Ok(reply)
}

/// [`parse_core`] for a reply found inside a wrapper: the reply ends where a line with another
/// code starts (a transcript goes on with the client's own summary, `554 5.0.0 Service
/// unavailable`; a bounce body goes on after the reply).
fn parse_cut(s: &str, base: usize) -> Result<Reply> {
    match parse_core(s, base) {
        Err(Error::MixedCodes { position, .. }) if position > base => {
            let cut = position - base;
            let line_start = s[..cut].rfind(['\n', '\r']).unwrap_or(cut);
            parse_core(s[..line_start].trim_end(), base)
        }
        other => other,
    }
}

fn syntax_after_prefix(position: usize) -> Error {
    Error::Syntax {
        expected: "a reply code or an enhanced status code after the prefix",
        position,
        found: String::new(),
    }
}

/// A view of the input that wrappers are peeled off from both ends.
struct Cursor<'a> {
    full: &'a str,
    pos: usize,
    end: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        let mut c = Cursor { full: s, pos: 0, end: s.len() };
        // A byte-order mark (U+FEFF) in front is an artefact of the file or tool, not the reply.
        if c.rest().starts_with('\u{FEFF}') {
            c.pos += '\u{FEFF}'.len_utf8();
        }
        c.skip_ws();
        c.trim_end();
        c
    }
    fn rest(&self) -> &'a str {
        &self.full[self.pos..self.end]
    }
    fn skip_ws(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }
    fn trim_end(&mut self) {
        let r = self.rest();
        self.end -= r.len() - r.trim_end().len();
    }
    fn strip_prefix_ci(&mut self, p: &str) -> bool {
        let r = self.rest().as_bytes();
        if r.len() >= p.len() && r[..p.len()].eq_ignore_ascii_case(p.as_bytes()) {
            self.pos += p.len();
            true
        } else {
            false
        }
    }
    /// A DSN diagnostic-type (RFC 3464 §2.3.6): `smtp;` or an `x-` atom such as `X-Postfix;`.
    fn diagnostic_type(&mut self) -> bool {
        let b = self.rest().as_bytes();
        let n = b.iter().take(40).take_while(|c| c.is_ascii_alphanumeric() || **c == b'-').count();
        let atom = &b[..n];
        let known = atom.eq_ignore_ascii_case(b"smtp") || (n > 2 && atom[..2].eq_ignore_ascii_case(b"x-"));
        if !known {
            return false;
        }
        let mut i = n;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if b.get(i) != Some(&b';') {
            return false;
        }
        self.pos += i + 1;
        self.skip_ws();
        true
    }
    /// Postfix's trailer `(in reply to RCPT TO command)`; returns `RCPT TO`.
    fn strip_in_reply_to(&mut self) -> Option<String> {
        let r = self.rest();
        if !r.ends_with("command)") {
            return None;
        }
        let open = r.rfind("(in reply to ")?;
        let inner = r.get(open + "(in reply to ".len()..r.len() - "command)".len())?;
        // Postfix writes the trailer on one line: across a line end it is reply text, and the
        // wire form (which rejoins the lines) must not turn it into a trailer.
        let cmd = inner.trim().to_string();
        if cmd.is_empty() || cmd.len() > 40 || inner.contains(['\r', '\n']) {
            return None;
        }
        self.end = self.pos + open;
        self.trim_end();
        Some(cmd)
    }
}

/// Lines as [`parse`] counts them: CRLF, LF and a lone CR each end one.
fn count_lines(s: &str) -> usize {
    s.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r').count()).sum()
}

/// `true` when `b[i..]` starts with three ASCII digits followed by the end, white space or '-'.
fn code_at(b: &[u8], i: usize) -> Option<(u16, Option<u8>)> {
    if b.len() < i + 3 || !b[i..i + 3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = b.get(i + 3).copied();
    match sep {
        None | Some(b' ' | b'\t' | b'-') => {}
        _ => return None,
    }
    let v = b[i..i + 3].iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    Some((v, sep))
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// Parses the reply proper (no wrappers). `base` is the byte offset of `s` in the input.
fn parse_core(s: &str, base: usize) -> Result<Reply> {
    // Most replies are one line: one vectorised search for a line end decides, instead of the
    // four scans of the text that unfolding and splitting at LF and at CR would make.
    let one_line = memchr::memchr2(b'\n', b'\r', s.as_bytes()).is_none();
    let unfolded = if one_line { unfold(s) } else { None };
    if one_line && unfolded.is_none() {
        let (code, status, text) = parse_head(s, base)?;
        return Ok(Reply {
            code,
            status,
            lines: vec![text.to_string()],
            remote_mta: None,
            smtp_command: None,
            unwrapped: Vec::new(),
        });
    }
    let s = unfolded.as_deref().unwrap_or(s);
    let mut code: Option<ReplyCode> = None;
    let mut status: Option<EnhancedStatus> = None;
    let mut lines: Vec<String> = Vec::new();
    let mut offset = 0usize;
    let mut first = true;

    for raw in s.split('\n') {
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        // A lone CR also ends a line.
        for part in line.split('\r') {
            let at = base + line_start + (part.as_ptr() as usize - raw.as_ptr() as usize);
            if first {
                first = false;
                let (c, st, text) = parse_head(part, at)?;
                code = c;
                status = st;
                lines.push(text.to_string());
                continue;
            }
            if part.trim().is_empty() {
                continue;
            }
            if lines.len() >= MAX_LINES {
                return Err(Error::TooManyLines { lines: count_lines(s), max: MAX_LINES });
            }
            let b = part.as_bytes();
            let lead = skip_blanks(b, 0);
            match (code, code_at(b, lead)) {
                (Some(c), Some((v, _))) if v != c.value() && ReplyCode::new(v).is_ok() => {
                    return Err(Error::MixedCodes {
                        line: lines.len() + 1,
                        expected: c.value(),
                        found: v,
                        position: base + (part.as_ptr() as usize - s.as_ptr() as usize) + lead,
                    });
                }
                (Some(c), Some((v, _))) if v == c.value() => {
                    let mut i = skip_blanks(b, lead + 4.min(b.len() - lead));
                    if let (Some(st), Scan::Status(s2, end)) = (status, status::scan(b, i))
                        && s2 == st
                    {
                        i = skip_blanks(b, end);
                    }
                    lines.push(part[i..].trim_end().to_string());
                }
                _ => lines.push(part.trim().to_string()),
            }
        }
    }
    Ok(Reply { code, status, lines, remote_mta: None, smtp_command: None, unwrapped: Vec::new() })
}

/// A multi-line reply flattened onto one line, as DSN Diagnostic-Code fields carry it once
/// unfolded (`550-5.1.1 The email account … 550-5.1.1 double-checking … 550 5.1.1 …`): when a
/// single-line input starts with `CODE-`, each ` CODE-` or ` CODE ` later in it starts a new
/// line. Only a space is replaced, so byte positions stay the same. The caller checked that
/// `s` has no CR or LF.
fn unfold(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 5 || b[3] != b'-' || code_at(b, 0).is_none() {
        return None;
    }
    let code = &b[..3];
    let mut out = b.to_vec();
    let mut changed = false;
    let mut i = 4;
    while i + 4 <= b.len() {
        if b[i] == b' ' && &b[i + 1..i + 4] == code && matches!(b.get(i + 4), None | Some(b'-' | b' ')) {
            out[i] = b'\n';
            changed = true;
            i += 4;
        } else {
            i += 1;
        }
    }
    // Only ASCII spaces were replaced by ASCII newlines: still valid UTF-8.
    changed.then(|| String::from_utf8(out).unwrap_or_else(|_| s.to_string()))
}

/// The first line: `CODE[ -]STATUS text`, `CODE text`, `STATUS CODE text` or `STATUS text`.
fn parse_head(line: &str, at: usize) -> Result<(Option<ReplyCode>, Option<EnhancedStatus>, &str)> {
    let b = line.as_bytes();
    let shift = |e: Error| match e {
        Error::InvalidStatus { text, position, why } => Error::InvalidStatus { text, position: position + at, why },
        other => other,
    };
    if let Some((v, sep)) = code_at(b, 0) {
        let code = ReplyCode::checked(v, at)?;
        let mut i = if sep.is_some() { 4 } else { 3 };
        i = skip_blanks(b, i);
        // The code written twice (`450 450 4.2.2 …`: Gmail's bounces put their own code in front
        // of the remote reply, which starts with it too).
        while sep.is_some()
            && let Some((again, Some(b' ' | b'-'))) = code_at(b, i)
            && again == v
        {
            i = skip_blanks(b, i + 4);
        }
        let mut status = None;
        match status::scan(b, i) {
            Scan::Status(st, end) => {
                status = Some(st);
                i = skip_blanks(b, end);
            }
            Scan::Invalid(e) => return Err(shift(e)),
            Scan::None => {}
        }
        return Ok((Some(code), status, line[i..].trim_end()));
    }
    match status::scan(b, 0) {
        Scan::Status(st, end) => {
            let mut i = skip_blanks(b, end);
            let mut code = None;
            if let Some((v, _)) = code_at(b, i) {
                code = Some(ReplyCode::checked(v, at + i)?);
                i = skip_blanks(b, i + 3);
            }
            Ok((code, Some(st), line[i..].trim_end()))
        }
        Scan::Invalid(e) => Err(shift(e)),
        Scan::None => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            let expected = if digits >= 3 {
                "a space or '-' after the 3-digit reply code (RFC 5321 §4.2)"
            } else {
                "a 3-digit reply code (RFC 5321 §4.2) or an enhanced status code such as 5.1.1 (RFC 3463)"
            };
            Err(Error::Syntax {
                expected,
                position: at + if digits >= 3 { 3 } else { 0 },
                found: excerpt(&line[if digits >= 3 { 3 } else { 0 }..]),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Reply {
        parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn single_line_with_status() {
        let r = p("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown");
        assert_eq!(r.code().unwrap().value(), 550);
        assert_eq!(r.status().unwrap().to_string(), "5.1.1");
        assert_eq!(r.text(), "<bob@example.com>: Recipient address rejected: User unknown");
        assert_eq!(r.kind(), ReplyKind::PermanentNegative);
        assert_eq!(r.category(), Some(Category::MailSystem));
        assert!(r.is_permanent() && !r.is_transient() && !r.is_success() && !r.conflict());
    }

    #[test]
    fn code_alone_and_code_with_text() {
        let r = p("250");
        assert_eq!((r.code().unwrap().value(), r.status(), r.text().as_str()), (250, None, ""));
        assert_eq!(r.lines(), &[String::new()]);
        let r = p("421 Service not available\r\n");
        assert_eq!(r.text(), "Service not available");
        assert!(r.is_transient());
    }

    #[test]
    fn multi_line() {
        let r = p("250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 35882577");
        assert_eq!(r.lines(), &["mx.example.com", "PIPELINING", "SIZE 35882577"]);
        assert_eq!(r.text(), "mx.example.com PIPELINING SIZE 35882577");
        let g = p(
            "550-5.1.1 The email account that you tried to reach does not exist.\n550-5.1.1 Please try double-checking\n550 5.1.1 the address. - gsmtp",
        );
        assert_eq!(g.status().unwrap().to_string(), "5.1.1");
        assert_eq!(g.lines().len(), 3);
        assert_eq!(g.lines()[2], "the address. - gsmtp");
        // Lone CR line ends, and a continuation line without a code.
        let r = p("550 5.7.1 first\rsecond");
        assert_eq!(r.lines(), &["first", "second"]);
    }

    #[test]
    fn multi_line_flattened_onto_one_line() {
        let r = p(
            "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. 550 5.1.1 Learn more - gsmtp",
        );
        assert_eq!(r.lines().len(), 4);
        assert_eq!(r.lines()[1], "double-checking the recipient's email address for typos or");
        assert_eq!(
            r.text(),
            "The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. Learn more - gsmtp"
        );
        let r =
            p("554-mail.com Nemesis ESMTP Service not available 554-No SMTP service 554 Bad DNS PTR resource record");
        assert_eq!(
            r.lines(),
            &["mail.com Nemesis ESMTP Service not available", "No SMTP service", "Bad DNS PTR resource record"]
        );
        // A single-line reply that merely mentions its code is left alone.
        assert_eq!(p("550 limit is 550 messages").lines().len(), 1);
    }

    #[test]
    fn three_digit_subject_and_detail() {
        assert_eq!(p("451 4.7.650 The mail server has been temporarily rate limited").status().unwrap().detail(), 650);
        assert_eq!(p("550 5.7.515 Access denied").status().unwrap().to_string(), "5.7.515");
    }

    #[test]
    fn dsn_diagnostic_codes() {
        for s in [
            "smtp; 550 5.1.1 User unknown",
            "SMTP;550 5.1.1 User unknown",
            "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
            "X-Postfix; 550 5.1.1 User unknown",
        ] {
            let r = p(s);
            assert_eq!(
                (r.code().unwrap().value(), r.status().unwrap().to_string(), r.text()),
                (550, "5.1.1".into(), "User unknown".into()),
                "{s}"
            );
        }
    }

    #[test]
    fn exchange_ndr_lines() {
        let r = p("#5.1.1 smtp;550 5.1.1 mailbox unavailable");
        assert_eq!(
            (r.code().unwrap().value(), r.status().unwrap().to_string(), r.text().as_str()),
            (550, "5.1.1".into(), "mailbox unavailable")
        );
        let r = p("#4.2.1 smtp;550 mailbox temporarily disabled");
        assert_eq!(r.status().unwrap().to_string(), "4.2.1");
        assert!(r.conflict());
        let r = p("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##");
        assert_eq!(r.text(), "RESOLVER.ADR.RecipNotFound; not found");
        let r = p("Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'");
        assert_eq!(r.text(), "RESOLVER.ADR.RecipNotFound; not found");
    }

    #[test]
    fn postfix_said() {
        let r = p(
            "host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)",
        );
        assert_eq!(r.remote_mta(), Some("mx.example.com[192.0.2.1]"));
        assert_eq!(r.smtp_command(), Some("RCPT TO"));
        assert_eq!(r.code().unwrap().value(), 550);
        assert!(r.text().ends_with("virtual mailbox table"));
        let r = p(
            "smtp; host mx.example.org[198.51.100.7] refused to talk to me: 554 5.7.1 blocked (in reply to end of DATA command)",
        );
        assert_eq!((r.remote_mta(), r.smtp_command()), (Some("mx.example.org[198.51.100.7]"), Some("end of DATA")));
        let r = p(
            "X-Postfix; delivery temporarily suspended: host mx.example.net[203.0.113.127] refused to talk to me: 421 Service unavailable",
        );
        assert_eq!((r.code().unwrap().value(), r.remote_mta()), (421, Some("mx.example.net[203.0.113.127]")));
    }

    #[test]
    fn status_first_status_alone_and_dash() {
        let r = p("5.1.1 550 User unknown");
        assert_eq!(
            (r.code().unwrap().value(), r.status().unwrap().to_string(), r.text().as_str()),
            (550, "5.1.1".into(), "User unknown")
        );
        let r = p("5.7.1 Message rejected");
        assert_eq!(
            (r.code(), r.status().unwrap().to_string(), r.kind()),
            (None, "5.7.1".into(), ReplyKind::PermanentNegative)
        );
        assert_eq!(r.category(), None);
        let r = p("550-5.7.1");
        assert_eq!(
            (r.code().unwrap().value(), r.status().unwrap().to_string(), r.text().as_str()),
            (550, "5.7.1".into(), "")
        );
    }

    #[test]
    fn conflict_is_visible() {
        assert!(p("550 4.2.2 mailbox full").conflict());
        assert!(!p("354 2.0.0 go ahead").conflict());
        assert!(!p("452 4.2.2 over quota").conflict());
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(parse("").unwrap_err(), Error::Empty);
        assert_eq!(parse(" \r\n ").unwrap_err(), Error::Empty);
        let e = parse("hello world").unwrap_err();
        assert!(matches!(e, Error::Syntax { position: 0, .. }), "{e}");
        assert!(e.to_string().contains("3-digit reply code"));
        let e = parse("650 nope").unwrap_err();
        assert_eq!(e, Error::InvalidReplyCode { code: 650, position: 0, why: "the first digit must be 2, 3, 4 or 5" });
        let r = p("571 Delivery not authorized");
        assert_eq!((r.code().unwrap().value(), r.category(), r.is_permanent()), (571, None, true));
        assert!(matches!(parse("199 x").unwrap_err(), Error::InvalidReplyCode { .. }));
        assert!(matches!(parse("smtp; 6.1.1 x").unwrap_err(), Error::InvalidStatus { position: 6, .. }));
        assert!(matches!(parse("5501 x").unwrap_err(), Error::Syntax { position: 3, .. }));
        assert!(matches!(
            parse("550-a\r\n451 b").unwrap_err(),
            Error::MixedCodes { line: 2, expected: 550, found: 451, position: 7 }
        ));
        assert!(matches!(parse("smtp;").unwrap_err(), Error::Syntax { .. }));
        let long = "5".repeat(MAX_INPUT_BYTES + 1);
        assert!(matches!(parse(&long).unwrap_err(), Error::TooLong { .. }));
        let many = "250-x\n".repeat(MAX_LINES + 1) + "250 y";
        assert!(matches!(parse(&many).unwrap_err(), Error::TooManyLines { .. }));
    }

    #[test]
    fn constructed_replies_always_round_trip() {
        let st = |t: &str| EnhancedStatus::parse(t).unwrap();
        let code = ReplyCode::new(250).ok();
        assert!(Reply::new(code, None, vec!["2.0.0 x".into()], None, None).is_err());
        assert!(Reply::new(code, None, vec!["6.1.1 x".into()], None, None).is_err());
        assert!(Reply::new(None, Some(st("5.1.1")), vec!["550 x".into()], None, None).is_err());
        assert!(Reply::new(code, None, vec!["a\nb".into()], None, None).is_err());
        assert!(Reply::new(None, None, vec!["x".into()], None, None).is_err());
        assert!(Reply::new(code, None, vec!["x (in reply to RCPT TO command)".into()], None, None).is_err());
        assert!(Reply::new(code, None, vec!["x".repeat(MAX_INPUT_BYTES)], None, None).is_err());
        let r = p("#550 5.1.1 x (in reply to RCPT TO command) ##");
        assert_eq!((r.text().as_str(), r.smtp_command()), ("x", Some("RCPT TO")));
        assert_eq!(p("\u{FEFF}250 OK").text(), "OK");
        let r = Reply::new(code, Some(st("2.0.0")), vec!["  ok  ".into(), "250 more".into()], None, None).unwrap();
        assert_eq!(r.lines(), &["ok", "250 more"]);
        assert_eq!(p(&r.to_wire()), r);
    }

    #[test]
    fn byte_errors_point_into_the_bytes() {
        // Two invalid bytes become one U+FFFD (3 bytes): positions after it still count input bytes.
        let e = parse_bytes(b"\xff\xfe garbage").unwrap_err();
        assert_eq!(e.position(), Some(0));
        let e = parse_bytes(b"smtp; \xff 6.1.1 x").unwrap_err();
        assert_eq!(e.position(), Some(6));
        let e = parse_bytes(b"550 \xc3\xa9\xff 6.1.1").map(|r| r.text());
        assert_eq!(e.unwrap(), "\u{e9}\u{FFFD} 6.1.1");
        // The limit applies to the bytes, not to the decoded text (each bad byte grows to 3).
        let mut big = b"550 ".to_vec();
        big.extend(std::iter::repeat_n(0xffu8, MAX_INPUT_BYTES - 4));
        assert!(parse_bytes(&big).is_ok());
        assert_eq!(count_lines("a\rb\r\nc\nd"), 4);
    }

    #[test]
    fn ip_addresses_are_not_statuses() {
        let r = p("554 5.7.1.1 is not a status");
        assert_eq!(r.status(), None);
        assert_eq!(r.text(), "5.7.1.1 is not a status");
    }

    #[test]
    fn bytes_are_decoded_lossily() {
        let r = parse_bytes(b"550 5.1.1 Benutzer \xfcnbekannt").unwrap();
        assert!(r.text().contains('\u{FFFD}'));
    }

    #[test]
    fn wire_form_round_trips() {
        for s in ["550 5.1.1 User unknown", "250-a\r\n250 b", "5.7.1 Message rejected", "250", "421 4.7.0 Try later"] {
            let r = p(s);
            assert_eq!(p(&r.to_wire()), r, "{s}");
        }
        assert_eq!(p("250-a\n250 b").to_wire(), "250-a\r\n250 b");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_on_strings(s in "\\PC{0,80}") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_reply_like_strings(s in "(smtp; |#5\\.1\\.1 |host h said: )?[2-6][0-9]{2}[- ]?([245]\\.[0-9]{1,4}\\.[0-9]{1,4})?[ \\-\r\n#a-z0-9]{0,30}") {
            if let Ok(r) = parse(&s)
                && r.remote_mta().is_none()
                && r.smtp_command().is_none()
            {
                prop_assert_eq!(parse(&r.to_wire()).unwrap(), r);
            }
        }

        #[test]
        fn never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..80)) {
            let _ = parse_bytes(&b);
        }

        #[test]
        fn formatted_replies_parse_back(
            code in prop::sample::select(vec![250u16, 354, 421, 450, 451, 452, 550, 552, 553, 554]),
            status in prop::option::of((prop::sample::select(vec![2u16, 4, 5]), 0u16..=999, 0u16..=999)),
            lines in prop::collection::vec("[A-Za-z<>@.:;,()\\[\\]][A-Za-z0-9 <>@.:;,()\\[\\]-]{0,30}[A-Za-z.)>]", 1..4),
        ) {
            let st = status.map(|(c, s, d)| EnhancedStatus::new(c, s, d).unwrap());
            let r = Reply::new(Some(ReplyCode::new(code).unwrap()), st, lines, None, None).unwrap();
            prop_assert_eq!(parse(&r.to_wire()).unwrap(), r);
        }
    }
}

#[cfg(test)]
mod wrapper_tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct File {
        wrapper: Vec<Row>,
    }
    #[derive(Deserialize)]
    struct Row {
        id: String,
        examples: Vec<Example>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Example {
        text: String,
        #[serde(default)]
        code: Option<u16>,
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        host: Option<String>,
        #[serde(default)]
        command: Option<String>,
    }

    #[test]
    fn wrappers_compile() {
        wrap::compiles().unwrap();
    }

    /// Every example of data/wrappers.toml parses through its own wrapper, to the code, status,
    /// host and command it states.
    #[test]
    fn every_wrapper_reads_its_examples() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/wrappers.toml")).unwrap();
        let file: File = toml::from_str(&text).unwrap();
        assert_eq!(file.wrapper.len(), WRAPPERS.len());
        let mut failures = Vec::new();
        for w in &file.wrapper {
            for ex in &w.examples {
                let r = match parse(&ex.text) {
                    Ok(r) => r,
                    Err(e) => {
                        failures.push(format!("{}: {:?}: {e}", w.id, ex.text));
                        continue;
                    }
                };
                let got = (
                    r.code().map(ReplyCode::value),
                    r.status().map(|s| s.to_string()),
                    r.unwrapped().contains(&w.id.as_str()),
                );
                let want = (ex.code, ex.status.clone(), true);
                let host_ok = ex.host.is_none() || r.remote_mta() == ex.host.as_deref();
                let command_ok = ex.command.is_none() || r.smtp_command() == ex.command.as_deref();
                if got != want || !host_ok || !command_ok {
                    failures.push(format!(
                        "{}: {:?}: got {got:?} host {:?} command {:?} unwrapped {:?}, want {want:?} host {:?} command {:?}",
                        w.id,
                        ex.text,
                        r.remote_mta(),
                        r.smtp_command(),
                        r.unwrapped(),
                        ex.host,
                        ex.command
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn wrapped_reply_text_is_the_reply_alone() {
        let r = parse(
            "SMTP error from remote mail server after RCPT TO:<bob@example.org>: host mx.example.org [192.0.2.1]: 550 5.1.1 <bob@example.org>... User unknown",
        )
        .unwrap();
        assert_eq!(r.text(), "<bob@example.org>... User unknown");
        let r = parse("192.0.2.153 does not like recipient.\nRemote host said: 550 5.1.1 <bob@example.jp>... User Unknown\nGiving up on 192.0.2.153.\n").unwrap();
        assert_eq!(r.text(), "<bob@example.jp>... User Unknown");
        let r = parse(
            ">>> DATA\n<<< 554-5.7.1 Message refused\n<<< 554 5.7.1 See the policy\n554 5.0.0 Service unavailable",
        )
        .unwrap();
        assert_eq!(r.lines(), &["Message refused", "See the policy"]);
        // An Exchange line quoting the remote reply, itself nesting another: the innermost wins.
        let r = parse("Remote Server returned '< #5.0.0 smtp; 5.1.0 - Unknown address error 550-'5.7.1 <bob@example.com>... Access denied' (delivery attempts: 0)>'").unwrap();
        assert_eq!(
            (r.code().map(ReplyCode::value), r.status().map(|s| s.to_string())),
            (Some(550), Some("5.7.1".into()))
        );
        assert_eq!(r.text(), "<bob@example.com>... Access denied");
        assert_eq!(r.unwrapped(), &["exchange-remote-server-returned", "exchange-angle", "exchange2003-quoted"]);
    }

    #[test]
    fn plain_replies_take_no_wrapper() {
        for s in ["550 5.1.1 User unknown", "250 2.0.0 Ok: queued as 4Bx", "smtp; 421 4.7.0 Try later"] {
            assert!(parse(s).unwrap().unwrapped().is_empty(), "{s}");
        }
    }

    #[test]
    fn text_without_a_reply_still_raises_with_a_position() {
        // The issue's own example: three digits in running text are not a reply.
        for s in [
            "Received 3 messages 250 ok",
            "hello world",
            "mx.example.com [192.0.2.1] did not like our final DATA: Unauthenticated email is not accepted",
            "Remote host said: nothing useful",
            "X-Unix; 77",
        ] {
            let e = parse(s).unwrap_err();
            assert!(e.position().is_some(), "{s}: {e}");
        }
        // The error points past the wrapper, where the reply should have been.
        let s = "mx.example.com [192.0.2.1] did not like our RCPT TO: Unauthenticated email";
        let e = parse(s).unwrap_err();
        assert_eq!(e.position(), Some(s.find("Unauth").unwrap()), "{e}");
    }

    #[test]
    fn a_wrapper_that_gives_the_code_apart_makes_a_reply_of_its_text() {
        let r = parse("Error, ERROR_CODE :421, ERROR_CODE :, Host not reachable.").unwrap();
        assert_eq!((r.code().map(ReplyCode::value), r.text().as_str()), (Some(421), "Host not reachable."));
    }

    #[test]
    fn a_reply_whose_text_opens_a_quote_is_not_a_wrapper() {
        // Found by fuzzing: the wire form `550-'x\r\n550 y` must read back as the reply it came
        // from, not as a quoted inner reply whose quote never closes.
        let r = Reply::new(
            ReplyCode::new(550).ok(),
            None,
            vec!["'kijitora@example.com".into(), "use it".into()],
            None,
            None,
        )
        .unwrap();
        assert_eq!(parse(&r.to_wire()).unwrap(), r);
        assert!(parse(&r.to_wire()).unwrap().unwrapped().is_empty());
    }

    #[test]
    fn a_code_from_the_wrapper_with_text_on_lines_split_by_lone_crs() {
        // Found by fuzzing: a lone CR in the text of a reply whose code the wrapper gives.
        let r = parse("ERROR_CODE :550, ERROR_CODE :Unknown user\rsecond line").unwrap();
        assert_eq!(r.lines(), &["Unknown user", "second line"]);
    }

    #[test]
    fn the_code_written_twice_reads_once_and_round_trips() {
        // Found by fuzzing: `550-550 …` and `550 550 …` read the same, and the wire form of the
        // result parses back to it.
        let a = parse("smtp; 550-550 5s please try again").unwrap();
        assert_eq!(a.text(), "5s please try again");
        assert_eq!(parse(&a.to_wire()).unwrap(), a);
        let a = parse("550 550 550 x").unwrap();
        assert_eq!((a.text().as_str(), parse(&a.to_wire()).unwrap() == a), ("x", true));
        assert!(Reply::new(ReplyCode::new(550).ok(), None, vec!["550 again".into()], None, None).is_err());
    }

    #[test]
    fn a_code_from_the_wrapper_reads_its_text_as_the_core_parser_would() {
        // Found by fuzzing: `550: 3.2.2 …` is not a reply (3.2.2 is no status, RFC 3463 §2), as
        // `550 3.2.2 …` is not; the wrapped form may not read as one either.
        assert!(parse("550: 3.2.2 <m> x").is_err());
        assert!(parse("550 3.2.2 <m> x").is_err());
    }

    #[test]
    fn stacked_postfix_trailers_all_come_off() {
        // Found by fuzzing: two trailers, the last naming the command.
        let r = parse("550 x (in reply to RCPT TO command) (in reply to MAIL FROM command)").unwrap();
        assert_eq!((r.text().as_str(), r.smtp_command()), ("x", Some("MAIL FROM")));
        assert_eq!(parse(&r.to_wire()).unwrap().text(), "x");
    }

    /// Every reply input the fuzzer found (tests/data/fuzz/parse_reply-*): a result keeps the
    /// promises the fuzz target checks (no CR/LF in a line, the wire form reads back the same).
    #[test]
    fn fuzz_finds_keep_their_promises() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
        let mut n = 0;
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path();
            if !path.file_name().unwrap().to_string_lossy().starts_with("parse_reply-") {
                continue;
            }
            n += 1;
            let Ok(r) = parse_bytes(&std::fs::read(&path).unwrap()) else { continue };
            assert!(r.lines().iter().all(|l| !l.contains(['\r', '\n'])), "{path:?}: {r:?}");
            let back = parse(&r.to_wire()).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            assert_eq!((back.code(), back.status(), back.lines()), (r.code(), r.status(), r.lines()), "{path:?}");
        }
        assert!(n >= 8, "{n} seeds");
    }

    #[test]
    fn constructed_replies_may_not_quote_another() {
        let code = ReplyCode::new(550).ok();
        let st = EnhancedStatus::parse("5.1.0").ok();
        assert!(
            Reply::new(code, st, vec!["Unknown address error 550-'5.7.1 Access denied'".into()], None, None).is_err()
        );
    }

    /// Inputs made of one wrapper repeated to the size limit: each is read with a bounded number
    /// of wrapper searches (MAX_TRIES over all levels), not tries to the power of the depth.
    /// (A budget per level took 0.6 s for the first; callgrind counts, not timed here.)
    #[test]
    fn repeated_wrappers_take_a_bounded_number_of_tries() {
        for unit in ["Remote host said: x ", "<<< ", "Remote Server returned '", "host a said: ", "(550, b'", "550-'"] {
            let s: String = unit.repeat(MAX_INPUT_BYTES / unit.len() - 1);
            match parse(&s) {
                Ok(r) => assert!(r.unwrapped().len() <= usize::from(MAX_DEPTH), "{unit}"),
                Err(e) => assert!(e.position().is_some_and(|p| p <= s.len()), "{unit}: {e}"),
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// Wrappers around any text: never a panic; a result is a reply with a code or status.
        #[test]
        fn wrapped_inputs_never_panic(
            pre in "(SMTP error from remote mail server after RCPT TO:<a@b>: host h [1.2.3.4]: |Remote host said: |<<< |>>> DATA\n<<< |Remote Server returned '|\\(550, b'|[a-z ]{0,5}ERROR_CODE :5[0-9]{2}, ERROR_CODE :|#|did not like our RCPT TO:|The response was: |x 550-')*",
            body in "[2-6]?[0-9]{0,3}[ .\\-:']?[0-9.]{0,6}[ a-z'\\]\\)>#\n]{0,20}",
        ) {
            let s = format!("{pre}{body}");
            if let Ok(r) = parse(&s) {
                proptest::prop_assert!(r.code().is_some() || r.status().is_some());
            }
        }
    }
}
