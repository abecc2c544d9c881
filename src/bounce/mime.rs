//! What the extractors need from a parsed email (mail-parser does the MIME work): the messages
//! nested in it, the parts of each, header look-ups and the original message of a report.

use super::OriginalMessage;
use super::fields;
use mail_parser::{Address, Header, HeaderValue, Message, MessagePart, PartType};

/// How many levels of `message/rfc822` nesting are searched for a report (a bounce of a bounce
/// of a forwarded message is three; deeper nesting is not a real bounce).
pub const MAX_NESTING: usize = 8;
/// How many nested messages are searched in all.
pub const MAX_MESSAGES: usize = 64;

/// The message and every message nested in it (`message/rfc822`, `message/global`), outermost
/// first (breadth-first), so that the outer report wins over a report that is the returned
/// original of a double bounce.
pub(crate) fn messages<'a, 'x>(root: &'a Message<'x>) -> Vec<&'a Message<'x>> {
    let mut out = vec![root];
    let mut level_start = 0;
    for _ in 0..MAX_NESTING {
        let level_end = out.len();
        for i in level_start..level_end {
            let Some(msg) = out.get(i).copied() else { break };
            for part in &msg.parts {
                if let PartType::Message(inner) = &part.body
                    && out.len() < MAX_MESSAGES
                {
                    out.push(inner);
                }
            }
        }
        if out.len() == level_end {
            break;
        }
        level_start = level_end;
    }
    out
}

/// The part's content type as lower-case `type/subtype` (`text/plain` when it has none,
/// RFC 2045 §5.2).
pub(crate) fn mime_type(part: &MessagePart<'_>) -> String {
    match header(part.headers(), "content-type").and_then(|h| h.value.as_content_type()) {
        Some(ct) => {
            let sub = ct.subtype().unwrap_or_default();
            let mut t = String::with_capacity(ct.ctype().len() + 1 + sub.len());
            t.push_str(ct.ctype());
            t.push('/');
            t.push_str(sub);
            t.make_ascii_lowercase();
            t
        }
        None => "text/plain".to_string(),
    }
}

/// The first header called `name` (case-insensitive).
pub(crate) fn header<'a, 'x>(headers: &'a [Header<'x>], name: &str) -> Option<&'a Header<'x>> {
    headers.iter().find(|h| h.name().eq_ignore_ascii_case(name))
}

/// The raw value of a header of `msg` (whose `raw_message` its offsets point into), unfolded
/// and trimmed; `None` when empty.
pub(crate) fn raw_value(msg: &Message<'_>, h: &Header<'_>) -> Option<String> {
    let bytes = msg.raw_message.get(h.offset_start as usize..h.offset_end as usize)?;
    fields::text(&fields::lossy(bytes))
}

/// The value of the first header `name` of the message's own header block: the decoded text
/// where mail-parser has one, else the raw value.
pub(crate) fn header_text(msg: &Message<'_>, name: &str) -> Option<String> {
    let h = header(root_headers(msg), name)?;
    match &h.value {
        HeaderValue::Text(t) => fields::text(t),
        HeaderValue::TextList(list) => list.first().and_then(|t| fields::text(t)),
        _ => raw_value(msg, h),
    }
}

/// The message's own header block (empty for an empty message).
pub(crate) fn root_headers<'a, 'x>(msg: &'a Message<'x>) -> &'a [Header<'x>] {
    msg.parts.first().map(|p| p.headers()).unwrap_or_default()
}

/// The addresses of an address header, in order.
pub(crate) fn addresses(msg: &Message<'_>, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for h in root_headers(msg).iter().filter(|h| h.name().eq_ignore_ascii_case(name)) {
        match &h.value {
            HeaderValue::Address(a) => push_addresses(a, &mut out),
            _ => {
                if let Some(a) = raw_value(msg, h).as_deref().and_then(fields::address) {
                    out.push(a);
                }
            }
        }
    }
    out
}

fn push_addresses(a: &Address<'_>, out: &mut Vec<String>) {
    for addr in a.iter() {
        if let Some(s) = addr.address().map(str::trim).filter(|s| !s.is_empty()) {
            out.push(s.to_string());
        }
    }
}

/// The decoded body of a leaf part as text (UTF-8, invalid bytes replaced). Japanese MTAs
/// (Lotus Domino, NEC, Fujitsu) write ISO-2022-JP as it is into the fields of their reports,
/// which RFC 3464 §2.1.1 wants US-ASCII: a body with its escape sequences (`ESC $ B`, `ESC $ @`,
/// RFC 1468) is decoded as ISO-2022-JP, which leaves the ASCII around them unchanged.
pub(crate) fn body_text(part: &MessagePart<'_>) -> String {
    let bytes = part.contents();
    let jis = memchr::memmem::find(bytes, b"\x1b$B").is_some() || memchr::memmem::find(bytes, b"\x1b$@").is_some();
    if jis && let Some(decode) = mail_parser::decoders::charsets::map::charset_decoder(b"iso-2022-jp") {
        return decode(bytes);
    }
    fields::lossy(bytes).into_owned()
}

/// The original message of a report: the first `message/rfc822`, `message/global`,
/// `text/rfc822-headers` or `message/global-headers` part of `msg` after the part at
/// `report_index` (else before it). Empty when the report does not return it.
pub(crate) fn original_of(msg: &Message<'_>, report_index: usize) -> OriginalMessage {
    let is_original = |(i, p): &(usize, &MessagePart<'_>)| {
        *i != 0
            && *i != report_index
            && matches!(
                mime_type(p).as_str(),
                "message/rfc822"
                    | "message/global"
                    | "text/rfc822-headers"
                    | "message/global-headers"
                    // The ARF drafts' misspelling, still sent by some feedback loops.
                    | "text/rfc822-header"
            )
    };
    let parts = || msg.parts.iter().enumerate();
    let found = parts().filter(|(i, _)| *i > report_index).find(is_original).or_else(|| parts().find(is_original));
    match found {
        Some((_, part)) => original_from_part(part),
        None => OriginalMessage::default(),
    }
}

/// The original message in a part: a parsed nested message, or headers to parse.
pub(crate) fn original_from_part(part: &MessagePart<'_>) -> OriginalMessage {
    match &part.body {
        PartType::Message(inner) => original_from_message(inner),
        _ => match super::PARSER.parse_headers(part.contents()) {
            Some(m) => original_from_message(&m),
            None => OriginalMessage::default(),
        },
    }
}

/// Message-ID, From, To, Subject and the `X-` headers of a message.
pub(crate) fn original_from_message(msg: &Message<'_>) -> OriginalMessage {
    let x_headers = root_headers(msg)
        .iter()
        .filter(|h| h.name().get(..2).is_some_and(|p| p.eq_ignore_ascii_case("x-")))
        .map(|h| (h.name().to_string(), raw_value(msg, h).unwrap_or_default()))
        .collect();
    OriginalMessage {
        message_id: header_text(msg, "message-id").map(|id| id.trim_matches(['<', '>']).to_string()),
        from: addresses(msg, "from").into_iter().next(),
        to: addresses(msg, "to"),
        subject: header_text(msg, "subject"),
        x_headers,
    }
}
