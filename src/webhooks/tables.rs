//! The providers' event names and categories, from `data/webhooks.toml` (turned into the statics
//! below by build.rs through `tables_gen.rs`; the file's comments give each table's source).

use super::{EventKind, Provider};
use crate::classify::{Bounce, Reason};

/// What a provider's category says of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    pub reason: Reason,
    pub bounce: Bounce,
    /// The category states what no SMTP reply can (a suppression list, an auto-reply): it wins
    /// over the reply's reason and bounce.
    pub overrides: bool,
    /// The event this category makes of the event (an SES `Suppressed` bounce is `Dropped`).
    pub event: Option<EventKind>,
}

/// One row of a category table.
#[derive(Debug)]
pub struct CategoryEntry {
    pub key: &'static str,
    /// Postmark's `TypeCode` of the bounce type.
    pub code: Option<u32>,
    pub category: Category,
}

/// One category table (`[ses.bounce]` is "bounce" of SES).
#[derive(Debug)]
pub struct CategoryTable {
    pub name: &'static str,
    pub entries: &'static [CategoryEntry],
}

/// A provider's event name and the event it is.
#[derive(Debug)]
pub struct EventName {
    pub name: &'static str,
    pub event: EventKind,
}

/// The tables of one provider.
#[derive(Debug)]
pub struct ProviderTables {
    pub name: &'static str,
    pub events: &'static [EventName],
    pub categories: &'static [CategoryTable],
}

/// A Mailgun `delivery-status.code` that is Mailgun's own, not an SMTP reply code.
#[derive(Debug)]
pub struct PseudoCode {
    pub code: u16,
    pub description: &'static str,
    /// The `reason` (of `[mailgun.reason]`) the code stands for when the event gives none.
    pub same_as: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/webhooks_data.rs"));

/// A key as the loose match compares it: lower case, only `0-9a-z*` kept, so that
/// "Frequency/Volume" finds "frequency volume" (the same as in `tables_gen`, which refuses a
/// table whose keys collide so).
fn squash(key: &str) -> String {
    key.to_lowercase().chars().filter(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || *c == '*').collect()
}

/// Finds `key` among `keys`: the equal one, else the one equal once squashed.
fn find<'t, T>(rows: &'t [T], key: &str, key_of: impl Fn(&T) -> &str) -> Option<&'t T> {
    rows.iter().find(|r| key_of(r) == key).or_else(|| {
        let loose = squash(key);
        rows.iter().find(|r| squash(key_of(r)) == loose)
    })
}

/// The tables of `provider`.
pub fn of(provider: Provider) -> &'static ProviderTables {
    &TABLES[provider as usize]
}

/// The event a provider's event name is; names the table does not have are [`EventKind::Other`].
pub fn event(provider: Provider, name: Option<&str>) -> EventKind {
    name.and_then(|n| find(of(provider).events, n, |e| e.name)).map_or(EventKind::Other, |e| e.event)
}

/// The category `key` of the provider's table `table` (`None` when `key` is `None` or unknown).
pub fn category(provider: Provider, table: &str, key: Option<&str>) -> Option<Category> {
    let rows = of(provider).categories.iter().find(|t| t.name == table)?.entries;
    find(rows, key?, |e| e.key).map(|e| e.category)
}

/// The name of Postmark's bounce type whose `TypeCode` is `code`.
pub fn postmark_type(code: i64) -> Option<&'static str> {
    let rows = of(Provider::Postmark).categories.iter().find(|t| t.name == "types")?.entries;
    rows.iter().find(|e| e.code.is_some_and(|c| i64::from(c) == code)).map(|e| e.key)
}

/// Mailgun's own code `code`, when it is one.
pub fn mailgun_pseudo(code: i64) -> Option<&'static PseudoCode> {
    MAILGUN_PSEUDO_CODES.iter().find(|p| i64::from(p.code) == code)
}
