//! Bounce type and reason of a reply.
//!
//! Precedence (the same everywhere):
//! 1. a success reply (2xx/3xx, or a class 2 status without a code) is `delivered`;
//! 2. else a text rule of `data/rules.toml` that matches gives the reason: the text is more
//!    specific than the codes (`550 5.7.1 … blocked using zen.spamhaus.org` is `blocked`);
//! 3. else the enhanced status gives it when the registry maps it (`data/status_reasons.toml`),
//!    even when the basic code disagrees (`550 4.2.2` is mailbox full, DESIGN §3);
//! 4. else the basic code gives it (`data/status_reasons.toml`, `[[reply]]`);
//! 5. else, when the reply answered the connection (the greeting) or `HELO`/`EHLO`, the reason
//!    is `blocked`: the refusal came before any sender or recipient was named, so it can only be
//!    about the client host (RFC 5321 §3.1, §4.1.1.1);
//! 6. else the reason is `undefined`.
//!
//! The bounce type is the rule's override or the reason's default (`data/reasons.toml`), except
//! that a transient reply is never hard: a 4xx reply or a 4.X.X status says the condition may
//! pass (RFC 5321 §4.2.1, RFC 3463 §2).

pub mod rules;
#[cfg(test)]
mod wordings;

use crate::registry::{self, ReasonEntry};
use crate::reply::{Reply, ReplyKind};
use crate::status::StatusClass;
use rules::{RULESET, RuleMatch, normalize_with_map};

pub use crate::registry::{Bounce, Fault, Reason};

/// What decided a classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// A positive reply.
    Success,
    /// A text rule.
    Rule,
    /// The enhanced status, through its registry entry.
    Status,
    /// The basic reply code.
    ReplyCode,
    /// The SMTP command the reply answered (a refusal at the greeting or `HELO`/`EHLO`).
    Command,
    /// Nothing specific: the reason is `undefined`.
    Default,
    /// A bounce report with no reply to classify: its format (a complaint, an auto-reply), its
    /// `Action` and its words.
    Report,
}

impl Basis {
    pub fn name(self) -> &'static str {
        match self {
            Basis::Success => "success",
            Basis::Rule => "rule",
            Basis::Status => "status",
            Basis::ReplyCode => "reply_code",
            Basis::Command => "smtp_command",
            Basis::Default => "default",
            Basis::Report => "report",
        }
    }
}

/// The outcome of classifying a reply, with what it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Classification {
    pub bounce: Bounce,
    pub reason: Reason,
    pub basis: Basis,
    /// The source of what decided it: the rule's source or the table row's RFC section.
    pub source: Option<&'static str>,
    /// The text rule that decided it, with its span in the normalized text.
    pub rule: Option<RuleMatch>,
}

impl Classification {
    /// A bounce report's verdict (`reason`, `bounce`) on a delivery with no reply to classify.
    pub fn of_report(reason: Reason, bounce: Bounce) -> Classification {
        Classification { bounce, reason, basis: Basis::Report, source: None, rule: None }
    }
}

impl Reason {
    /// The reason's table entry: Sisimai name, description, default bounce, fault.
    pub fn entry(self) -> &'static ReasonEntry {
        registry::reason(self)
    }
    /// Sisimai's name for the reason (`userunknown`).
    pub fn value(self) -> &'static str {
        self.entry().value
    }
    /// Every reason, in the order of `data/reasons.toml`.
    pub fn all() -> impl Iterator<Item = Reason> {
        registry::REASONS.iter().map(|r| r.reason)
    }
    /// Looks a reason up by its Sisimai name.
    pub fn from_value(v: &str) -> Option<Reason> {
        // A map built once: replays parse a reason per row.
        static BY_VALUE: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, Reason>> =
            std::sync::LazyLock::new(|| registry::REASONS.iter().map(|r| (r.value, r.reason)).collect());
        BY_VALUE.get(v).copied()
    }
}

/// The ids of the text rules (`data/rules.toml`), in the file's order.
pub fn rule_ids() -> Vec<&'static str> {
    RULESET.rules().iter().map(|r| r.id).collect()
}

/// The reason the enhanced status gives on its own, with its source.
pub fn status_reason(reply: &Reply) -> Option<(Reason, &'static str)> {
    let s = reply.status()?;
    registry::status_reason(s.subject(), s.detail()).map(|row| (row.reason, row.source))
}

