//! Big emails: what a bounce says about its recipients is small and comes first; what makes an
//! email big is the returned message and its attachments, which mail-parser would otherwise
//! decode in full (a 20 MB base64 attachment costs tens of milliseconds).
//!
//! RFC 6522 §3: a `multipart/report` holds the human-readable part, then the machine-readable
//! report, then optionally the returned message. So before an email over [`CLIP_ABOVE`] bytes is
//! parsed, its MIME tree is walked on the raw bytes (boundaries found with `memchr::memmem`,
//! each part's header block read by mail-parser's `parse_headers`) and copied with:
//! - report parts (`message/delivery-status`, `message/global-delivery-status`,
//!   `message/feedback-report`, `message/disposition-notification`) kept whole;
//! - a `multipart/report`'s third part (the returned message) kept to its header block and the
//!   first [`RETURNED_BODY`] bytes of its body, and nothing after it read at all: the cost does
//!   not grow with the attachment;
//! - nested `multipart/*` and `message/rfc822` parts walked the same way, up to
//!   [`MAX_NESTING`] levels;
//! - text parts (`text/*`, or no Content-Type) kept whole: a text bounce's report can list
//!   thousands of recipients;
//! - every other body (attachments: images, PDFs, archives …) kept to its first [`KEEP`] bytes,
//!   cut at a line end.
//!
//! So nothing a report states about its recipients is cut, and the original message's headers
//! are kept.

use std::borrow::Cow;

use mail_parser::MimeHeaders;
use memchr::memmem;

use super::MAX_NESTING;

/// Emails up to this size are parsed as they are.
pub const CLIP_ABOVE: usize = 1 << 20;
/// How much of a non-report body a bigger email keeps.
pub const KEEP: usize = 256 << 10;
/// How much of a `multipart/report`'s third part a bigger email keeps when it is not a
/// `message/rfc822` (`text/rfc822-headers`: the header block only).
pub const RETURNED_KEEP: usize = 64 << 10;
/// How much of the body of a `multipart/report`'s returned `message/rfc822` a bigger email keeps
/// (its header block is kept whole).
pub const RETURNED_BODY: usize = 4 << 10;

/// The email to parse: `raw` itself, or for an email over [`CLIP_ABOVE`] bytes a copy with its
/// big bodies cut as the module documentation says.
pub fn clip(raw: &[u8]) -> Cow<'_, [u8]> {
    if raw.len() <= CLIP_ABOVE {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(CLIP_ABOVE);
    entity(raw, 0, &mut out);
    Cow::Owned(out)
}

/// What a part's header block says it holds.
enum Kind {
    Multipart {
        boundary: Vec<u8>,
        report: bool,
    },
    Message,
    Report,
    /// `text/*`, or no Content-Type (RFC 2045 §5.2: text/plain): where a report's words are.
    Text,
    Leaf,
}

impl Kind {
    fn of(head: &[u8]) -> Kind {
        let Some(headers) = super::PARSER.parse_headers(head) else { return Kind::Text };
        let Some(ct) = headers.content_type() else { return Kind::Text };
        if ct.ctype().eq_ignore_ascii_case("text") {
            return Kind::Text;
        }
        let sub = ct.subtype().unwrap_or_default();
        if ct.ctype().eq_ignore_ascii_case("multipart") {
            return match ct.attribute("boundary") {
                Some(b) if !b.is_empty() => {
                    Kind::Multipart { boundary: b.as_bytes().to_vec(), report: sub.eq_ignore_ascii_case("report") }
                }
                _ => Kind::Leaf,
            };
        }
        if !ct.ctype().eq_ignore_ascii_case("message") {
            return Kind::Leaf;
        }
        let sub = sub.to_ascii_lowercase();
        match sub.as_str() {
            "delivery-status" | "global-delivery-status" | "feedback-report" | "disposition-notification" => {
                Kind::Report
            }
            // RFC 2046 §5.2.1: an encoded message/rfc822 is not allowed; read one as a leaf.
            "rfc822" | "global"
                if headers
                    .content_transfer_encoding()
                    .is_none_or(|e| !matches!(e.to_ascii_lowercase().as_str(), "base64" | "quoted-printable")) =>
            {
                Kind::Message
            }
            _ => Kind::Leaf,
        }
    }
}

