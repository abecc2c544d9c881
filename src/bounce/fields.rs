//! The body of a `message/delivery-status` (RFC 3464 §2.1) or `message/feedback-report`
//! (RFC 5965 §3.1) part: groups of header-like fields separated by blank lines.
//!
//! Read leniently, as such bodies are written in the wild:
//! - CRLF, LF and CR line ends, in any mix;
//! - folded fields (RFC 5322 §2.2.3: a line that starts with white space continues the field
//!   above it); unfolding joins the lines with one space;
//! - field names compared case-insensitively (stored lower-case), white space before the colon
//!   tolerated (RFC 5322 §4.5, obsolete syntax);
//! - a line that is not a field and not indented, right after a `Diagnostic-Code` field, is taken
//!   as a continuation whose folding lost its indentation (an MTA that wraps long replies);
//!   other stray lines are skipped.

/// The longest field name accepted (RFC 5322 does not limit it; real ones are short).
const MAX_NAME: usize = 76;

/// One field: its name in lower case and the text of each physical line (trimmed), so that the
/// value can be read unfolded ([`Field::value`]) or, for a multi-line SMTP reply folded into a
/// `Diagnostic-Code`, line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: String,
    pub lines: Vec<String>,
}

impl Field {
    /// The unfolded value: the lines joined by one space, empty lines left out.
    pub fn value(&self) -> String {
        crate::reply::join_lines(&self.lines)
    }
}

/// The lines of `text`, whatever their ends (CRLF, LF or CR).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    line_spans(text).map(|(_, line)| line)
}

/// The lines of `text` with the byte offset where each starts.
pub(crate) fn line_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = text.get(pos..).filter(|r| !r.is_empty())?;
        let start = pos;
        match memchr::memchr2(b'\r', b'\n', rest.as_bytes()) {
            Some(i) => {
                let skip = if rest.as_bytes().get(i..i + 2) == Some(b"\r\n") { 2 } else { 1 };
                pos += i + skip;
                Some((start, rest.get(..i).unwrap_or_default()))
            }
            None => {
                pos = text.len();
                Some((start, rest))
            }
        }
    })
}

/// The offset of the first line that is a field called one of `names` (lower case).
pub(crate) fn find_field(text: &str, names: &[&str]) -> Option<usize> {
    line_spans(text).find_map(|(at, line)| {
        let (name, _) = split_field(line)?;
        names.iter().any(|n| name.eq_ignore_ascii_case(n)).then_some(at)
    })
}

/// `Name:` at the start of `line`: the name (RFC 5322 `ftext`, printable ASCII but `:`) and
/// the value after the colon, or `None` when the line is not a field.
pub(crate) fn split_field(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let name = line[..colon].trim_end_matches([' ', '\t']);
    let valid = !name.is_empty() && name.len() <= MAX_NAME && name.bytes().all(|b| (33..=126).contains(&b));
    valid.then(|| (name, &line[colon + 1..]))
}

/// The field groups of `text`, in order; empty groups are dropped.
pub(crate) fn parse_groups(text: &str) -> Vec<Vec<Field>> {
    let mut groups: Vec<Vec<Field>> = Vec::new();
    let mut group: Vec<Field> = Vec::new();
    for line in lines(text) {
        if line.trim().is_empty() {
            if !group.is_empty() {
                groups.push(std::mem::take(&mut group));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = group.last_mut() {
                last.lines.push(line.trim().to_string());
            }
            continue;
        }
        match split_field(line) {
            Some((name, value)) => {
                group.push(Field { name: name.to_ascii_lowercase(), lines: vec![value.trim().to_string()] })
            }
            None => {
                if let Some(last) = group.last_mut().filter(|f| f.name == "diagnostic-code") {
                    last.lines.push(line.trim().to_string());
                }
            }
        }
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}

/// `text` without RFC 5322 comments (`(…)`, nested, with `\` quoting) outside quoted strings,
/// white space squeezed to single spaces and trimmed.
pub(crate) fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                if depth == 1 {
                    out.push(' ');
                }
            }
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    squeeze(&out)
}

/// White space runs squeezed to one space, trimmed. White space is Unicode's, as for
/// `str::split_whitespace`; the words between are copied whole.
pub(crate) fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while from < text.len() {
        let (end, next) = match next_white_space(text, from) {
            Some((at, len)) => (at, at + len),
            None => (text.len(), text.len()),
        };
        if end > from {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(text.get(from..end).unwrap_or_default());
        }
        from = next;
    }
    out
}

/// The bytes that are ASCII white space (`char::is_whitespace`: TAB, LF, VT, FF, CR, space) or
/// that may start a non-ASCII white-space character (U+0085 and U+00A0 start with 0xC2, U+1680
/// with 0xE1, U+2000–U+205F with 0xE2, U+3000 with 0xE3).
const MAY_START_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i as u8, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0xC2 | 0xE1..=0xE3);
        i += 1;
    }
    t
};

