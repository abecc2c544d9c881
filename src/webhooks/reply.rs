//! The SMTP reply a provider passes on: its text (which may carry its own code, or a DSN
//! diagnostic type such as `smtp;`), with a basic code and an enhanced status the provider
//! gives in fields of their own (SES `status`, SendGrid `status`, Mailgun `delivery-status.code`
//! and `enhanced-code`, SparkPost `error_code`).

use super::read::{is_py_space, py_strip};
use crate::reply::{MAX_LINES, Reply, ReplyCode, parse};
use crate::status::EnhancedStatus;

/// `[245]\.\d{1,3}\.\d{1,3}` at the start of `s`: the length of the enhanced status there.
fn status_prefix(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !matches!(b.first(), Some(b'2' | b'4' | b'5')) || b.get(1) != Some(&b'.') {
        return None;
    }
    let run = |from: usize| b[from.min(b.len())..].iter().take(3).take_while(|c| c.is_ascii_digit()).count();
    let subject = run(2);
    if subject == 0 || b.get(2 + subject) != Some(&b'.') {
        return None;
    }
    let detail = run(3 + subject);
    (detail > 0).then_some(3 + subject + detail)
}

/// `s` is an enhanced status and nothing else.
fn is_status(s: &str) -> bool {
    status_prefix(s) == Some(s.len())
}

