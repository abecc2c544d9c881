//! The bounce ledger's model: what happened to an address over time (events), and the policy
//! that turns an address's history into its state (active, soft-bouncing, suppressed,
//! complained) and a destination's recent events into its health.
//!
//! Everything here is a pure function of the events and a time `now`: the order in which events
//! arrive never matters (they are sorted by time, then kind, then id) and an event recorded twice
//! counts once (events are identified by their id). Storage is the Python layer's.
//!
//! Times are microseconds since the Unix epoch (UTC); durations are seconds, as in
//! [`RetryPolicy`].

pub mod destination;
pub mod provider;
pub mod replay;

use crate::bounce::{BounceRecipient, BounceReport, ReportKind};
use crate::classify::{Bounce, Fault, Reason};
use crate::reply::Reply;
use crate::retry::{Action, Outcome, RetryDecision, RetryPolicy};
use crate::webhooks::WebhookEvent;

pub use destination::{Advice, DestinationHealth, destination_health};

/// Microseconds in a second.
pub const MICROS: i64 = 1_000_000;

/// The longest address the ledger stores: RFC 5321 §4.5.3.1.3 limits a path to 256 octets,
/// and §4.5.3.1.1/2 a local part to 64 and a domain to 255; 320 covers both parts at their
/// limits, as address-validation libraries do.
pub const MAX_ADDRESS_BYTES: usize = 320;

named_enum! {
    /// What happened to an address. Events of the same time apply in this order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum EventKind {
        /// The receiving server accepted a message (a 2yz reply, DSN `delivered`/`relayed`).
        Delivered = "delivered",
        /// A temporary failure: the message is still being retried (4yz, DSN `delayed`).
        Deferred = "deferred",
        /// The message failed for good for this address (5yz, DSN `failed`, a provider's bounce).
        Bounced = "bounced",
        /// The recipient reported the mail as unwanted (ARF `abuse`, a provider's complaint).
        Complained = "complained",
        /// The recipient unsubscribed (RFC 8058 one-click, a list's unsubscribe link).
        Unsubscribed = "unsubscribed",
        /// Someone suppressed the address by hand, or a suppression list was imported.
        Suppressed = "suppressed",
        /// Someone lifted the address's suppression (audited with a reason in `detail`).
        Released = "released",
    }
    lenient
}

impl EventKind {
    /// The reason and bounce type of an event of this kind when nothing else says: a bounce
    /// or a deferral with no reason is `undefined`, of unknown type.
    pub fn defaults(self) -> (Reason, Bounce) {
        match self {
            EventKind::Delivered => (Reason::Delivered, Bounce::None),
            EventKind::Complained => (Reason::Feedback, Bounce::None),
            EventKind::Bounced | EventKind::Deferred => (Reason::Undefined, Bounce::Unknown),
            EventKind::Unsubscribed | EventKind::Suppressed | EventKind::Released => (Reason::Suppressed, Bounce::None),
        }
    }
    /// The bounce type of an event of this kind for `reason` when nothing else says: a bounce
    /// has the reason's usual type (data/reasons.toml), a deferral too but never hard (a
    /// transient failure is never final for the address, DESIGN §3), other kinds their own.
    pub fn usual_bounce(self, reason: Reason) -> Bounce {
        match self {
            EventKind::Bounced => reason.entry().bounce,
            EventKind::Deferred => match reason.entry().bounce {
                Bounce::Hard => Bounce::Soft,
                b => b,
            },
            _ => self.defaults().1,
        }
    }
    /// The kind of event a decision on a delivery attempt makes: an accepted message is
    /// `delivered`; a refusal the decision ends (give up, suppress, or fix the configuration
    /// with no retry) `bounced`; one that will be retried (a delay was given) `deferred`.
    pub fn of_decision(outcome: Outcome, action: Action, delayed: bool) -> EventKind {
        match (outcome, action) {
            (Outcome::Delivered, _) | (_, Action::Delivered) => EventKind::Delivered,
            (Outcome::Complaint, _) => EventKind::Complained,
            (_, Action::GiveUp | Action::Suppress) => EventKind::Bounced,
            (_, Action::FixConfig) if !delayed => EventKind::Bounced,
            _ => EventKind::Deferred,
        }
    }
    /// The kind of a delivery attempt's outcome.
    pub fn of_outcome(outcome: Outcome) -> EventKind {
        match outcome {
            Outcome::Delivered => EventKind::Delivered,
            Outcome::Transient => EventKind::Deferred,
            Outcome::Permanent => EventKind::Bounced,
            Outcome::Complaint => EventKind::Complained,
        }
    }
}

