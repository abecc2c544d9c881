//! The core's one error type. Every message says what was expected and where.

/// Why an input could not be parsed or looked up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Nothing but white space.
    #[error("empty input: expected an SMTP reply such as \"550 5.1.1 User unknown\"")]
    Empty,
    /// Longer than [`crate::reply::MAX_INPUT_BYTES`].
    #[error(
        "input is {len} bytes long; the limit is {max} bytes (a reply line is at most 512 octets, RFC 5321 §4.5.3.1.5)"
    )]
    TooLong { len: usize, max: usize },
    /// More lines than [`crate::reply::MAX_LINES`].
    #[error("input has {lines} lines; the limit is {max}")]
    TooManyLines { lines: usize, max: usize },
    /// Something other than what the grammar allows at `position`.
    #[error("expected {expected} at position {position}, found {found:?}")]
    Syntax { expected: &'static str, position: usize, found: String },
    /// A three-digit number that is not an SMTP reply code.
    #[error("{code:03} at position {position} is not an SMTP reply code: {why} (RFC 5321 §4.2)")]
    InvalidReplyCode { code: u16, position: usize, why: &'static str },
    /// Something shaped like an enhanced status code that is not one.
    #[error("{text:?} at position {position} is not an enhanced status code: {why} (RFC 3463 §2)")]
    InvalidStatus { text: String, position: usize, why: &'static str },
    /// A multi-line reply whose lines carry different codes.
    #[error(
        "line {line} (position {position}) has reply code {found} but line 1 has {expected}: every line of a multi-line reply carries the same code (RFC 5321 §4.2.1)"
    )]
    MixedCodes {
        line: usize,
        expected: u16,
        found: u16,
        /// Byte offset of the line's code in the input.
        position: usize,
    },
    /// A language without a translation file.
    #[error("no texts in language {lang:?}; available: {available}")]
    UnknownLanguage { lang: String, available: String },
    /// A number that is not an Outlook Express / Windows Mail SMTP error.
    #[error(
        "{number:#010X} is not an Outlook Express SMTP error number (0x800CCC60-0x800CCC6F, 0x800CCC78-0x800CCC7F)"
    )]
    UnknownOutlookError { number: u64 },
    /// Bytes that are not an email at all (no header block), given to [`crate::bounce::parse_bounce`].
    #[error(
        "not an email: {why}; expected an RFC 5322 message that starts with header fields (\"Name: value\" lines), a blank line and a body"
    )]
    NotAnEmail { why: &'static str },
    /// An email that is none of the bounce formats [`crate::bounce::parse_bounce`] knows.
    #[error(
        "not a bounce: {why}; expected a delivery status notification (multipart/report with a message/delivery-status part, RFC 3464), a feedback report (message/feedback-report, RFC 5965), an auto-reply (Auto-Submitted: auto-replied, RFC 3834), or a mail server's report of a failed or delayed delivery (from MAILER-DAEMON or postmaster, or with a bounce's subject, saying which address failed)"
    )]
    NotABounce { why: String },
    /// An email longer than [`crate::bounce::MAX_EMAIL_BYTES`].
    #[error(
        "email is {len} bytes long; expected at most {max} bytes (MAX_EMAIL_BYTES): bounces are small, and the limit bounds the memory and time per call"
    )]
    EmailTooLarge { len: usize, max: usize },
    /// A report that gives one diagnostic to so many recipients that copying it to each would
    /// take more than `max` bytes (see `bounce::text::MAX_COPIED_BYTES`).
    #[error(
        "the report gives one diagnostic of {each} bytes to at least {recipients} recipients; expected at most {max} bytes of copies: no real bounce comes near this"
    )]
    ReportTooLarge { recipients: usize, each: usize, max: usize },
}

impl Error {
    /// The byte position the error points at, when it has one.
    pub fn position(&self) -> Option<usize> {
        match self {
            Error::Syntax { position, .. }
            | Error::InvalidReplyCode { position, .. }
            | Error::InvalidStatus { position, .. }
            | Error::MixedCodes { position, .. } => Some(*position),
            _ => None,
        }
    }

    /// The same error with its position passed through `f` (used to map positions in decoded
    /// text back to the raw bytes).
    pub fn map_position(mut self, f: impl FnOnce(usize) -> usize) -> Self {
        match &mut self {
            Error::Syntax { position, .. }
            | Error::InvalidReplyCode { position, .. }
            | Error::InvalidStatus { position, .. }
            | Error::MixedCodes { position, .. } => {
                *position = f(*position);
            }
            _ => {}
        }
        self
    }

    /// Appends the message ([`Display`](std::fmt::Display)) to `out`. The common syntax error
    /// is written piece by piece rather than through the formatting machinery: the batch API
    /// writes one message per unreadable row, and `{found:?}` costs most of a row's time there.
    pub fn write_message(&self, out: &mut String) {
        match self {
            // `str`'s Debug leaves printable ASCII other than `"` and `\` as it is.
            Error::Syntax { expected, position, found }
                if found.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') =>
            {
                out.push_str("expected ");
                out.push_str(expected);
                out.push_str(" at position ");
                let mut digits = [0u8; 20];
                let position = u64::try_from(*position).unwrap_or(u64::MAX);
                crate::status::decimal(position, &mut digits).iter().for_each(|&d| out.push(char::from(d)));
                out.push_str(", found \"");
                out.push_str(found);
                out.push('"');
            }
            _ => {
                use std::fmt::Write as _;
                let _ = write!(out, "{self}");
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn written_message_is_the_displayed_one(found in any::<String>(), ascii in "[ -~]{0,30}", position: usize) {
            for found in [found, ascii] {
                let e = Error::Syntax { expected: "a 3-digit reply code", position, found };
                let mut out = String::from("row: ");
                e.write_message(&mut out);
                prop_assert_eq!(out, format!("row: {e}"));
            }
            let e = Error::InvalidStatus { text: "9.1.1".into(), position, why: "the class must be 2, 4 or 5" };
            let mut out = String::new();
            e.write_message(&mut out);
            prop_assert_eq!(out, e.to_string());
        }
    }
}