/// The reason the basic code gives on its own, with its source.
pub fn code_reason(reply: &Reply) -> Option<(Reason, &'static str)> {
    let c = reply.code()?;
    registry::reply_reason(c.value()).map(|row| (row.reason, row.source))
}

/// Classifies a reply (see the module documentation for the precedence).
pub fn classify(reply: &Reply) -> Classification {
    let text = normalize_with_map(&reply.text_cow(), false).0;
    classify_normalized(reply, &text)
}

fn classify_normalized(reply: &Reply, text: &str) -> Classification {
    if reply.is_success() {
        return Classification {
            bounce: Bounce::None,
            reason: Reason::Delivered,
            basis: Basis::Success,
            source: None,
            rule: None,
        };
    }
    let transient =
        reply.is_transient() || reply.status().is_some_and(|s| s.class() == StatusClass::PersistentTransientFailure);
    let matched = RULESET.best(text, reply);
    let (reason, basis, source) = if let Some(m) = matched {
        (m.rule.reason, Basis::Rule, Some(m.rule.source))
    } else if let Some((r, src)) = status_reason(reply) {
        (r, Basis::Status, Some(src))
    } else if let Some((r, src)) = code_reason(reply) {
        (r, Basis::ReplyCode, Some(src))
    } else {
        (Reason::Undefined, Basis::Default, None)
    };
    // A success status inside a failure reply (`550 2.1.5`) says nothing about the failure.
    let reason = if reason == Reason::Delivered { Reason::Undefined } else { reason };
    let (reason, basis, source) = match (reason, reply.smtp_command().map(rules::command_verb)) {
        // Only the code's generic meaning (`421 Service not available` at the greeting) or
        // nothing: the refusal is of the client host.
        (Reason::Undefined, Some("CONNECT" | "HELO" | "EHLO")) => {
            (Reason::Blocked, Basis::Command, Some(GREETING_SOURCE))
        }
        (Reason::SystemError, Some("CONNECT" | "HELO" | "EHLO")) if basis == Basis::ReplyCode => {
            (Reason::Blocked, Basis::Command, Some(GREETING_SOURCE))
        }
        // A refusal of MAIL FROM is of the sender, whatever recipient-sounding words or status it
        // carries (`550 5.1.1 <sender>... User unknown` after MAIL FROM): never a reason to drop
        // the recipient. A generic status or code (`550 5.7.1 Access denied`) says no more than
        // that the sender was refused; a text rule's own finding (`Unauthenticated senders not
        // allowed`, a policy) stands.
        (
            Reason::UserUnknown | Reason::HostUnknown | Reason::Suspend | Reason::Filtered | Reason::NotAccept,
            Some("MAIL"),
        ) => (Reason::Rejected, Basis::Command, Some(MAIL_SOURCE)),
        (Reason::Undefined | Reason::PolicyViolation | Reason::SecurityError | Reason::SystemError, Some("MAIL"))
            if basis != Basis::Rule =>
        {
            (Reason::Rejected, Basis::Command, Some(MAIL_SOURCE))
        }
        _ => (reason, basis, source),
    };
    let mut bounce = matched.and_then(|m| m.rule.bounce).unwrap_or(reason.entry().bounce);
    if transient && matches!(bounce, Bounce::Hard | Bounce::Unknown) {
        bounce = Bounce::Soft;
    }
    if reply.kind() == ReplyKind::PermanentNegative && bounce == Bounce::None {
        bounce = Bounce::Unknown;
    }
    Classification { bounce, reason, basis, source, rule: matched }
}

/// Why a refusal of the greeting or of `HELO`/`EHLO` with nothing more specific is `blocked`.
const GREETING_SOURCE: &str = "RFC 5321 §3.1 (a server may refuse a client at the greeting) and §4.1.1.1 (HELO/EHLO \
identifies the client): a refusal before MAIL names no sender or recipient, so it is about the client host; \
sisimai/p5-sisimai lib/Sisimai/Reason.pm (anotherone: EHLO/HELO -> blocked)";

/// Why a refusal of `MAIL FROM` is `rejected`.
const MAIL_SOURCE: &str = "RFC 5321 §3.3 and §4.1.1.2 (MAIL gives the reverse-path; its refusal is of the sender, \
before any recipient is named): the sender's address or domain was refused; sisimai/p5-sisimai \
lib/Sisimai/Reason.pm (anotherone: MAIL -> rejected)";

