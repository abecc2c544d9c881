//! Human text for a basic reply code or an enhanced status code, in a chosen language.

use crate::error::{Error, Result};
use crate::registry::{self, Lang};
use crate::reply::ReplyCode;
use crate::status::{EnhancedStatus, excerpt};

/// Text of a basic reply code: the RFC's text, else the meaning of its two first digits.
pub fn reply_code(code: ReplyCode, lang: Lang) -> String {
    let v = code.value();
    if let Some(t) = registry::reply_text(v, lang) {
        return t.to_string();
    }
    let kind = registry::kind_text(v / 100, lang).unwrap_or_default();
    match registry::category_text(v / 10 % 10, lang) {
        Some(cat) => format!("{kind}; {cat}"),
        None => kind.to_string(),
    }
}

/// Title of an enhanced status: the registry's, else the class and subject meaning.
pub fn status(st: EnhancedStatus, lang: Lang) -> String {
    if let Some((title, description)) = registry::enhanced_text(st.subject(), st.detail(), lang) {
        return if title.is_empty() { description.to_string() } else { title.to_string() };
    }
    let class = registry::class_text(st.class().digit(), lang).unwrap_or_default();
    match registry::subject_text(st.subject(), lang) {
        Some((title, _)) => format!("{class}; {title}"),
        None => class.to_string(),
    }
}

/// Describes `"550"`, `"5.2.2"` or `"X.2.2"` in `lang` ("en", "fr").
pub fn describe(code_or_status: &str, lang: &str) -> Result<String> {
    let lang = Lang::from_code(lang)?;
    let t = code_or_status.trim();
    let b = t.as_bytes();
    if b.len() == 3 && b.iter().all(u8::is_ascii_digit) {
        let v = t.parse::<u16>().unwrap_or(0);
        return Ok(reply_code(ReplyCode::new(v)?, lang));
    }
    if let Some(rest) = t.strip_prefix("X.").or_else(|| t.strip_prefix("x.")) {
        // A registry code with its class wildcard: describe it as the registry does.
        let st = EnhancedStatus::parse(&format!("5.{rest}"))?;
        if let Some((title, description)) = registry::enhanced_text(st.subject(), st.detail(), lang) {
            return Ok(if title.is_empty() { description.to_string() } else { title.to_string() });
        }
        return Err(Error::Syntax { expected: "a registered X.subject.detail code", position: 0, found: excerpt(t) });
    }
    if b.contains(&b'.') {
        return Ok(status(EnhancedStatus::parse(t)?, lang));
    }
    Err(Error::Syntax {
        expected: "a 3-digit reply code such as \"550\" or an enhanced status code such as \"5.1.1\"",
        position: 0,
        found: excerpt(t),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_codes_and_statuses() {
        assert_eq!(describe("550", "en").unwrap(), "Requested action not taken: mailbox unavailable");
        assert_eq!(describe("5.2.2", "en").unwrap(), "Mailbox full");
        assert_eq!(describe("X.2.2", "en").unwrap(), "Mailbox full");
        assert!(describe("5.2.2", "fr").unwrap().to_lowercase().contains("boîte"));
        assert_ne!(describe("550", "fr").unwrap(), describe("550", "en").unwrap());
        assert!(describe("559", "en").unwrap().starts_with("Permanent Negative"));
        assert!(describe("5.9.1", "en").unwrap().starts_with("Permanent Failure"));
        assert_eq!(describe("5.6.10", "en").unwrap(), "This is a duplicate of X.6.8 and is thus deprecated.");
        assert!(describe("650", "en").is_err());
        assert!(describe("hello", "en").is_err());
        assert!(describe("550", "xx").is_err());
        assert!(describe("X.9.9", "en").is_err());
    }
}
