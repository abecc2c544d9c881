//! The bounce, complaint and delivery webhooks of sending services, read into [`WebhookEvent`]s.
//!
//! [`parse_webhook`] reads the payloads of Amazon SES (an SNS notification, the bare message of
//! SNS notifications and of event publishing, or an EventBridge event), SendGrid (the Event
//! Webhook's array), Mailgun (`{"signature": …, "event-data": …}` or the bare event-data),
//! Postmark (bounce, spam complaint, delivery … webhooks) and SparkPost (the array of
//! `{"msys": …}` events), and gives one event per recipient per provider event, in payload
//! order. Each provider's reader is a file of this module; the payloads are deserialized
//! (serde) into typed structs of lenient fields (`read.rs`), so that a malformed payload is
//! refused with a [`WebhookError`] that names the provider and the field at fault.
//!
//! What an event's `reason` and `bounce` are (the provider categories of `data/webhooks.toml`,
//! the reply the provider passes on, and which wins) is [`classify_event`]'s documentation;
//! the Python module `smtpcodes.webhooks` documents the fields for its users.
//!
//! ```
//! use smtpcodes::webhooks::{EventKind, Provider, parse_webhook};
//! let body = br#"[{"email": "bob@example.com", "timestamp": 1513299569, "event": "bounce",
//!   "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==", "type": "bounce",
//!   "reason": "550 5.1.1 The email account that you tried to reach does not exist",
//!   "status": "5.1.1", "bounce_classification": "Invalid Address"}]"#;
//! let events = parse_webhook(body, None).unwrap();
//! let e = &events[0];
//! assert_eq!((e.provider, e.event, e.recipient.as_deref()), (Provider::SendGrid, EventKind::Bounce, Some("bob@example.com")));
//! assert_eq!(e.id.as_deref(), Some("6g4ZI7SA-xmRDv57GoPIPw=="));
//! assert_eq!(e.reason, smtpcodes::Reason::UserUnknown);
//! assert_eq!(e.timestamp, Some(1_513_299_569_000_000));
//! ```

mod mailgun;
mod postmark;
pub(crate) mod read;
mod reply;
mod sendgrid;
mod ses;
mod sparkpost;
pub mod tables;
#[cfg(test)]
#[path = "tables_gen.rs"]
mod tables_gen;
#[cfg(test)]
mod tests;
mod time;

use crate::classify::{Bounce, Classification, Reason, classify};
use crate::reply::Reply;
use crate::retry::{self, Outcome, RetryDecision, RetryPolicy};
use read::{Path, kind, py_repr, py_strip};
use serde_json::Value;
use tables::Category;

/// A sending service whose webhooks [`parse_webhook`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Amazon SES: SNS notifications, event publishing, EventBridge.
    Ses,
    SendGrid,
    Mailgun,
    Postmark,
    SparkPost,
}

impl Provider {
    /// Every provider, in the order of `data/webhooks.toml`'s sections.
    pub const ALL: [Provider; 5] =
        [Provider::Ses, Provider::SendGrid, Provider::Mailgun, Provider::Postmark, Provider::SparkPost];

    /// The name [`parse_webhook`]'s `provider` takes: `"ses"`, `"sendgrid"` …
    pub fn name(self) -> &'static str {
        match self {
            Provider::Ses => "ses",
            Provider::SendGrid => "sendgrid",
            Provider::Mailgun => "mailgun",
            Provider::Postmark => "postmark",
            Provider::SparkPost => "sparkpost",
        }
    }

    /// The provider as errors name it: `"SES"`, `"SendGrid"` …
    pub fn title(self) -> &'static str {
        match self {
            Provider::Ses => "SES",
            Provider::SendGrid => "SendGrid",
            Provider::Mailgun => "Mailgun",
            Provider::Postmark => "Postmark",
            Provider::SparkPost => "SparkPost",
        }
    }

    /// The provider named `name` (any case, surrounding white space ignored).
    pub fn from_name(name: &str) -> Result<Provider> {
        let wanted = py_strip(name).to_lowercase();
        Provider::ALL.into_iter().find(|p| p.name() == wanted).ok_or_else(|| WebhookError {
            message: format!("unknown provider {}; known providers: {KNOWN}", py_repr(name)),
            provider: None,
            field: None,
        })
    }
}

/// The providers, as errors list them.
const KNOWN: &str = "ses (Amazon SES, SNS or event publishing), sendgrid, mailgun, postmark, sparkpost";

named_enum! {
    /// What happened to the message for one recipient, whatever the provider calls it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum EventKind {
        /// The message failed for this recipient.
        Bounce = "bounce",
        /// A temporary failure; the service still retries.
        Deferred = "deferred",
        /// A spam complaint or feedback report.
        Complaint = "complaint",
        /// The receiving server accepted the message.
        Delivery = "delivery",
        /// The service refused to attempt delivery (a suppression list, a policy, a template that
        /// did not render).
        Dropped = "dropped",
        /// Opens, clicks, unsubscribes, auto-replies …
        Other = "other",
    }
}

