//! Enhanced mail system status codes, `class.subject.detail` (RFC 3463 §2).

use crate::error::{Error, Result};
use crate::registry::{self, EnhancedEntry};
use std::fmt;

digit_enum! {
    /// The class of an enhanced status code: its first number (RFC 3463 §2).
    pub enum StatusClass {
        /// 2: the DSN reports a positive delivery action.
        Success = 2,
        /// 4: a temporary condition; a later attempt may succeed.
        PersistentTransientFailure = 4,
        /// 5: not likely to be resolved by resending the message in its current form.
        PermanentFailure = 5,
    }
}

impl StatusClass {
    pub fn digit(self) -> u16 {
        self as u16
    }
}

digit_enum! {
    /// The subjects RFC 3463 §2 defines (X.0 to X.7). Other subject numbers are syntactically
    /// valid (1–3 digits) but have no name.
    pub enum Subject {
        Other = 0,
        Addressing = 1,
        Mailbox = 2,
        MailSystem = 3,
        NetworkAndRouting = 4,
        MailDeliveryProtocol = 5,
        MessageContentOrMedia = 6,
        SecurityOrPolicy = 7,
    }
}

/// An enhanced status code such as `5.1.1` or `4.7.650`: valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnhancedStatus {
    class: StatusClass,
    subject: u16,
    detail: u16,
}

/// Subject and detail have 1 to 3 digits (RFC 3463 §2: `1*3digit`).
pub const MAX_PART: u16 = 999;

impl EnhancedStatus {
    /// Builds a status from its three numbers, checking them against RFC 3463 §2.
    pub fn new(class: u16, subject: u16, detail: u16) -> Result<EnhancedStatus> {
        let text = || format!("{class}.{subject}.{detail}");
        let class = StatusClass::from_digit(class).ok_or_else(|| Error::InvalidStatus {
            text: text(),
            position: 0,
            why: "the class must be 2, 4 or 5",
        })?;
        if subject > MAX_PART || detail > MAX_PART {
            return Err(Error::InvalidStatus {
                text: text(),
                position: 0,
                why: "subject and detail have 1 to 3 digits (0-999)",
            });
        }
        Ok(EnhancedStatus { class, subject, detail })
    }

    /// Parses exactly `X.Y.Z` (surrounding white space allowed).
    pub fn parse(s: &str) -> Result<EnhancedStatus> {
        let lead = s.len() - s.trim_start().len();
        let t = s.trim();
        if t.is_empty() {
            return Err(Error::Syntax {
                expected: "an enhanced status code such as \"5.1.1\"",
                position: 0,
                found: String::new(),
            });
        }
        match scan(t.as_bytes(), 0) {
            Scan::Status(st, end) if end == t.len() => Ok(st),
            Scan::Invalid(mut e) => {
                if let Error::InvalidStatus { position, .. } = &mut e {
                    *position += lead;
                }
                Err(e)
            }
            _ => Err(Error::Syntax {
                expected: "an enhanced status code class.subject.detail such as \"5.1.1\" (RFC 3463 §2)",
                position: lead,
                found: excerpt(t),
            }),
        }
    }

    pub fn class(&self) -> StatusClass {
        self.class
    }
    pub fn subject(&self) -> u16 {
        self.subject
    }
    pub fn detail(&self) -> u16 {
        self.detail
    }
    /// The named subject (X.0–X.7), `None` for other numbers.
    pub fn subject_name(&self) -> Option<Subject> {
        Subject::from_digit(self.subject)
    }
    /// The IANA registry entry for `X.subject.detail`, if registered.
    pub fn registry(&self) -> Option<&'static EnhancedEntry> {
        registry::enhanced(self.subject, self.detail)
    }
    /// The status as text (`5.1.1`), written into `buf` without the formatting machinery: the
    /// batch API writes one per row. [`fmt::Display`] uses it too.
    pub fn write_into<'a>(&self, buf: &'a mut [u8; 13]) -> &'a str {
        fn push(v: u16, buf: &mut [u8; 13], n: &mut usize) {
            let mut digits = [0u8; 20];
            let digits = decimal(u64::from(v), &mut digits);
            buf[*n..*n + digits.len()].copy_from_slice(digits);
            *n += digits.len();
        }
        let mut n = 0;
        push(self.class.digit(), buf, &mut n);
        buf[n] = b'.';
        n += 1;
        push(self.subject, buf, &mut n);
        buf[n] = b'.';
        n += 1;
        push(self.detail, buf, &mut n);
        // ASCII digits and dots only.
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write_into(&mut [0; 13]))
    }
}

impl std::str::FromStr for EnhancedStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        EnhancedStatus::parse(s)
    }
}

/// What [`scan`] found at a position.
pub(crate) enum Scan {
    /// A valid status ending at the byte index.
    Status(EnhancedStatus, usize),
    /// Shaped like `D.D{1,3}.D{1,3}` and delimited, but not a valid status (bad class).
    Invalid(Error),
    /// Not shaped like a status.
    None,
}