named_enum! {
    /// Where an event came from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Source {
        /// A reply seen while sending (SMTP, `from_exception`).
        Reply = "reply",
        /// A bounce email (a DSN or a non-standard report).
        Bounce = "bounce",
        /// A sending service's webhook.
        Webhook = "webhook",
        /// A suppression list imported from a file.
        Import = "import",
        /// Entered by a person or a program (unsubscribes, manual suppressions, releases).
        Manual = "manual",
    }
    lenient
}

/// Why an event could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The address is not `local@domain`.
    #[error("{address:?} is not an email address: {why}")]
    Address { address: String, why: &'static str },
    /// A field holds a value the ledger does not know.
    #[error("{field} {value:?} is not one of {expected}")]
    Value { field: &'static str, value: String, expected: String },
}

/// `value` as one of a field's values, else an [`EventError::Value`] naming the field and
/// the values it takes: how rows from outside (a table to replay, Python arguments) are read.
#[inline]
fn read<T>(
    field: &'static str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: impl Fn() -> String,
) -> Result<T, EventError> {
    match parse(value) {
        Some(v) => Ok(v),
        None => Err(not_one_of(field, value, expected())),
    }
}

#[cold]
fn not_one_of(field: &'static str, value: &str, expected: String) -> EventError {
    EventError::Value { field, value: value.chars().take(100).collect(), expected }
}

fn listed(values: impl Iterator<Item = &'static str>) -> String {
    values.collect::<Vec<_>>().join(", ")
}

/// An event kind's value (`bounced`), case-insensitive.
#[inline]
pub fn read_kind(value: &str) -> Result<EventKind, EventError> {
    read("kind", value, EventKind::from_value, || listed(EventKind::ALL.iter().map(|k| k.value())))
}

/// A reason's value (Sisimai's name, `userunknown`).
#[inline]
pub fn read_reason(value: &str) -> Result<Reason, EventError> {
    read("reason", value, Reason::from_value, || "the reasons of data/reasons.toml".to_string())
}

/// A bounce type's value (`hard`).
#[inline]
pub fn read_bounce(value: &str) -> Result<Bounce, EventError> {
    read("bounce", value, Bounce::from_value, || listed(Bounce::ALL.iter().map(|k| k.value())))
}

/// An action's value (`give_up`).
#[inline]
pub fn read_action(value: &str) -> Result<Action, EventError> {
    read("action", value, Action::from_value, || listed(Action::ALL.iter().map(|k| k.value())))
}

/// A source's value (`webhook`), case-insensitive.
#[inline]
pub fn read_source(value: &str) -> Result<Source, EventError> {
    read("source", value, Source::from_value, || listed(Source::ALL.iter().map(|k| k.value())))
}

/// The ledger's form of an address: trimmed, without angle brackets, in lower case.
///
/// RFC 5321 §2.4 lets a server treat local parts case-sensitively but says that exploiting it
/// "impedes interoperability and is discouraged"; suppression lists (SES, SendGrid, Mailgun,
/// Postmark) match addresses without case, and so does the ledger.
pub fn normalize_address(address: &str) -> Result<String, EventError> {
    let bad = |why| EventError::Address { address: address.chars().take(100).collect(), why };
    let a = address.trim();
    let a = a.strip_prefix('<').and_then(|x| x.strip_suffix('>')).unwrap_or(a).trim();
    if a.is_empty() {
        return Err(bad("it is empty"));
    }
    if a.len() > MAX_ADDRESS_BYTES {
        return Err(bad("it is longer than 320 bytes (RFC 5321 §4.5.3.1)"));
    }
    let Some((local, domain)) = a.rsplit_once('@') else {
        return Err(bad("it has no '@'"));
    };
    if local.is_empty() || domain.is_empty() {
        return Err(bad("it needs a local part and a domain around its '@'"));
    }
    if a.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it holds a space or a control character"));
    }
    Ok(a.to_lowercase())
}

/// The domain of a normalized address.
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// One thing that happened to one address at one time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// Identifies the event: recording it twice counts once. The provider's event id, the
    /// bounced message's id with the recipient, or a hash of the event's content.
    pub id: String,
    /// The address, normalized ([`normalize_address`]).
    pub address: String,
    /// When it happened, in microseconds since the Unix epoch.
    pub at: i64,
    pub kind: EventKind,
    /// Why (a bounce's reason; `delivered`, `feedback` … for the others).
    pub reason: Reason,
    pub bounce: Bounce,
    /// What [`crate::decide`] said, when a decision was made.
    pub action: Option<Action>,
    pub source: Source,
    /// The receiving host, when known (`mx.example.com`).
    pub mx: Option<String>,
    /// The provider behind the destination ([`provider::detect`]).
    pub provider: Option<&'static str>,
    /// What the server said, or a person's note (a release's reason).
    pub detail: Option<String>,
    /// When a manual suppression ends (`None`: never).
    pub until: Option<i64>,
}