impl EventKind {
    /// A failure of the delivery (bounced, deferred or dropped).
    fn is_failure(self) -> bool {
        matches!(self, EventKind::Bounce | EventKind::Deferred | EventKind::Dropped)
    }
}

/// One recipient's event from a sending service's webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    pub provider: Provider,
    pub event: EventKind,
    /// The provider's own id of the event, so that a re-delivered webhook can be recognised:
    /// SES the bounce's or complaint's `feedbackId`, for other notifications
    /// `<mail.messageId>:<eventType>[:<timestamp of the event object>]`; SendGrid
    /// `sg_event_id`; Mailgun `event-data.id`; Postmark `<RecordType>:<ID>`, for records
    /// without an `ID` (deliveries, opens, clicks) `<RecordType>:<MessageID>:<recipient>[:<time
    /// field>]`; SparkPost `event_id`. When one provider event gives several recipients (SES),
    /// `:<recipient>` is appended, so that each event's id is unique. Times are written as the
    /// payload writes them. `None` when the payload has no id.
    pub id: Option<String>,
    /// The recipient's address (`None` for events about no recipient, such as SendGrid's
    /// account status changes).
    pub recipient: Option<String>,
    /// When the event happened: microseconds since the Unix epoch, UTC.
    pub timestamp: Option<i64>,
    /// The message's id at the provider (SES `mail.messageId`, SendGrid `sg_message_id` …).
    pub message_id: Option<String>,
    /// The SMTP reply the provider passes on, when it does (a 2xx reply reported with a
    /// failure is not the failure's reason and is left out).
    pub reply: Option<Reply>,
    pub reason: Reason,
    pub bounce: Bounce,
    /// The provider's own classification, as given (SES `"Permanent/NoEmail"`, SendGrid's
    /// `bounce_classification` …).
    pub provider_category: Option<String>,
    /// What to do: [`decide_event`] of the fields above.
    pub decision: Option<RetryDecision>,
    /// The provider's event object (for SES the notification message).
    pub raw: Value,
}

/// Whether a webhook's event object is an unsubscribe from all of the sender's mail: SendGrid's
/// `"event": "unsubscribe"` (not `group_unsubscribe`, which leaves the other groups), Mailgun's
/// `"event": "unsubscribed"`, Postmark's `SubscriptionChange` with `SuppressSending: true`,
/// SparkPost's `list_unsubscribe` and `link_unsubscribe` (their event webhooks' documented
/// names).
pub fn unsubscribes(raw: &serde_json::Value) -> bool {
    let field =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::to_ascii_lowercase);
    let event = field(raw, "event").or_else(|| raw.get("event-data").and_then(|d| field(d, "event")));
    if matches!(event.as_deref(), Some("unsubscribe" | "unsubscribed")) {
        return true;
    }
    if field(raw, "RecordType").as_deref() == Some("subscriptionchange") {
        return raw.get("SuppressSending").and_then(serde_json::Value::as_bool) == Some(true);
    }
    let sparkpost = raw.get("msys").and_then(|m| m.get("unsubscribe_event")).unwrap_or(raw);
    matches!(field(sparkpost, "type").as_deref(), Some("list_unsubscribe" | "link_unsubscribe"))
}

/// A payload that is not what its provider sends: says which provider and which field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WebhookError {
    pub message: String,
    /// The provider, when known.
    pub provider: Option<Provider>,
    /// The path of the field at fault (`bounce.bouncedRecipients[0].emailAddress`, `[2].email`).
    pub field: Option<String>,
}

impl WebhookError {
    /// A payload nested deeper than [`MAX_DEPTH`].
    pub fn too_deep(provider: Option<Provider>) -> WebhookError {
        WebhookError {
            message: format!("{}: the payload is nested too deeply (more than {MAX_DEPTH} levels)", prefix(provider)),
            provider,
            field: None,
        }
    }
}

/// How deep a payload's arrays and objects may nest: serde_json's own recursion limit, which
/// [`parse_webhook`] keeps (real payloads nest a few levels).
pub const MAX_DEPTH: usize = 128;

/// How errors about the whole payload start.
fn prefix(provider: Option<Provider>) -> String {
    provider.map_or_else(|| "webhook payload".to_string(), |p| format!("{} webhook", p.title()))
}

type Result<T> = std::result::Result<T, WebhookError>;