/// `bytes` as text, invalid UTF-8 replaced by U+FFFD: `String::from_utf8_lossy`, with core's
/// validator (word-at-a-time over ASCII) tried first. The lossy one checks byte by byte and was
/// 5 % of a corpus pass; nearly every body is valid UTF-8 once mail-parser has decoded it.
pub(crate) fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The first white-space character (`char::is_whitespace`) of `text` at or after byte `from`:
/// its offset and length in bytes. A table of the bytes that may start one keeps the scan to
/// a byte compare; only those bytes are decoded.
#[inline]
pub(crate) fn next_white_space(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    loop {
        let at = i + bytes.get(i..)?.iter().position(|&b| MAY_START_SPACE[usize::from(b)])?;
        let len = match bytes.get(at) {
            Some(&b) if b < 0x80 => 1,
            _ => text.get(at..).and_then(|r| r.chars().next()).filter(|c| c.is_whitespace()).map_or(0, char::len_utf8),
        };
        if len > 0 {
            return Some((at, len));
        }
        i = at + 1;
    }
}

/// A `type; value` field value (RFC 3464 `address-type ";" generic-address`,
/// `mta-name-type ";" mta-name`, `diagnostic-type ";" *text`) split at the first `;`: the type
/// (comments removed) and the rest, trimmed. Without a `;`, or when what precedes it is not a
/// single token, there is no type.
pub(crate) fn split_typed(value: &str) -> (Option<String>, &str) {
    if let Some((head, rest)) = value.split_once(';') {
        let t = strip_comments(head);
        if !t.is_empty() && !t.contains(' ') && t.len() <= 40 {
            return (Some(t), rest.trim());
        }
    }
    (None, value.trim())
}

/// The address of a recipient field (`rfc822; <bob@example.com> (comment)`): type, comments,
/// angle brackets and a `mailto:` removed; RFC 6533 `utf-8` addresses have their `\x{HEX}`
/// escapes decoded. `None` when nothing is left (`<>`).
pub(crate) fn address(value: &str) -> Option<String> {
    let (kind, rest) = split_typed(value);
    let decoded;
    let rest = if kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("utf-8")) {
        decoded = decode_utf8_address(rest);
        decoded.as_str()
    } else {
        rest
    };
    let text = strip_comments(rest);
    let inner = match (text.find('<'), text.rfind('>')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => text.as_str(),
    };
    let inner = inner.trim().trim_matches(['<', '>', '\'', ',', ';']).trim();
    let inner = inner
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("mailto:"))
        .map_or(inner, |_| inner.get(7..).unwrap_or_default());
    let inner = inner.trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

/// True for an address that names a mailbox (`local@domain`), false for a pipe (`|cmd`), a
/// file (`/path`), a source route (`@host:local@domain`) or a bare local part.
pub(crate) fn is_mailbox(address: &str) -> bool {
    !address.starts_with(['@', '|', '/'])
        && address.rsplit_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty())
}

/// The text of the comments of a value, joined (`4.0.0 (host lookup failure)` gives
/// `host lookup failure`); `None` when it has none.
pub(crate) fn comment(value: &str) -> Option<String> {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth > 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => escaped = true,
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => {
                if depth > 0 {
                    out.push(c);
                } else {
                    out.push(' ');
                }
                depth += 1;
            }
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                if depth > 0 {
                    out.push(c);
                }
            }
            _ if depth > 0 => out.push(c),
            _ => {}
        }
    }
    text(&out)
}