/// FNV-1a, 64 bits, over the parts with a separator byte between them: a stable id for events
/// that come with none (the same content gives the same id on every machine and version).
fn content_id(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.iter().chain(std::iter::once(&0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("h:{h:016x}")
}

impl Event {
    /// An event of `kind` for `address` at `at`, with the reason and bounce a kind implies
    /// when nothing else says (a bounce: `undefined`, unknown bounce type).
    pub fn new(address: &str, at: i64, kind: EventKind, source: Source) -> Result<Event, EventError> {
        let mut e = Event::blank(address, at, kind, source)?.with_destination(None, None);
        e.id = e.content_id();
        Ok(e)
    }

    /// [`Event::new`] without its id and provider, for the makers below that set them once
    /// they know the rest (the id hashes the content; the provider reads the host and text).
    pub(crate) fn blank(address: &str, at: i64, kind: EventKind, source: Source) -> Result<Event, EventError> {
        let (reason, bounce) = kind.defaults();
        Ok(Event {
            id: String::new(),
            address: normalize_address(address)?,
            at,
            kind,
            reason,
            bounce,
            action: None,
            source,
            mx: None,
            provider: None,
            detail: None,
            until: None,
        })
    }

    /// The id made from the event's content: address, time, kind, reason, detail.
    pub fn content_id(&self) -> String {
        content_id(&[
            self.address.as_bytes(),
            &self.at.to_le_bytes(),
            self.kind.value().as_bytes(),
            self.reason.value().as_bytes(),
            self.detail.as_deref().unwrap_or("").as_bytes(),
        ])
    }

    /// Sets the receiving host and detects the provider from it and from `text`.
    pub fn with_destination(mut self, mx: Option<&str>, text: Option<&str>) -> Event {
        let mx = mx.map(provider::host_name).filter(|h| !h.is_empty()).map(str::to_ascii_lowercase);
        if let Some(p) = provider::detect(domain_of(&self.address), mx.as_deref(), text) {
            self.provider = Some(p.id);
        }
        self.mx = mx;
        self
    }

    /// The event a reply to a delivery attempt makes, with the decision taken on it: a 2yz
    /// reply is `delivered`, a refusal the decision ends (give up, suppress, fix the
    /// configuration of a permanent refusal) `bounced`, one that will be retried `deferred`.
    /// The reply's host (a wrapper's or a DSN's) gives the receiving host.
    pub fn from_reply(address: &str, at: i64, reply: &Reply, decision: &RetryDecision) -> Result<Event, EventError> {
        let kind = EventKind::of_decision(Outcome::of_reply(reply), decision.action, decision.delay.is_some());
        let wire = reply.to_wire();
        let mut e = Event::blank(address, at, kind, Source::Reply)?;
        e.reason = decision.classification.reason;
        e.bounce = decision.classification.bounce;
        e.action = Some(decision.action);
        e = e.with_destination(reply.remote_mta(), Some(&wire));
        e.detail = Some(wire);
        e.id = e.content_id();
        Ok(e)
    }

    /// The event of one recipient of a bounce report at `at` (the recipient's
    /// `Last-Attempt-Date`, else the report's `Arrival-Date`, else `at`). Its id is the bounced
    /// message's Message-ID with the recipient and kind, so that a mailbox scanned twice counts
    /// each bounce once; without a Message-ID, a hash of the recipient's fields.
    pub fn from_bounce(report: &BounceReport, recipient: &BounceRecipient, at: i64) -> Result<Event, EventError> {
        let feedback = report.feedback_type.as_deref();
        let kind = match report.kind {
            ReportKind::Feedback => EventKind::of_outcome(Outcome::of_feedback(feedback)),
            _ => EventKind::of_outcome(recipient.outcome(feedback)),
        };
        let when = bounce_time(report, recipient).unwrap_or(at);
        let mut e = Event::blank(&recipient.address, when, kind, Source::Bounce)?;
        if kind != EventKind::Delivered && kind != EventKind::Complained {
            e.reason = recipient.reason;
            e.bounce = recipient.bounce;
        }
        let detail = recipient.reply.as_ref().map(Reply::to_wire).or_else(|| recipient.diagnostic_text.clone());
        let mx = recipient.remote_mta.as_deref().or_else(|| recipient.reply.as_ref().and_then(Reply::remote_mta));
        e = e.with_destination(mx, detail.as_deref());
        e.detail = detail;
        e.id = match report.original.message_id.as_deref() {
            Some(mid) if !mid.trim().is_empty() => format!("{}:{}:{}", mid.trim(), e.address, kind.value()),
            _ => e.content_id(),
        };
        Ok(e)
    }

    /// The event of a sending service's webhook event ([`crate::webhooks::parse_webhook`]), at
    /// the event's time, else `at`; its id is the provider's. `None` for events that say nothing
    /// about the address's deliveries (opens, clicks) and events that name no recipient.
    pub fn from_webhook(w: &WebhookEvent, at: i64) -> Option<Result<Event, EventError>> {
        let decision = w.decision.as_ref().map(|d| (d.action, d.delay.is_some()));
        let parts = WebhookParts {
            kind: w.event,
            id: w.id.as_deref(),
            recipient: w.recipient.as_deref()?,
            at: w.timestamp.unwrap_or(at),
            reply: w.reply.as_ref(),
            reason: w.reason,
            bounce: w.bounce,
            decision,
            unsubscribed: crate::webhooks::unsubscribes(&w.raw),
        };
        Event::from_webhook_parts(&parts)
    }

    /// [`Event::from_webhook`] of the parts of a webhook event.
    pub fn from_webhook_parts(w: &WebhookParts<'_>) -> Option<Result<Event, EventError>> {
        use crate::webhooks::EventKind as W;
        let kind = match (w.kind, w.decision) {
            _ if w.unsubscribed => EventKind::Unsubscribed,
            // A feedback report that is not a complaint (`not-spam`, `auth-failure`) decides
            // `delivered`.
            (W::Complaint, Some((Action::Delivered, _))) => EventKind::Delivered,
            (W::Complaint, _) => EventKind::Complained,
            (W::Delivery, _) => EventKind::Delivered,
            (W::Deferred, _) => EventKind::Deferred,
            // The service refused to send (its suppression list, a policy): the message failed.
            (W::Bounce | W::Dropped, _) => EventKind::Bounced,
            (W::Other, _) => return None,
        };
        let mut e = match Event::blank(w.recipient, w.at, kind, Source::Webhook) {
            Ok(e) => e,
            Err(err) => return Some(Err(err)),
        };
        if matches!(kind, EventKind::Bounced | EventKind::Deferred) {
            e.reason = w.reason;
            e.bounce = w.bounce;
        }
        e.action = w.decision.map(|(a, _)| a);
        let wire = w.reply.map(Reply::to_wire);
        e = e.with_destination(w.reply.and_then(Reply::remote_mta), wire.as_deref());
        e.detail = wire;
        e.id = match w.id {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => e.content_id(),
        };
        Some(Ok(e))
    }

    /// This event's facts for the policy.
    pub fn fact(&self) -> Fact<'_> {
        Fact {
            id: &self.id,
            at: self.at,
            kind: self.kind,
            reason: self.reason,
            bounce: self.bounce,
            action: self.action,
            until: self.until,
        }
    }
}

/// The parts of a webhook event the ledger reads ([`Event::from_webhook_parts`]).
#[derive(Debug, Clone, Copy)]
pub struct WebhookParts<'a> {
    pub kind: crate::webhooks::EventKind,
    pub id: Option<&'a str>,
    pub recipient: &'a str,
    pub at: i64,
    pub reply: Option<&'a Reply>,
    pub reason: Reason,
    pub bounce: Bounce,
    /// The decision's action, and whether it came with a delay.
    pub decision: Option<(Action, bool)>,
    /// The event is the recipient unsubscribing ([`crate::webhooks::unsubscribes`]).
    pub unsubscribed: bool,
}