/// The events of a webhook payload (the request body: UTF-8 JSON, a byte order mark allowed),
/// one per recipient per provider event, in payload order. `provider` is one of the
/// [`Provider::name`]s; without it the provider is recognised from the payload's shape. A
/// JSON array is a batch of events (an empty one has none); SNS subscription confirmations
/// and SparkPost's test ping have no events.
pub fn parse_webhook(payload: &[u8], provider: Option<&str>) -> Result<Vec<WebhookEvent>> {
    let provider = provider.map(Provider::from_name).transpose()?;
    let failed =
        |problem: String| WebhookError { message: format!("{}: {problem}", prefix(provider)), provider, field: None };
    let payload = payload.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(payload);
    let text = std::str::from_utf8(payload).map_err(|e| failed(format!("not UTF-8 text ({e})")))?;
    let value: Value = serde_json::from_str(text).map_err(|e| failed(format!("invalid JSON: {e}")))?;
    read_payload(&value, provider)
}

/// [`parse_webhook`] of a payload already decoded.
pub fn parse_webhook_value(payload: &Value, provider: Option<Provider>) -> Result<Vec<WebhookEvent>> {
    read_payload(payload, provider)
}

fn read_payload(value: &Value, given: Option<Provider>) -> Result<Vec<WebhookEvent>> {
    let mut out = Vec::new();
    match value {
        Value::Object(_) => {
            let provider = match given {
                Some(p) => p,
                None => detect(value, "an object")?,
            };
            dispatch(provider, value, &Path::default(), &mut out)?;
        }
        Value::Array(items) => {
            let provider = match (given, items.first()) {
                (Some(p), _) => p,
                (None, None) => Provider::SendGrid, // an empty batch: no events whoever sent it
                (None, Some(first @ Value::Object(_))) => detect(first, "an array of objects")?,
                (None, Some(first)) => return Err(unrecognised(&format!("an array of {}", kind(first)))),
            };
            for (index, item) in items.iter().enumerate() {
                if !item.is_object() {
                    return Err(WebhookError {
                        message: format!(
                            "{} webhook: invalid field '[{index}]': expected an object, got {}",
                            provider.title(),
                            kind(item)
                        ),
                        provider: Some(provider),
                        field: Some(format!("[{index}]")),
                    });
                }
                dispatch(provider, item, &Path::default().index(index), &mut out)?;
            }
        }
        other => {
            return Err(WebhookError {
                message: format!("{}: expected a JSON object or array, got {}", prefix(given), kind(other)),
                provider: given,
                field: None,
            });
        }
    }
    Ok(out)
}

fn dispatch(provider: Provider, value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    match provider {
        Provider::Ses => ses::read(value, at, out),
        Provider::SendGrid => sendgrid::read(value, at, out),
        Provider::Mailgun => mailgun::read(value, at, out),
        Provider::Postmark => postmark::read(value, at, out),
        Provider::SparkPost => sparkpost::read(value, at, out),
    }
}

fn unrecognised(what: &str) -> WebhookError {
    WebhookError {
        message: format!("unrecognised webhook payload ({what}); known providers: {KNOWN}"),
        provider: None,
        field: None,
    }
}

/// The provider whose payload shape `obj` (the payload, or its first event) has.
fn detect(obj: &Value, what: &str) -> Result<Provider> {
    let has = |key: &str| obj.get(key).is_some();
    let text = |key: &str| obj.get(key).and_then(Value::as_str);
    let found = if (text("Type").is_some_and(ses::is_sns_type) && (has("Message") || has("TopicArn")))
        || has("notificationType")
        || (has("eventType") && has("mail"))
        || (text("source") == Some("aws.ses") && has("detail"))
    {
        Some(Provider::Ses)
    } else if has("event-data") {
        Some(Provider::Mailgun)
    } else if has("RecordType") {
        Some(Provider::Postmark)
    } else if has("msys") {
        Some(Provider::SparkPost)
    } else if has("sg_event_id") || has("sg_message_id") || (has("event") && has("email")) {
        Some(Provider::SendGrid)
    } else if has("event") && (has("recipient") || has("severity") || has("log-level")) {
        Some(Provider::Mailgun)
    } else {
        None
    };
    found.ok_or_else(|| {
        let mut keys: Vec<&String> = obj.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        keys.sort();
        let keys: Vec<String> = keys.into_iter().take(8).map(|k| py_repr(k)).collect();
        unrecognised(&format!("{what} with keys [{}]", keys.join(", ")))
    })
}

/// An id as a payload writes it: text, or a number's digits.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An event as a provider's reader found it, before [`Draft::finish`] classifies it.
#[derive(Debug, Clone)]
struct Draft {
    event: EventKind,
    id: Option<String>,
    recipient: Option<String>,
    reply: Option<Reply>,
    category_name: Option<String>,
    category: Option<Category>,
    timestamp: Option<i64>,
    message_id: Option<String>,
    /// SendGrid's `blocked` bounces: a temporary denial, never a hard bounce.
    never_hard: bool,
}