/// Python's `str.splitlines()`: the line boundaries it knows, without the line ends.
fn split_lines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(
            c,
            '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
        ) {
            out.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// The lines of `text` that are not blank, stripped.
fn text_lines(text: &str) -> Vec<&str> {
    split_lines(text).into_iter().map(py_strip).filter(|l| !l.is_empty()).collect()
}

/// A DSN diagnostic type before the text, `\s*[A-Za-z][A-Za-z0-9-]*\s*;\s*` (RFC 3464 §2.3.6):
/// where the text after it starts.
fn diagnostic_type(text: &str) -> Option<usize> {
    let t = text.trim_start_matches(is_py_space);
    let mut i = text.len() - t.len();
    let name = t.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
    if name == 0 || !t.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    i += name;
    let rest = text[i..].trim_start_matches(is_py_space);
    let rest = rest.strip_prefix(';')?;
    Some(text.len() - rest.trim_start_matches(is_py_space).len())
}

/// The first digit of a reply code.
fn first_digit(n: u16) -> u16 {
    n / 100
}

/// A reply written from its parts (code, status, lines), as a server would send it, parsed.
fn compose(code: u16, status: Option<&str>, lines: &[&str]) -> Option<Reply> {
    let mut lines: Vec<String> =
        lines.iter().map(|l| py_strip(l)).filter(|l| !l.is_empty()).map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    if let Some(status) = status
        && status_prefix(&lines[0]).is_none()
    {
        lines[0] = format!("{status} {}", lines[0]).trim_end().to_string();
    }
    let last = lines.len() - 1;
    let wire: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{code}{}{l}", if i < last { '-' } else { ' ' }).trim_end().to_string())
        .collect();
    parse(&wire.join("\r\n")).ok()
}

/// The reply of `text` with the basic code `code` and the enhanced status `status` the
/// provider gives beside it; `None` when there is none (no code, no status, and no reply in
/// the text). A code outside 200–599 is ignored, and so is a status that is not one, or whose
/// class disagrees with the code.
pub fn reply_of(text: Option<&str>, code: Option<i64>, status: Option<&str>) -> Option<Reply> {
    let text = py_strip(text.unwrap_or(""));
    let code = code.filter(|c| (200..=599).contains(c)).map(|c| c as u16);
    let status = status.map(py_strip).filter(|s| is_status(s));
    let same_class =
        |status: &str, code: u16| status.bytes().next().map(|b| u16::from(b - b'0')) == Some(first_digit(code));
    let parsed = if text.is_empty() { None } else { parse(text).ok() };
    if let Some(parsed) = parsed {
        return match (parsed.code(), parsed.status()) {
            // the text's own code; the given status fills in a missing one of the same class
            (Some(c), None) if status.is_some_and(|s| same_class(s, c.value())) => {
                let lines: Vec<&str> = parsed.lines().iter().map(String::as_str).collect();
                compose(c.value(), status, &lines).or(Some(parsed))
            }
            (Some(_), _) => Some(parsed),
            // an enhanced status and text without a basic code: the given code of its class
            (None, Some(s)) => match code {
                Some(c) if s.class().digit() == first_digit(c) => compose(c, None, &split_lines(text)).or(Some(parsed)),
                _ => Some(parsed),
            },
            (None, None) => Some(parsed),
        };
    }
    if code.is_none() && status.is_none() {
        return None;
    }
    // "X-Postfix; unknown user": a diagnostic type other than smtp is not part of the text
    let mut text = text;
    if let Some(end) = diagnostic_type(text)
        && text[..end].trim_matches([' ', ';']).to_lowercase() != "smtp"
    {
        text = &text[end..];
    }
    let lines = text_lines(text);
    let status = status.filter(|s| code.is_none_or(|c| same_class(s, c)));
    if let Some(c) = code
        && let Some(r) = compose(c, status, &lines)
    {
        return Some(r);
    }
    let code = code.map(ReplyCode::new).transpose().ok()?;
    let status = status.map(EnhancedStatus::parse).transpose().ok()?;
    let lines = lines.into_iter().take(MAX_LINES).map(str::to_string).collect();
    Reply::new(code, status, lines, None, None).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(r: Option<Reply>) -> Option<String> {
        r.map(|r| r.to_wire())
    }

    #[test]
    fn replies_from_their_parts() {
        assert_eq!(
            wire(reply_of(Some("smtp; 550 5.1.1 user unknown"), None, None)).as_deref(),
            Some("550 5.1.1 user unknown")
        );
        // SES: the status fills in a reply without one
        assert_eq!(
            wire(reply_of(Some("550 user unknown"), None, Some("5.1.1"))).as_deref(),
            Some("550 5.1.1 user unknown")
        );
        // a status alone is a reply
        assert_eq!(wire(reply_of(None, None, Some(" 5.1.1 "))).as_deref(), Some("5.1.1"));
        // the diagnostic type that is not smtp goes
        let r = reply_of(Some("X-Postfix; unknown user"), None, Some("5.0.0")).unwrap();
        assert_eq!((r.code(), r.text()), (None, "unknown user".to_string()));
        // SparkPost: error_code and raw_reason
        assert_eq!(
            wire(reply_of(Some("MAIL REFUSED - IP (17.99.99.99) is in black list"), Some(554), None)).as_deref(),
            Some("554 MAIL REFUSED - IP (17.99.99.99) is in black list")
        );
        // Mailgun: a code of another class than the status keeps the code only
        let r = reply_of(Some("Recipient rejected"), Some(550), Some("4.2.2")).unwrap();
        assert_eq!((r.code().map(|c| c.value()), r.status()), (Some(550), None));
        // a status and text without a code take the given code of their class
        assert_eq!(
            wire(reply_of(Some("4.4.2 Connection timed out"), Some(421), None)).as_deref(),
            Some("421 4.4.2 Connection timed out")
        );
        // nothing to make a reply of
        assert_eq!(reply_of(Some("Test bounce details"), None, None), None);
        assert_eq!(reply_of(Some("Not delivering"), Some(605), None), None);
        assert_eq!(reply_of(None, None, Some("5.1")), None);
    }

    #[test]
    fn python_line_boundaries() {
        assert_eq!(split_lines("a\r\nb\rc\nd\u{2028}e\x0bf\n"), vec!["a", "b", "c", "d", "e", "f"]);
        assert_eq!(split_lines(""), Vec::<&str>::new());
        assert_eq!(status_prefix("5.1.10x"), Some(6));
        assert_eq!(status_prefix("5.1000.1"), None);
        assert_eq!(diagnostic_type(" X-Postfix ; text"), Some(13));
        assert_eq!(diagnostic_type("smtp;550"), Some(5));
        assert_eq!(diagnostic_type("550 5.1.1"), None);
    }
}