/// When a bounce report says the delivery failed: the recipient's `Last-Attempt-Date`, else the
/// report's `Arrival-Date` (RFC 3464 §2.3.5, §2.2.5), in microseconds since the epoch.
pub fn bounce_time(report: &BounceReport, recipient: &BounceRecipient) -> Option<i64> {
    [recipient.last_attempt_date.as_deref(), report.arrival_date.as_deref()].into_iter().flatten().find_map(parse_date)
}

/// An RFC 5322 date (a DSN's `Last-Attempt-Date`, `Arrival-Date`) or an RFC 3339 one, in
/// microseconds since the epoch.
pub fn parse_date(value: &str) -> Option<i64> {
    let v = value.trim();
    let d = mail_parser::DateTime::parse_rfc822(v).or_else(|| mail_parser::DateTime::parse_rfc3339(v))?;
    if !d.is_valid() {
        return None;
    }
    d.to_timestamp().checked_mul(MICROS)
}

/// What the policy reads of an event: borrowed, so that [`replay`] folds columns without
/// building events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact<'a> {
    pub id: &'a str,
    pub at: i64,
    pub kind: EventKind,
    pub reason: Reason,
    pub bounce: Bounce,
    pub action: Option<Action>,
    pub until: Option<i64>,
}

/// How the ledger turns events into decisions. Every default says where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LedgerPolicy {
    /// A hard bounce suppresses the address at once: SES's account-level suppression list,
    /// SendGrid's bounce list, Mailgun's bounces and Postmark's inactive recipients all add an
    /// address on its first hard bounce; Mailchimp cleans it ("Hard bounces are removed
    /// immediately").
    pub hard_bounce_suppresses: bool,
    /// A complaint suppresses the address at once: the same services stop mailing an address
    /// that complained, as M3AAWG's "Complaint Feedback Loop Best Current Practices" asks.
    pub complaint_suppresses: bool,
    /// Soft bounces that suppress an address: 7, Mailchimp's count before it cleans an address
    /// ("After 7 of these soft bounce reports … we'll clean that subscriber").
    pub soft_bounce_limit: u32,
    /// …when they are spread over at least this long (seconds), so that one outage's retries
    /// are not taken for a dead mailbox: 5 days, Postfix's `maximal_queue_lifetime` (the time a
    /// message is retried). A delivery in between starts the count again.
    pub soft_bounce_span: u64,
    /// The retry policy whose limits the ledger shares: a mailbox full (or disabled) for
    /// `retry.suppress_full_after` is suppressed, as [`crate::decide`] does for one message;
    /// `retry.throttle_delay` is the pause advised to a throttling destination.
    pub retry: RetryPolicy,
    /// How long a hard-bounce suppression lasts (seconds; `None`: until released). SES and
    /// Postmark keep addresses until removed; SendGrid's "bounce purge" setting expires them
    /// after a number of days when set.
    pub hard_bounce_ttl: Option<u64>,
    /// How long a suppression for soft bounces or a full mailbox lasts (`None`: until
    /// released), the other half of SendGrid's "bounce purge" setting.
    pub soft_bounce_ttl: Option<u64>,
    /// How long a complaint suppression lasts (`None`: until released; no service expires
    /// them).
    pub complaint_ttl: Option<u64>,
    /// The sliding window of a destination's health (seconds): 1 hour.
    pub window: u64,
    /// The fewest attempts in the window before a destination is judged: 20, so that two
    /// deferrals out of three attempts do not stop a domain.
    pub min_attempts: u32,
    /// Slow down when this share (per mille) of the window's attempts were throttled (rate
    /// limits, too many connections): 100 ‰.
    pub throttle_share: u16,
    /// Slow down when this share (per mille) of the attempts were deferred, for any reason:
    /// 300 ‰ ("Gmail has deferred 30 % of my mail in the last hour").
    pub deferred_share: u16,
    /// Stop sending to the destination when this share (per mille) of the attempts were
    /// blocked or refused by policy: 500 ‰, more refused than accepted.
    pub stop_share: u16,
    /// After a stop, the destination stays closed until it has been quiet (no block or policy
    /// refusal) this long (seconds): 1 hour, one window.
    pub quiet_period: u64,
}

