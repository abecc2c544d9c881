//! smtpcodes: turn what mail servers say into decisions.
//!
//! A pure Rust core: [`reply::parse`] reads an SMTP reply in the shapes found in the wild,
//! [`registry`] knows every basic reply code and every IANA enhanced status code,
//! [`classify::classify`] says hard or soft bounce and why, and [`retry::decide`] says what to
//! do now. The Python binding lives in `src/python/` behind the `python` feature.
//!
//! ```
//! let r = smtpcodes::parse("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown").unwrap();
//! assert_eq!(r.code().unwrap().value(), 550);
//! assert_eq!(r.status().unwrap().registry().unwrap().title, "Bad destination mailbox address");
//! assert_eq!(smtpcodes::classify(&r).reason, smtpcodes::Reason::UserUnknown);
//! ```

/// An enum of the meanings of one digit (or number) of a code, with `from_digit`.
macro_rules! digit_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $value:expr),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* $variant = $value),+
        }

        impl $name {
            /// The member whose number is `d`.
            pub fn from_digit(d: u16) -> Option<$name> {
                match d {
                    $(x if x == $value => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

/// An enum whose members have names in data and output (`"soft-bouncing"`): `ALL` (in
/// declaration order), `value` and `from_value` (exact; with `lenient`, also ignoring case and
/// surrounding spaces, for values people type).
macro_rules! named_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $value:literal),+ $(,)? } $($lenient:ident)?) => {
        $(#[$m])*
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: [$name; [$($value),+].len()] = [$($name::$variant),+];
            /// Its name in data and output.
            pub fn value(self) -> &'static str {
                match self {
                    $($name::$variant => $value),+
                }
            }
            /// The member named `value`.
            pub fn from_value(value: &str) -> Option<$name> {
                match value {
                    $($value => Some($name::$variant),)+
                    _ => named_enum!(@fallback $name value $($lenient)?),
                }
            }
        }
    };
    (@fallback $name:ident $v:ident) => { None };
    (@fallback $name:ident $v:ident lenient) => {
        $name::ALL.into_iter().find(|k| k.value().eq_ignore_ascii_case($v.trim()))
    };
}

pub mod batch;
pub mod bounce;
pub mod classify;
pub mod describe;
pub mod error;
pub mod ledger;
pub mod registry;
pub mod reply;
pub mod retry;
pub mod status;
pub mod webhooks;

#[cfg(feature = "python")]
mod python;

pub use bounce::{BounceRecipient, BounceReport, ReportKind, parse_bounce};
pub use classify::{Bounce, Classification, Fault, Reason, classify};
pub use error::{Error, Result};
pub use reply::{Category, Reply, ReplyCode, ReplyKind, parse, parse_bytes};
pub use retry::{Action, RetryDecision, RetryPolicy, Scope, decide};
pub use status::{EnhancedStatus, StatusClass, Subject};