impl Draft {
    fn new(event: EventKind) -> Draft {
        Draft {
            event,
            id: None,
            recipient: None,
            reply: None,
            category_name: None,
            category: None,
            timestamp: None,
            message_id: None,
            never_hard: false,
        }
    }

    /// The event, classified and decided; `raw` is the provider's event object.
    fn finish(self, provider: Provider, raw: &Value) -> WebhookEvent {
        let event = self.category.and_then(|c| c.event).unwrap_or(self.event);
        // The acceptance of a message that failed later is not why it failed.
        let reply = self.reply.filter(|r| !(r.is_success() && event.is_failure()));
        let (reason, mut bounce) = classify_event(event, reply.as_ref(), self.category);
        if self.never_hard && bounce == Bounce::Hard {
            bounce = Bounce::Soft;
        }
        let decision = decide_event(event, reply.as_ref(), reason, bounce, self.category_name.as_deref());
        WebhookEvent {
            provider,
            event,
            id: self.id,
            recipient: self.recipient,
            timestamp: self.timestamp,
            message_id: self.message_id,
            reply,
            reason,
            bounce,
            provider_category: self.category_name,
            decision,
            raw: raw.clone(),
        }
    }
}

/// The reason and bounce type of an event, in order:
/// 1. a complaint is `feedback` and a delivery `delivered`, both `Bounce::None`;
/// 2. a category that overrides (what no SMTP reply can state: a suppression list, an
///    auto-reply, a provider that gave up retrying) wins whatever the reply says;
/// 3. else the reply's reason and bounce, when it has a reason (not `undefined` nor `onhold`):
///    what the server said is more precise than the provider's bucket;
/// 4. else the category's (a transient reply caps the bounce at soft, and an `unknown` bounce
///    takes the reply's); with neither, the reason is `undefined`;
/// 5. a deferred event is soft: it is still being retried.
pub fn classify_event(event: EventKind, reply: Option<&Reply>, category: Option<Category>) -> (Reason, Bounce) {
    match event {
        EventKind::Complaint => return (Reason::Feedback, Bounce::None),
        EventKind::Delivery => return (Reason::Delivered, Bounce::None),
        _ => {}
    }
    let k: Option<Classification> = reply.map(classify);
    let (reason, mut bounce) = match (category, k) {
        (Some(c), _) if c.overrides => (c.reason, c.bounce),
        (_, Some(k)) if !matches!(k.reason, Reason::Undefined | Reason::OnHold) => (k.reason, k.bounce),
        (Some(c), k) => {
            let mut bounce = c.bounce;
            if let (Some(k), Some(r)) = (k, reply) {
                if bounce == Bounce::Unknown {
                    bounce = k.bounce;
                }
                if r.is_transient() && bounce == Bounce::Hard {
                    bounce = Bounce::Soft;
                }
            }
            (c.reason, bounce)
        }
        (None, Some(k)) => (k.reason, k.bounce),
        (None, None) => (
            Reason::Undefined,
            match event {
                EventKind::Other => Bounce::None,
                EventKind::Deferred => Bounce::Soft,
                _ => Bounce::Unknown,
            },
        ),
    };
    if event == EventKind::Deferred && matches!(bounce, Bounce::Hard | Bounce::Unknown) {
        bounce = Bounce::Soft;
    }
    (reason, bounce)
}

/// The decision for an event, at its first attempt with the default policy: the reply's
/// ([`retry::decide`]) when there is one, else what the event says ([`retry::decide_outcome`]):
/// a complaint suppresses the address (unless its `provider_category`, the feedback type, is
/// no complaint, such as `not-spam`: [`Outcome::of_feedback`]), a delivery is delivered, a
/// bounce or drop is a permanent failure, a deferral a temporary one; other events (opens,
/// clicks, auto-replies) have no decision.
pub fn decide_event(
    event: EventKind,
    reply: Option<&Reply>,
    reason: Reason,
    bounce: Bounce,
    provider_category: Option<&str>,
) -> Option<RetryDecision> {
    let policy = RetryPolicy::default();
    if let Some(reply) = reply {
        return Some(retry::decide(reply, 1, None, &policy));
    }
    let outcome = match event {
        EventKind::Bounce | EventKind::Dropped => Outcome::Permanent,
        EventKind::Deferred => Outcome::Transient,
        EventKind::Delivery => Outcome::Delivered,
        EventKind::Complaint => Outcome::of_feedback(provider_category),
        EventKind::Other => return None,
    };
    let k = Classification::of_report(reason, bounce);
    Some(retry::decide_outcome(outcome, k, "no reply", 1, None, &policy))
}