impl Default for LedgerPolicy {
    fn default() -> Self {
        LedgerPolicy {
            hard_bounce_suppresses: true,
            complaint_suppresses: true,
            soft_bounce_limit: 7,
            soft_bounce_span: 5 * 24 * 3600,
            retry: RetryPolicy::default(),
            hard_bounce_ttl: None,
            soft_bounce_ttl: None,
            complaint_ttl: None,
            window: 3600,
            min_attempts: 20,
            throttle_share: 100,
            deferred_share: 300,
            stop_share: 500,
            quiet_period: 3600,
        }
    }
}

named_enum! {
    /// Where an address stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum AddressStatus {
        /// Mail it.
        Active = "active",
        /// Mail it; it has soft-bounced (`soft_count` times since its last delivery).
        SoftBouncing = "soft-bouncing",
        /// Do not mail it (`cause` says why).
        Suppressed = "suppressed",
        /// Do not mail it: the recipient complained.
        Complained = "complained",
    }
}

named_enum! {
    /// Why an address is suppressed. Later causes outrank earlier ones in this order when both
    /// apply (a complaint after a hard bounce makes the address `complained`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Cause {
        /// Soft bounces reached [`LedgerPolicy::soft_bounce_limit`] over the span.
        SoftBounces = "soft-bounces",
        /// The mailbox has been full (or disabled) for `suppress_full_after`.
        MailboxFull = "mailbox-full",
        /// A hard bounce (or a decision to suppress).
        HardBounce = "hard-bounce",
        /// Suppressed by hand, or imported from a suppression list.
        Manual = "manual",
        /// The recipient unsubscribed.
        Unsubscribed = "unsubscribed",
        /// The recipient complained.
        Complaint = "complaint",
    }
}