/// Looks for `class.subject.detail` at `start`, delimited by the end, white space or one of
/// `:;,)` so that an IP address such as `5.1.1.1` or a version `4.7.1b` is not a status.
pub(crate) fn scan(b: &[u8], start: usize) -> Scan {
    let digits = |mut i: usize| {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() && i - s < 4 {
            i += 1;
        }
        (s, i)
    };
    let (c0, c1) = digits(start);
    if c1 - c0 != 1 || b.get(c1) != Some(&b'.') {
        return Scan::None;
    }
    let (s0, s1) = digits(c1 + 1);
    if !(1..=3).contains(&(s1 - s0)) || b.get(s1) != Some(&b'.') {
        return Scan::None;
    }
    let (d0, d1) = digits(s1 + 1);
    if !(1..=3).contains(&(d1 - d0)) {
        return Scan::None;
    }
    // The status ends at white space as `str::trim` sees it, or at punctuation.
    match b.get(d1) {
        None => {}
        Some(&c) if is_space(c) || b":;,)".contains(&c) => {}
        Some(_) => return Scan::None,
    }
    let num = |a: usize, z: usize| b[a..z].iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let class = num(c0, c1);
    match StatusClass::from_digit(class) {
        Some(class) => Scan::Status(EnhancedStatus { class, subject: num(s0, s1), detail: num(d0, d1) }, d1),
        None => Scan::Invalid(Error::InvalidStatus {
            text: String::from_utf8_lossy(&b[start..d1]).into_owned(),
            position: start,
            why: "the class must be 2, 4 or 5",
        }),
    }
}

/// An ASCII byte that `char::is_whitespace` (and so `str::trim`) takes for white space: tab,
/// line feed, vertical tab, form feed, carriage return, space. Unlike `u8::is_ascii_whitespace`
/// it includes the vertical tab.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// The decimal digits of `n`, written at the end of `buf` (the formatting machinery costs more
/// than the digits in the batch API's per-row texts).
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[at..]
}

/// The first characters of `s`, for error messages.
pub(crate) fn excerpt(s: &str) -> String {
    // One copy of the first 24 characters' bytes, not a push per character.
    let end = s.char_indices().nth(24).map_or(s.len(), |(i, _)| i);
    s[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn written_text_is_the_formatted_one(class in prop_oneof![Just(2u16), Just(4), Just(5)], subject: u16, detail: u16) {
            let s = EnhancedStatus { class: StatusClass::from_digit(class).unwrap(), subject, detail };
            let mut buf = [0; 13];
            prop_assert_eq!(s.write_into(&mut buf), format!("{class}.{subject}.{detail}"));
            prop_assert_eq!(s.to_string(), format!("{class}.{subject}.{detail}"));
        }
    }

    #[test]
    fn excerpt_is_the_first_24_characters() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(30);
        assert_eq!(excerpt(&long), "é".repeat(24));
        assert_eq!(excerpt(&"x".repeat(24)), "x".repeat(24));
    }

    #[test]
    fn parses_and_displays() {
        let s = EnhancedStatus::parse(" 4.7.650 ").unwrap();
        assert_eq!((s.class(), s.subject(), s.detail()), (StatusClass::PersistentTransientFailure, 7, 650));
        assert_eq!(s.to_string(), "4.7.650");
        assert_eq!(s.subject_name(), Some(Subject::SecurityOrPolicy));
        assert_eq!(
            "5.1.10".parse::<EnhancedStatus>().unwrap().registry().unwrap().title,
            "Recipient address has null MX"
        );
        assert!(EnhancedStatus::parse("5.9.1").unwrap().subject_name().is_none());
    }

    #[test]
    fn rejects_what_rfc_3463_rejects() {
        for bad in
            ["", "5", "5.1", "5.1.", "6.1.1", "3.1.1", "5.1234.1", "5.1.1000", "55.1.1", "5.1.1.1", "x.1.1", "5.1.1 x"]
        {
            assert!(EnhancedStatus::parse(bad).is_err(), "{bad:?} accepted");
        }
        let e = EnhancedStatus::parse("6.1.1").unwrap_err().to_string();
        assert!(e.contains("class must be 2, 4 or 5"), "{e}");
        assert!(EnhancedStatus::new(5, 1000, 1).is_err());
        assert!(EnhancedStatus::new(1, 1, 1).is_err());
    }

    #[test]
    fn orders_by_class_subject_detail() {
        let a = EnhancedStatus::parse("4.9.9").unwrap();
        let b = EnhancedStatus::parse("5.1.1").unwrap();
        let c = EnhancedStatus::parse("5.1.10").unwrap();
        assert!(a < b && b < c);
    }

    proptest! {
        #[test]
        fn round_trips(class in prop::sample::select(vec![2u16, 4, 5]), s in 0u16..=999, d in 0u16..=999) {
            let st = EnhancedStatus::new(class, s, d).unwrap();
            prop_assert_eq!(EnhancedStatus::parse(&st.to_string()).unwrap(), st);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = EnhancedStatus::parse(&s);
        }
    }
}