/// RFC 6533 §3 `utf-8-addr-xtext`/`utf-8-addr-unitext`: `\x{HEX}` stands for one character.
fn decode_utf8_address(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\\x{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        let decoded = after.find('}').and_then(|end| {
            let hex = &after[..end];
            let ok = (1..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit());
            let c = ok.then(|| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)).flatten()?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push_str("\\x{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A token value (`Action: failed (permanent)`): comments removed, first word, lower case.
pub(crate) fn token(value: &str) -> Option<String> {
    let t = strip_comments(value);
    t.split_whitespace().next().map(|w| w.trim_end_matches([';', ',', '.']).to_ascii_lowercase())
}

/// An MTA name (`dns; mx.example.com (192.0.2.1)`): type and comments removed.
pub(crate) fn mta(value: &str) -> Option<String> {
    let (_, rest) = split_typed(value);
    let t = strip_comments(rest);
    (!t.is_empty()).then_some(t)
}

/// A free-text value (a date): unfolded and squeezed, `None` when empty.
pub(crate) fn text(value: &str) -> Option<String> {
    let t = squeeze(value);
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn squeeze_matches_split_whitespace(t in "[ a-z\t\n\r\x0b\x0c\u{85}\u{a0}\u{1680}\u{2000}-\u{2030}\u{205f}\u{3000}\u{3001}é]{0,40}") {
            prop_assert_eq!(squeeze(&t), t.split_whitespace().collect::<Vec<_>>().join(" "));
        }

        #[test]
        fn white_space_cuts_as_split_inclusive(t in "[ a-z\t\n\r\x0b\x0c\u{85}\u{a0}\u{1680}\u{2000}-\u{2030}\u{205f}\u{3000}\u{3001}é]{0,40}") {
            let mut pieces = Vec::new();
            let mut at = 0;
            while at < t.len() {
                let next = next_white_space(&t, at).map_or(t.len(), |(space, len)| space + len);
                pieces.push(&t[at..next]);
                at = next;
            }
            prop_assert_eq!(pieces, t.split_inclusive(char::is_whitespace).collect::<Vec<_>>());
        }

        #[test]
        fn squeeze_matches_split_whitespace_any(t in any::<String>()) {
            prop_assert_eq!(squeeze(&t), t.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }

    #[test]
    fn squeeze_is_split_whitespace_joined() {
        for t in [
            "",
            " ",
            "a",
            " a  b\tc\r\nd\x0be\x0cf ",
            "a\u{a0}b\u{85}c\u{3000}d\u{2028}e\u{202f}\u{205f}f\u{1680}g\u{200a}h",
            "é ü\u{e000}\u{2060}\u{2030} \u{3001}x\u{1f}y\u{1c}",
            "\u{a0}\u{a0}x\u{3000}",
        ] {
            assert_eq!(squeeze(t), t.split_whitespace().collect::<Vec<_>>().join(" "), "{t:?}");
        }
    }

    #[test]
    fn lines_of_every_ending() {
        assert_eq!(lines("a\r\nb\nc\rd").collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\r\n\r\nb\r").collect::<Vec<_>>(), ["a", "", "b"]);
        assert_eq!(lines("").count(), 0);
        assert_eq!(find_field("x\r\nA: 1\rFinal-Recipient: b\n", &["final-recipient"]), Some(8));
    }

    #[test]
    fn groups_folding_and_case() {
        let g = parse_groups(
            "Reporting-MTA: dns; a.example\r\n\r\n\r\nFINAL-recipient : rfc822; b@example.org\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n    user unknown\r\nnot a field line\r\n",
        );
        assert_eq!(g.len(), 2);
        assert_eq!(g[0][0].name, "reporting-mta");
        assert_eq!(g[1][0].name, "final-recipient");
        assert_eq!(g[1][1].value(), "smtp; 550 5.1.1 user unknown not a field line");
    }

    #[test]
    fn comments_and_addresses() {
        assert_eq!(strip_comments("5.1.1 (bad (nested) mailbox) x"), "5.1.1 x");
        assert_eq!(strip_comments("\"a (b)\" c"), "\"a (b)\" c");
        assert_eq!(strip_comments("a (b \\) c) d"), "a d");
        assert_eq!(address("rfc822; <Bob@Example.com> (the user)").as_deref(), Some("Bob@Example.com"));
        assert_eq!(address("RFC822;bob@example.com").as_deref(), Some("bob@example.com"));
        assert_eq!(address("bob@example.com").as_deref(), Some("bob@example.com"));
        assert_eq!(address("rfc822; <>"), None);
        assert_eq!(address("rfc822;"), None);
        assert_eq!(address("utf-8; j\\x{00F6}rg@example.com").as_deref(), Some("jörg@example.com"));
        assert_eq!(address("utf-8; a\\x{zz}@b").as_deref(), Some("a\\x{zz}@b"));
        assert_eq!(address("rfc822; \"a..b\"@example.org").as_deref(), Some("\"a..b\"@example.org"));
        assert!(is_mailbox("bob@example.com"));
        assert!(!is_mailbox("@relay.example:bob@example.com"));
        assert!(!is_mailbox("|/usr/bin/procmail"));
        assert!(!is_mailbox("/var/mail/bob"));
        assert!(!is_mailbox("bob"));
        assert_eq!(comment("4.0.0 (host (really) down) x (two)").as_deref(), Some("host (really) down two"));
        assert_eq!(comment("5.0.0"), None);
        assert_eq!(token("Failed (permanent)").as_deref(), Some("failed"));
        assert_eq!(mta("dns; mx.example.com (192.0.2.1)").as_deref(), Some("mx.example.com"));
        assert_eq!(split_typed("550 5.1.1 a; b"), (None, "550 5.1.1 a; b"));
        assert_eq!(split_typed("smtp;550 x"), (Some("smtp".into()), "550 x"));
    }
}