/// An address's state after its events, at a time `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressState {
    pub status: AddressStatus,
    /// Why it is suppressed (`None` unless suppressed or complained).
    pub cause: Option<Cause>,
    /// The reason of the event that suppressed it, or of the last soft bounce.
    pub reason: Option<Reason>,
    /// Since when the address is in this status (a suppression's first event).
    pub since: Option<i64>,
    /// When the suppression ends (`None`: never, or not suppressed).
    pub until: Option<i64>,
    /// Soft bounces since the last delivery or release.
    pub soft_count: u32,
    /// The first and last of them.
    pub soft_first: Option<i64>,
    pub soft_last: Option<i64>,
    /// The last delivery.
    pub last_delivered: Option<i64>,
    /// The last event.
    pub last_event: Option<i64>,
    /// Distinct events seen.
    pub event_count: u32,
    /// Ids of the events behind the status (the suppressing ones, or the soft bounces counted).
    pub events: Vec<String>,
    /// When a suppression expired at or before `now` (the address is active again).
    pub expired: Option<i64>,
    /// When a suppression was last lifted by a release (cleared by a later suppression).
    pub released: Option<i64>,
}

impl AddressState {
    /// The state of an address no event names.
    pub fn new() -> AddressState {
        AddressState {
            status: AddressStatus::Active,
            cause: None,
            reason: None,
            since: None,
            until: None,
            soft_count: 0,
            soft_first: None,
            soft_last: None,
            last_delivered: None,
            last_event: None,
            event_count: 0,
            events: Vec::new(),
            expired: None,
            released: None,
        }
    }

    /// May the address be mailed?
    pub fn can_send(&self) -> bool {
        matches!(self.status, AddressStatus::Active | AddressStatus::SoftBouncing)
    }

    /// One sentence on why the address stands where it does.
    pub fn explanation(&self, policy: &LedgerPolicy) -> String {
        let when = |t: Option<i64>| t.map_or_else(|| "an unknown time".to_string(), format_time);
        let known = self.reason.filter(|r| *r != Reason::Undefined);
        let reason = known.map(|r| format!(" ({})", r.value())).unwrap_or_default();
        let last = known.map(|r| format!(", the last for {}", r.value())).unwrap_or_default();
        match (self.status, self.cause) {
            (AddressStatus::Complained, _) => format!(
                "Do not send: the recipient complained at {}{}.",
                when(self.since),
                self.until.map(|u| format!("; the suppression ends at {}", format_time(u))).unwrap_or_default()
            ),
            (AddressStatus::Suppressed, Some(cause)) => {
                let why = match cause {
                    Cause::HardBounce => format!("it hard-bounced{reason}"),
                    Cause::SoftBounces => format!(
                        "it soft-bounced {} times over {} with no delivery in between{last} (the policy suppresses after {} over at least {})",
                        self.soft_count,
                        span(self.soft_first, self.soft_last),
                        policy.soft_bounce_limit,
                        duration(policy.soft_bounce_span)
                    ),
                    Cause::MailboxFull => format!(
                        "its mailbox has been full for {} (the policy suppresses after {})",
                        span(self.soft_first, self.soft_last),
                        duration(policy.retry.suppress_full_after)
                    ),
                    Cause::Manual => "it was suppressed by hand or from an imported list".to_string(),
                    Cause::Unsubscribed => "the recipient unsubscribed".to_string(),
                    Cause::Complaint => "the recipient complained".to_string(),
                };
                let until =
                    self.until.map_or_else(|| "until released".to_string(), |u| format!("until {}", format_time(u)));
                format!("Do not send: {why}; suppressed since {}, {until}.", when(self.since))
            }
            (AddressStatus::SoftBouncing, _) => format!(
                "Send: it soft-bounced {} times since its last delivery (the last at {}{}); {} over at least {} suppress it.",
                self.soft_count,
                when(self.soft_last),
                known.map(|r| format!(", for {}", r.value())).unwrap_or_default(),
                policy.soft_bounce_limit,
                duration(policy.soft_bounce_span)
            ),
            _ => match self.expired {
                Some(t) => format!("Send: its suppression ended at {}.", format_time(t)),
                None if self.event_count == 0 => "Send: no event names this address.".to_string(),
                None => match self.released {
                    Some(t) => format!("Send: its suppression was lifted by a release at {}.", format_time(t)),
                    None => "Send: nothing recorded stops it.".to_string(),
                },
            },
        }
    }
}

impl Default for AddressState {
    fn default() -> Self {
        AddressState::new()
    }
}

