//! Bounce type and reason of a reply.
//!
//! Precedence (the same everywhere): a success reply (2xx/3xx, or a class 2 status without a
//! code) is `delivered`; else the enhanced status gives the reason when the registry maps it
//! (`data/status_reasons.toml`), even when the basic code disagrees (`550 4.2.2` is mailbox
//! full, DESIGN §3); else the basic code gives it (`data/status_reasons.toml`, `[[reply]]`);
//! else the reason is `undefined`. The bounce type is the reason's default
//! (`data/reasons.toml`), except that a transient reply is never hard: a 4xx reply or a
//! 4.X.X status says the condition may pass (RFC 5321 §4.2.1, RFC 3463 §2).

use crate::registry::{self, ReasonEntry};
use crate::reply::{Reply, ReplyKind};
use crate::status::StatusClass;

pub use crate::registry::{Bounce, Fault, Reason};

/// What decided a classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// A positive reply.
    Success,
    /// The enhanced status, through its registry entry.
    Status,
    /// The basic reply code.
    ReplyCode,
    /// Nothing specific: the reason is `undefined`.
    Default,
}

/// The outcome of classifying a reply, with what it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Classification {
    pub bounce: Bounce,
    pub reason: Reason,
    pub basis: Basis,
    /// The source of the table row that decided it (an RFC section), if any.
    pub source: Option<&'static str>,
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
        registry::REASONS
            .iter()
            .find(|r| r.value == v)
            .map(|r| r.reason)
    }
}

/// Classifies a reply from its codes.
pub fn classify(reply: &Reply) -> Classification {
    if reply.is_success() {
        return Classification {
            bounce: Bounce::None,
            reason: Reason::Delivered,
            basis: Basis::Success,
            source: None,
        };
    }
    let transient = reply.is_transient()
        || reply
            .status()
            .is_some_and(|s| s.class() == StatusClass::PersistentTransientFailure);
    let (reason, basis, source) = if let Some(row) = reply
        .status()
        .and_then(|s| registry::status_reason(s.subject(), s.detail()))
    {
        (row.reason, Basis::Status, Some(row.source))
    } else if let Some(row) = reply.code().and_then(|c| registry::reply_reason(c.value())) {
        (row.reason, Basis::ReplyCode, Some(row.source))
    } else {
        (Reason::Undefined, Basis::Default, None)
    };
    // A success status inside a failure reply (`550 2.1.5`) says nothing about the failure.
    let reason = if reason == Reason::Delivered {
        Reason::Undefined
    } else {
        reason
    };
    let mut bounce = reason.entry().bounce;
    if transient && matches!(bounce, Bounce::Hard | Bounce::Unknown) {
        bounce = Bounce::Soft;
    }
    if reply.kind() == ReplyKind::PermanentNegative && bounce == Bounce::None {
        bounce = Bounce::Unknown;
    }
    Classification {
        bounce,
        reason,
        basis,
        source,
    }
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
        assert_eq!(
            c("550 5.1.1 User unknown"),
            (Bounce::Hard, Reason::UserUnknown)
        );
        assert_eq!(
            c("550 5.1.2 Host unknown"),
            (Bounce::Hard, Reason::HostUnknown)
        );
        assert_eq!(
            c("552 5.2.2 Mailbox full"),
            (Bounce::Soft, Reason::MailboxFull)
        );
        assert_eq!(
            c("552 5.3.4 Message too big"),
            (Bounce::Soft, Reason::MesgTooBig)
        );
        assert_eq!(
            c("550 5.7.26 Unauthenticated"),
            (Bounce::Soft, Reason::AuthFailure)
        );
        assert_eq!(c("556 5.1.10 null MX"), (Bounce::Hard, Reason::NotAccept));
        assert_eq!(c("521 no mail here"), (Bounce::Hard, Reason::NotAccept));
        assert_eq!(
            c("550 Requested action not taken"),
            (Bounce::Unknown, Reason::Undefined)
        );
        assert_eq!(c("550 2.1.5 odd"), (Bounce::Unknown, Reason::Undefined));
    }

    #[test]
    fn transient_is_never_hard_and_status_wins_for_the_reason() {
        assert_eq!(
            c("450 4.1.1 User unknown, try later"),
            (Bounce::Soft, Reason::UserUnknown)
        );
        assert_eq!(
            c("550 4.2.2 mailbox full"),
            (Bounce::Soft, Reason::MailboxFull)
        );
        assert_eq!(c("451 try later"), (Bounce::Soft, Reason::SystemError));
        assert_eq!(c("450 mailbox busy"), (Bounce::Soft, Reason::Undefined));
        assert_eq!(c("5.1.1 unknown"), (Bounce::Hard, Reason::UserUnknown));
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
    fn reasons_have_sisimai_names() {
        assert_eq!(Reason::UserUnknown.value(), "userunknown");
        assert_eq!(Reason::from_value("mailboxfull"), Some(Reason::MailboxFull));
        assert!(Reason::all().count() >= 35);
    }
}