/// Copies one entity (header block, then body) into `out`.
fn entity(raw: &[u8], depth: usize, out: &mut Vec<u8>) {
    let (head, body) = split_head(raw);
    out.extend_from_slice(head);
    match Kind::of(head) {
        Kind::Multipart { boundary, report } if depth < MAX_NESTING => multipart(body, &boundary, report, depth, out),
        Kind::Message if depth < MAX_NESTING => entity(body, depth + 1, out),
        Kind::Report | Kind::Text => out.extend_from_slice(body),
        _ => out.extend_from_slice(prefix(body, KEEP)),
    }
}

/// Copies a multipart body: preamble, then each part between delimiter lines (RFC 2046 §5.1.1:
/// `--boundary` at the start of a line, `--boundary--` closing).
fn multipart(body: &[u8], boundary: &[u8], report: bool, depth: usize, out: &mut Vec<u8>) {
    let mut delim = b"\n--".to_vec();
    delim.extend_from_slice(boundary);
    let finder = memmem::Finder::new(&delim);
    // The delimiter line's start, the line end before it counting as part of it.
    let next = |from: usize| -> Option<usize> {
        if from == 0 && body.starts_with(&delim[1..]) {
            return Some(0);
        }
        let mut from = from.saturating_sub(1);
        loop {
            let at = from + finder.find(body.get(from..)?)? + 1;
            // A longer boundary that starts with ours is not ours.
            let after = body.get(at + delim.len() - 1..).unwrap_or_default();
            if after.starts_with(b"--") || matches!(after.first(), None | Some(b'\r' | b'\n' | b' ' | b'\t')) {
                return Some(at);
            }
            from = at;
        }
    };
    let Some(mut at) = next(0) else {
        out.extend_from_slice(prefix(body, KEEP));
        return;
    };
    out.extend_from_slice(prefix(body.get(..at).unwrap_or_default(), KEEP));
    let mut index = 0usize;
    loop {
        let line_end = memchr::memchr(b'\n', body.get(at..).unwrap_or_default()).map_or(body.len(), |i| at + i + 1);
        let line = body.get(at..line_end).unwrap_or_default();
        out.extend_from_slice(line);
        if line.get(delim.len() - 1..).is_some_and(|rest| rest.starts_with(b"--")) {
            // The closing delimiter; the epilogue is not needed.
            return;
        }
        if report && index >= 2 {
            // The returned message (RFC 6522 §3): its header block is what is needed, and the
            // rest is not even searched for the next delimiter.
            returned(body.get(line_end..).unwrap_or_default(), out);
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(&delim[1..]);
            out.extend_from_slice(b"--\n");
            return;
        }
        let end = next(line_end).unwrap_or(body.len());
        entity(body.get(line_end..end).unwrap_or_default(), depth + 1, out);
        if end >= body.len() {
            return;
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        at = end;
        index += 1;
    }
}

/// A `multipart/report`'s returned message: its MIME header block, the message's own header block
/// whole, and the first [`RETURNED_BODY`] bytes of its body; for a `text/rfc822-headers` part or
/// any other, the first [`RETURNED_KEEP`] bytes.
fn returned(part: &[u8], out: &mut Vec<u8>) {
    let (head, body) = split_head(part);
    out.extend_from_slice(head);
    if let Kind::Message = Kind::of(head) {
        let (message_head, message_body) = split_head(body);
        out.extend_from_slice(message_head);
        out.extend_from_slice(prefix(message_body, RETURNED_BODY));
    } else {
        out.extend_from_slice(prefix(body, RETURNED_KEEP));
    }
}

/// The header block (with the blank line that ends it) and the body.
fn split_head(raw: &[u8]) -> (&[u8], &[u8]) {
    if raw.starts_with(b"\n") {
        return raw.split_at(1);
    }
    if raw.starts_with(b"\r\n") {
        return raw.split_at(2);
    }
    // The first line end followed by an empty line; only the header block is searched.
    let end = memchr::memchr_iter(b'\n', raw)
        .find_map(|i| match raw.get(i + 1..) {
            Some([b'\n', ..]) => Some(i + 2),
            Some([b'\r', b'\n', ..]) => Some(i + 3),
            _ => None,
        })
        .unwrap_or(raw.len());
    raw.split_at(end)
}

/// At most `n` bytes of `body`, cut after a line end when there is one.
fn prefix(body: &[u8], n: usize) -> &[u8] {
    if body.len() <= n {
        return body;
    }
    let head = body.get(..n).unwrap_or(body);
    match memchr::memrchr(b'\n', head) {
        Some(i) => head.get(..=i).unwrap_or(head),
        None => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DSN whose returned message carries an attachment of `size` bytes of base64.
    pub(crate) fn dsn_with_attachment(size: usize, report_type: &str) -> Vec<u8> {
        let mut line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx".to_string();
        line.push_str("\r\n");
        let mut raw = format!(
            "From: MAILER-DAEMON@mx.example.org\r\nTo: sender@example.com\r\nSubject: Undelivered\r\n\
             Content-Type: {report_type}; report-type=delivery-status; boundary=\"outer\"\r\n\r\n\
             This is a MIME report.\r\n\
             --outer\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n\
             --outer\r\nContent-Type: message/delivery-status\r\n\r\n\
             Reporting-MTA: dns; mx.example.org\r\n\r\n\
             Final-Recipient: rfc822; bob@example.net\r\nAction: failed\r\nStatus: 5.2.2\r\n\
             Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n\
             Final-Recipient: rfc822; ann@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\
             Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n\
             --outer\r\nContent-Type: message/rfc822\r\n\r\n\
             From: sender@example.com\r\nTo: bob@example.net\r\nSubject: Report\r\n\
             Message-ID: <big-1@example.com>\r\nX-Campaign-Id: c-7\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n\
             --inner\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
             --inner\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        )
        .into_bytes();
        while raw.len() < size {
            raw.extend_from_slice(line.as_bytes());
        }
        raw.extend_from_slice(b"--inner--\r\n\r\n--outer--\r\n");
        raw
    }

    fn summary(raw: &[u8]) -> Vec<String> {
        let report = super::super::parse_bounce(raw).unwrap();
        let mut out = vec![report.format.to_string()];
        for r in &report.recipients {
            out.push(format!("{} {:?} {:?}", r.address, r.status.map(|s| s.to_string()), r.reason));
        }
        out.push(format!("{:?}", report.original));
        out
    }

    #[test]
    fn small_emails_are_not_copied() {
        let raw = dsn_with_attachment(10_000, "multipart/report");
        assert!(matches!(clip(&raw), Cow::Borrowed(_)));
    }

    #[test]
    fn a_big_attachment_is_cut_and_the_report_reads_the_same() {
        let small = dsn_with_attachment(10_000, "multipart/report");
        let big = dsn_with_attachment(5 << 20, "multipart/report");
        let clipped = clip(&big);
        assert!(clipped.len() < CLIP_ABOVE, "{}", clipped.len());
        assert_eq!(summary(&small), summary(&big));
        // Not a multipart/report: every part is walked and each big body cut.
        let mixed = dsn_with_attachment(5 << 20, "multipart/mixed");
        assert!(clip(&mixed).len() < CLIP_ABOVE);
        assert_eq!(summary(&small)[1..], summary(&mixed)[1..]);
    }

    #[test]
    fn text_parts_are_kept_whole() {
        // A text bounce listing many recipients is big because of its text: nothing is cut.
        let mut raw = b"From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\n".to_vec();
        raw.extend_from_slice(b"Hi. This is the qmail-send program at mx.example.org.\n");
        raw.extend_from_slice(b"I'm afraid I wasn't able to deliver your message to the following addresses.\n");
        raw.extend_from_slice(b"This is a permanent error; I've given up. Sorry it didn't work out.\n\n");
        let mut n = 0;
        while raw.len() < CLIP_ABOVE + 1000 {
            raw.extend_from_slice(
                format!("<user{n}@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n").as_bytes(),
            );
            n += 1;
        }
        assert_eq!(&clip(&raw)[..], &raw[..]);
        let report = super::super::parse_bounce(&raw).unwrap();
        assert_eq!(report.recipients.len(), n);
    }

    #[test]
    fn broken_structures_are_copied_without_panicking() {
        for raw in [
            &b"Content-Type: multipart/report; boundary=x\n\n--x"[..],
            b"Content-Type: multipart/report; boundary=x\n\n--x\n",
            b"Content-Type: multipart/mixed; boundary=\"\"\n\nbody",
            b"Content-Type: message/rfc822\n\n",
            b"\n\n\n",
            b"",
        ] {
            let mut big = raw.to_vec();
            big.resize(CLIP_ABOVE + 10, b'A');
            let clipped = clip(&big);
            assert!(clipped.len() <= big.len() + 64);
            let _ = super::super::parse_bounce(&big);
        }
    }
}