/// `2026-12-07T06:13:41Z` for microseconds since the epoch.
pub fn format_time(micros: i64) -> String {
    let secs = micros.div_euclid(MICROS);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `3 days`, `2 hours`, `15 minutes`, `40 seconds`.
pub fn duration(secs: u64) -> String {
    let (n, unit) = match secs {
        s if s >= 86_400 && s % 86_400 == 0 => (s / 86_400, "day"),
        s if s >= 3600 && s % 3600 == 0 => (s / 3600, "hour"),
        s if s >= 60 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn span(first: Option<i64>, last: Option<i64>) -> String {
    match (first, last) {
        (Some(a), Some(b)) => {
            let secs = u64::try_from((b - a) / MICROS).unwrap_or(0);
            if secs >= 86_400 {
                format!("{:.1} days", secs as f64 / 86_400.0)
            } else if secs >= 3600 {
                format!("{:.1} hours", secs as f64 / 3600.0)
            } else {
                duration(secs)
            }
        }
        _ => "an unknown time".to_string(),
    }
}

/// Does a bounce for this reason say something about the address (rather than about the
/// sender, the message, the destination or the network)? The reason's `fault` decides
/// (data/reasons.toml): blocks and rate limits are the sender's, never the address's, and
/// count against the destination instead.
pub fn about_address(reason: Reason) -> bool {
    matches!(reason.entry().fault, Fault::Recipient | Fault::Unknown)
}

/// Seconds (a policy's durations) as microseconds (event times), saturating.
fn secs_to_micros(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX / MICROS).saturating_mul(MICROS)
}

/// The order the policy applies facts in: time, then kind ([`EventKind::ALL`]), then id, then
/// what the fact says, so that facts of the same instant apply the same way whatever order
/// they arrived in.
pub fn apply_order(a: &Fact<'_>, b: &Fact<'_>) -> std::cmp::Ordering {
    a.at.cmp(&b.at).then(a.kind.cmp(&b.kind)).then_with(|| {
        let rest = |f: &Fact<'_>| (f.reason, f.bounce, f.action.map(|x| x as u8), f.until);
        a.id.cmp(b.id).then_with(|| rest(a).cmp(&rest(b)))
    })
}

/// Sorts `facts` into the order the policy applies them ([`apply_order`]) and drops repeats of
/// an id (of those, the first in that order stays), so that arrival order never matters. An
/// empty id names no event in particular: such facts are never taken for repeats.
pub fn order(facts: &mut Vec<Fact<'_>>) {
    facts.sort_unstable_by(apply_order);
    // Repeats of one event are neighbours now; an id that comes back with other content (a
    // time or kind of its own) is not, and needs the sort by id.
    facts.dedup_by(|b, a| !a.id.is_empty() && a.id == b.id);
    let repeated = facts.len() > 1 && {
        let mut ids: Vec<&str> = facts.iter().map(|f| f.id).filter(|i| !i.is_empty()).collect();
        ids.sort_unstable();
        ids.windows(2).any(|w| w[0] == w[1])
    };
    if repeated {
        facts.sort_unstable_by(|a, b| a.id.cmp(b.id).then_with(|| apply_order(a, b)));
        facts.dedup_by(|b, a| !a.id.is_empty() && a.id == b.id);
        facts.sort_unstable_by(apply_order);
    }
}

/// The state of an address after `facts` (in any order; repeats of an id count once), at `now`.
pub fn address_state(facts: &[Fact<'_>], policy: &LedgerPolicy, now: i64) -> AddressState {
    let mut sorted = facts.to_vec();
    order(&mut sorted);
    fold(&sorted, policy, now)
}

/// [`address_state`] over facts already [`order`]ed.
pub fn fold(facts: &[Fact<'_>], policy: &LedgerPolicy, now: i64) -> AddressState {
    let (mut s, ids) = fold_ids(facts, policy, now);
    s.events = ids.iter().map(|i| i.to_string()).collect();
    s
}

/// [`fold`] with the ids of the events behind the status borrowed from `facts` rather than
/// copied into [`AddressState::events`] (left empty): for folding millions of addresses.
pub fn fold_ids<'a>(facts: &[Fact<'a>], policy: &LedgerPolicy, now: i64) -> (AddressState, Vec<&'a str>) {
    let mut f =
        Folding { s: AddressState::new(), policy, full_first: None, soft_ids: Vec::new(), cause_ids: Vec::new() };
    for e in facts {
        f.apply(e);
    }
    if !f.s.can_send() && f.s.until.is_some_and(|u| u <= now) {
        f.s.expired = f.s.until;
        f.reset();
    }
    let Folding { mut s, soft_ids, cause_ids, .. } = f;
    let ids = if s.can_send() { soft_ids } else { cause_ids };
    if s.status == AddressStatus::SoftBouncing && s.soft_count == 0 {
        s.status = AddressStatus::Active;
    }
    (s, ids)
}

/// The fold's state between two events.
struct Folding<'a, 'p> {
    s: AddressState,
    policy: &'p LedgerPolicy,
    /// The first of the run of mailbox-full events since the last delivery or release.
    full_first: Option<i64>,
    /// The soft bounces counted, and the events behind the suppression.
    soft_ids: Vec<&'a str>,
    cause_ids: Vec<&'a str>,
}

impl<'a> Folding<'a, '_> {
    fn apply(&mut self, f: &Fact<'a>) {
        let policy = self.policy;
        self.s.event_count += 1;
        self.s.last_event = Some(f.at);
        // A suppression whose time has come ends before this event applies.
        if self.s.until.is_some_and(|u| u <= f.at) && !self.s.can_send() {
            self.s.expired = self.s.until;
            self.reset();
        }
        match f.kind {
            EventKind::Delivered => {
                self.s.last_delivered = Some(f.at);
                if self.s.can_send() {
                    self.reset();
                }
            }
            EventKind::Released => {
                if !self.s.can_send() {
                    self.s.released = Some(f.at);
                }
                self.reset();
            }
            EventKind::Complained => {
                if policy.complaint_suppresses {
                    self.suppress(f, Cause::Complaint, &[f.id]);
                }
            }
            EventKind::Unsubscribed => self.suppress(f, Cause::Unsubscribed, &[f.id]),
            EventKind::Suppressed => self.suppress(f, Cause::Manual, &[f.id]),
            EventKind::Bounced | EventKind::Deferred => {
                let hard = f.kind == EventKind::Bounced && f.bounce == Bounce::Hard;
                let decided = f.action == Some(Action::Suppress);
                if (hard && policy.hard_bounce_suppresses) || decided {
                    let cause = if f.reason == Reason::MailboxFull { Cause::MailboxFull } else { Cause::HardBounce };
                    self.suppress(f, cause, &[f.id]);
                    return;
                }
                if !self.s.can_send() {
                    return;
                }
                // A mailbox full for a whole queue lifetime is not being read (the rule
                // `decide` applies to one message, applied across messages).
                if f.reason == Reason::MailboxFull {
                    let first = *self.full_first.get_or_insert(f.at);
                    if f.at.saturating_sub(first) >= secs_to_micros(policy.retry.suppress_full_after) {
                        self.s.soft_first = Some(first);
                        self.s.soft_last = Some(f.at);
                        let ids: Vec<&str> = self.soft_ids.iter().copied().chain([f.id]).collect();
                        self.suppress(f, Cause::MailboxFull, &ids);
                        return;
                    }
                }
                // A soft bounce: a message that failed for a reason about the address. A
                // deferral is a retry, not a bounce: the message's end decides.
                if f.kind == EventKind::Bounced && about_address(f.reason) {
                    let s = &mut self.s;
                    s.soft_count += 1;
                    s.soft_first.get_or_insert(f.at);
                    s.soft_last = Some(f.at);
                    s.reason = Some(f.reason);
                    s.status = AddressStatus::SoftBouncing;
                    self.soft_ids.push(f.id);
                    let spread = s.soft_first.map_or(0, |a| f.at.saturating_sub(a));
                    if s.soft_count >= policy.soft_bounce_limit && spread >= secs_to_micros(policy.soft_bounce_span) {
                        let ids = self.soft_ids.clone();
                        self.suppress(f, Cause::SoftBounces, &ids);
                    }
                }
            }
        }
    }

    /// Suppresses the address at `f`'s time for `cause` (or adds to its suppression), with the
    /// events `ids` behind it: the stronger cause names it, the longer end wins (`None` is
    /// forever). A manual suppression or an unsubscribe ends at its event's `until`; the other
    /// causes after their time to live in the policy.
    fn suppress(&mut self, f: &Fact<'a>, cause: Cause, ids: &[&'a str]) {
        let ttl = match cause {
            Cause::HardBounce => self.policy.hard_bounce_ttl,
            Cause::SoftBounces | Cause::MailboxFull => self.policy.soft_bounce_ttl,
            Cause::Complaint => self.policy.complaint_ttl,
            Cause::Manual | Cause::Unsubscribed => None,
        };
        let until = if matches!(cause, Cause::Manual | Cause::Unsubscribed) { f.until } else { None };
        let end = until.or_else(|| ttl.map(|t| f.at.saturating_add(secs_to_micros(t))));
        let s = &mut self.s;
        if s.can_send() {
            s.since = Some(f.at);
            s.until = end;
            s.expired = None;
            s.released = None;
        } else {
            s.until = match (s.until, end) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
        if s.cause.is_none_or(|c| cause > c) {
            s.cause = Some(cause);
            s.reason = Some(f.reason);
        }
        self.cause_ids.extend_from_slice(ids);
        s.status =
            if s.cause == Some(Cause::Complaint) { AddressStatus::Complained } else { AddressStatus::Suppressed };
    }

    /// Back to active: a delivery, a release or an expiry ends soft bounces and suppressions.
    fn reset(&mut self) {
        let s = &mut self.s;
        s.status = AddressStatus::Active;
        s.cause = None;
        s.reason = None;
        s.since = None;
        s.until = None;
        s.soft_count = 0;
        s.soft_first = None;
        s.soft_last = None;
        self.full_first = None;
        self.soft_ids.clear();
        self.cause_ids.clear();
    }
}

#[cfg(test)]
mod tests;