/// Classifies text that comes with no reply code and no status (a bounce that only says
/// "mailbox is full: retry timeout exceeded"): the text rules alone decide, and no code or
/// status is invented. `transient` (the report says the delivery is only delayed) keeps the
/// bounce soft. Without a matching rule the reason is `undefined`.
pub fn classify_text(text: &str, transient: bool) -> Classification {
    let normalized = normalize_with_map(text, false).0;
    match RULESET.best_for_text(&normalized) {
        Some(m) => {
            let mut bounce = m.rule.bounce.unwrap_or(m.rule.reason.entry().bounce);
            if transient && matches!(bounce, Bounce::Hard | Bounce::Unknown) {
                bounce = Bounce::Soft;
            }
            Classification {
                bounce,
                reason: m.rule.reason,
                basis: Basis::Rule,
                source: Some(m.rule.source),
                rule: Some(m),
            }
        }
        None => Classification {
            bounce: if transient { Bounce::Soft } else { Bounce::Unknown },
            reason: Reason::Undefined,
            basis: Basis::Default,
            source: None,
            rule: None,
        },
    }
}

/// Why a reply got its reason: every input to the decision and how they combined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub classification: Classification,
    /// What the status alone would give, with its source.
    pub status_reason: Option<(Reason, &'static str)>,
    /// What the basic code alone would give, with its source.
    pub code_reason: Option<(Reason, &'static str)>,
    /// The matched words as they stand in the reply text, and their byte span in `Reply::text()`.
    pub matched: Option<(String, usize, usize)>,
    /// The whole explanation in a few sentences.
    pub summary: String,
}

/// Explains [`classify`]'s answer for `reply`.
pub fn explain(reply: &Reply) -> Explanation {
    let original = reply.text();
    let (text, map) = normalize_with_map(&original, true);
    let k = classify_normalized(reply, &text);
    let status_reason = status_reason(reply);
    let code_reason = code_reason(reply);
    let matched = k.rule.map(|m| {
        // `map` gives, for each byte of the normalized text, the start of the character it came
        // from: the span ends after the character of the match's last byte.
        let a = map[m.start];
        let b = if m.end > m.start {
            let last = map[m.end - 1];
            last + original[last..].chars().next().map_or(0, char::len_utf8)
        } else {
            a
        };
        (original.get(a..b).unwrap_or_default().to_string(), a, b)
    });
    let mut parts = Vec::new();
    if let Some(inner) = reply.unwrapped().last() {
        let source = crate::reply::WRAPPERS.iter().find(|w| w.id == *inner).map_or("", |w| w.source);
        parts.push(format!(
            "the reply was found inside the wrapper{} {} (data/wrappers.toml; innermost from: {source})",
            if reply.unwrapped().len() > 1 { "s" } else { "" },
            reply.unwrapped().iter().map(|w| format!("{w:?}")).collect::<Vec<_>>().join(" > ")
        ));
    }
    let codes = match (reply.code(), reply.status()) {
        (Some(c), Some(s)) => format!("{c} {s}"),
        (Some(c), None) => c.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) => String::new(),
    };
    if reply.conflict() {
        parts.push(format!(
            "{codes}: the basic code and the enhanced status class disagree; the status gives the reason"
        ));
    }
    match k.basis {
        Basis::Success => parts.push(format!("{codes} is a positive reply: delivered")),
        _ => {
            match status_reason {
                Some((r, src)) => parts.push(format!("the status alone says {} ({src})", r.value())),
                None if reply.status().is_some() => parts.push("the status is not in the registry's table".into()),
                None => {}
            }
            match code_reason {
                Some((r, src)) => parts.push(format!("the code alone says {} ({src})", r.value())),
                None if reply.code().is_some() => parts.push("the code alone says nothing specific".into()),
                None => {}
            }
            if let (Some(m), Some((words, a, b))) = (k.rule, &matched) {
                parts.push(format!(
                    "the text matches rule {:?} ({words:?} at bytes {a}..{b}; source: {}), which wins: reason {}",
                    m.rule.id,
                    m.rule.source,
                    m.rule.reason.value()
                ));
            } else if k.basis == Basis::Command {
                parts.push("no text rule matches".into());
            } else {
                parts.push(format!(
                    "no text rule matches: reason {} from the {}",
                    k.reason.value(),
                    k.basis.name().replace('_', " ")
                ));
            }
        }
    }
    if k.basis == Basis::Command {
        parts.push(format!(
            "the reply answered {}: reason {} ({})",
            reply.smtp_command().unwrap_or_default(),
            k.reason.value(),
            k.source.unwrap_or_default()
        ));
    }
    let why_bounce = if k.rule.and_then(|m| m.rule.bounce).is_some() {
        "set by the rule"
    } else if reply.is_transient()
        || reply.status().is_some_and(|s| s.class() == StatusClass::PersistentTransientFailure)
    {
        "a transient failure is never hard"
    } else {
        "the reason's default"
    };
    if k.basis != Basis::Success {
        parts.push(format!(
            "bounce {} ({why_bounce})",
            match k.bounce {
                Bounce::Hard => "hard",
                Bounce::Soft => "soft",
                Bounce::None => "none",
                Bounce::Unknown => "unknown",
            }
        ));
    }
    let mut summary = parts.join("; ");
    summary.push('.');
    Explanation { classification: k, status_reason, code_reason, matched, summary }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::parse;

    fn c(s: &str) -> (Bounce, Reason) {
        let k = classify(&parse(s).unwrap());
        (k.bounce, k.reason)
    }

    #[test]
    fn codes_alone_decide() {
        assert_eq!(c("250 2.0.0 OK"), (Bounce::None, Reason::Delivered));
        assert_eq!(c("354 go ahead"), (Bounce::None, Reason::Delivered));
        assert_eq!(c("550 5.1.1 User unknown"), (Bounce::Hard, Reason::UserUnknown));
        assert_eq!(c("550 5.1.2 Host unknown"), (Bounce::Hard, Reason::HostUnknown));
        assert_eq!(c("552 5.2.2 Mailbox full"), (Bounce::Soft, Reason::MailboxFull));
        assert_eq!(c("552 5.3.4 Message too big"), (Bounce::Soft, Reason::MesgTooBig));
        assert_eq!(c("550 5.7.26 Unauthenticated"), (Bounce::Soft, Reason::AuthFailure));
        assert_eq!(c("556 5.1.10 null MX"), (Bounce::Hard, Reason::NotAccept));
        assert_eq!(c("521 no mail here"), (Bounce::Hard, Reason::NotAccept));
        assert_eq!(c("550 Requested action not taken"), (Bounce::Unknown, Reason::Undefined));
        assert_eq!(c("550 2.1.5 odd"), (Bounce::Unknown, Reason::Undefined));
    }

    #[test]
    fn transient_is_never_hard_and_status_wins_for_the_reason() {
        assert_eq!(c("450 4.1.1 User unknown, try later"), (Bounce::Soft, Reason::UserUnknown));
        assert_eq!(c("550 4.2.2 mailbox full"), (Bounce::Soft, Reason::MailboxFull));
        assert_eq!(c("451 try later"), (Bounce::Soft, Reason::SystemError));
        assert_eq!(c("450 mailbox busy"), (Bounce::Soft, Reason::Undefined));
        assert_eq!(c("5.1.1 unknown"), (Bounce::Hard, Reason::UserUnknown));
    }

    #[test]
    fn a_refusal_at_the_greeting_or_helo_is_blocked_when_nothing_else_says_why() {
        let at = |reply: &str, cmd: &str| {
            let p = parse(reply).unwrap();
            let r = Reply::new(p.code(), p.status(), p.lines().to_vec(), None, Some(cmd.into())).unwrap();
            let k = classify(&r);
            (k.reason, k.basis)
        };
        assert_eq!(at("550 Rejected", "EHLO"), (Reason::Blocked, Basis::Command));
        assert_eq!(at("421 4.0.0 Service not available", "CONNECT"), (Reason::Blocked, Basis::Command));
        assert_eq!(at("550 Rejected", "RCPT TO"), (Reason::Undefined, Basis::ReplyCode));
        // A more specific answer wins: the text, the status or the code.
        assert_eq!(at("421 Too many connections from your host", "CONNECT").0, Reason::TooManyConn);
        assert_eq!(at("501 5.5.4 Syntax error in parameters", "HELO").0, Reason::SyntaxError);
        // The code's generic meaning is nothing more specific: a 421 at the greeting refuses the
        // client host (Sisimai labels Postfix's "refused to talk to me: 421 Service not
        // available" blocked too).
        assert_eq!(at("421 Service not available", "CONNECT"), (Reason::Blocked, Basis::Command));
        // At MAIL FROM, recipient-sounding words and statuses are about the sender.
        assert_eq!(at("550 5.1.1 <alice@example.com>... User unknown", "MAIL FROM").0, Reason::Rejected);
        assert_eq!(at("550 5.7.1 Access denied", "MAIL FROM"), (Reason::Rejected, Basis::Command));
        assert_eq!(at("452 4.3.1 Insufficient system storage", "MAIL FROM").0, Reason::SystemFull);
        assert!(
            explain(&parse("550 Rejected (in reply to EHLO command)").unwrap())
                .summary
                .contains("the reply answered EHLO: reason blocked")
        );
    }

    #[test]
    fn every_registry_status_classifies() {
        for e in registry::ENHANCED.iter().filter(|e| !e.deprecated) {
            for class in [4u16, 5] {
                let s = format!("{class}50 {class}.{}.{} x", e.subject, e.detail);
                let k = classify(&parse(&s).unwrap());
                assert!(k.basis == Basis::Status, "{s}: {k:?}");
                if class == 4 {
                    assert_ne!(k.bounce, Bounce::Hard, "{s}");
                }
            }
        }
    }

    #[test]
    fn explain_says_what_combined() {
        let e = explain(&parse("550 5.1.1 <bob@example.com>: User unknown").unwrap());
        assert_eq!(e.classification.reason, Reason::UserUnknown);
        assert_eq!(e.status_reason.unwrap().0, Reason::UserUnknown);
        assert!(e.summary.contains("the status alone says userunknown"), "{}", e.summary);
        assert!(e.summary.contains("bounce hard (the reason's default)"), "{}", e.summary);
        let e = explain(&parse("550 4.2.2 over quota").unwrap());
        assert!(e.summary.contains("disagree"), "{}", e.summary);
        let e = explain(&parse("250 OK").unwrap());
        assert!(e.summary.contains("positive reply"), "{}", e.summary);
    }

    #[test]
    fn explain_locates_the_matched_words_in_the_original_text() {
        let r =
            parse("550 5.7.1 Service unavailable;   Client host [192.0.2.1] blocked using ZEN.SPAMHAUS.org").unwrap();
        let e = explain(&r);
        assert_eq!(e.classification.basis, Basis::Rule);
        let (words, a, b) = e.matched.clone().unwrap();
        assert_eq!(&r.text()[a..b], words);
        let lower = words.to_lowercase();
        assert!(lower.contains("spamhaus") || lower.contains("blocked"), "{words}");
        assert_eq!(e.classification.reason, Reason::Blocked);
        assert!(e.summary.contains("which wins"), "{}", e.summary);
    }

    #[test]
    fn text_alone_is_classified_by_rules_without_code_constraints() {
        let k = classify_text("The recipient's mailbox is full and cannot accept messages", false);
        assert_eq!((k.reason, k.basis), (Reason::MailboxFull, Basis::Rule));
        assert_eq!(classify_text("no such user here", false).reason, Reason::UserUnknown);
        assert_eq!(classify_text("no such user here", true).bounce, Bounce::Soft);
        let k = classify_text("something odd happened", false);
        assert_eq!((k.reason, k.bounce), (Reason::Undefined, Bounce::Unknown));
    }

    #[test]
    fn reasons_have_sisimai_names() {
        assert_eq!(Reason::UserUnknown.value(), "userunknown");
        assert_eq!(Reason::from_value("mailboxfull"), Some(Reason::MailboxFull));
        assert!(Reason::all().count() >= 35);
    }

    mod properties {
        use super::super::*;
        use crate::reply::parse;
        use crate::retry::{RetryPolicy, decide};
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn classification_never_panics_and_is_deterministic(
                code in prop::sample::select(vec!["250", "421", "450", "451", "452", "550", "552", "553", "554"]),
                status in prop::option::of("[245]\\.[0-7]\\.[0-9]{1,2}"),
                text in "\\PC{0,120}",
                attempt in 0u32..50,
                elapsed in prop::option::of(0u64..10_000_000),
            ) {
                let input = format!("{code} {} {text}", status.unwrap_or_default());
                if let Ok(r) = parse(&input) {
                    let a = classify(&r);
                    prop_assert_eq!(a, classify(&r));
                    prop_assert!(Reason::all().any(|x| x == a.reason));
                    let e = explain(&r);
                    prop_assert_eq!(e.classification, a);
                    if let Some((words, start, end)) = e.matched {
                        let text = r.text();
                        prop_assert_eq!(text.get(start..end), Some(words.as_str()));
                    }
                    let d = decide(&r, attempt, elapsed, &RetryPolicy::default());
                    prop_assert_eq!(d.suppress, d.action == crate::retry::Action::Suppress);
                }
            }
        }
    }
}
