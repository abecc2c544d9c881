//! Mailgun webhooks: `{"signature": …, "event-data": …}`, or the bare event-data, with
//! `event`, and for failures `severity` ("permanent" or "temporary"), `reason` and
//! `delivery-status`; the legacy (pre-2018) webhooks' flat fields too.
//!
//! Sources: <https://documentation.mailgun.com/docs/mailgun/user-manual/events/event-types>,
//! <https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads>,
//! <https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/tracking-failures>.
//!
//! Id: `event-data.id`, Mailgun's unique id of the event (the legacy webhooks have none).

use super::read::{Cx, Id, Int, Obj, Path, Text, Time, view};
use super::reply::reply_of;
use super::{Draft, EventKind, Provider, Result, WebhookEvent, tables};
use crate::reply::Reply;
use serde::Deserialize;
use serde_json::Value;

/// The events that are about one recipient, which they must name.
const NEED_RECIPIENT: [&str; 5] = ["failed", "delivered", "complained", "bounced", "dropped"];

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct Event {
    event: Text,
    recipient: Text,
    timestamp: Time,
    message: Obj<Message>,
    /// The legacy webhooks' message id.
    #[serde(rename = "Message-Id")]
    legacy_message_id: Text,
    message_id: Text,
    delivery_status: Obj<DeliveryStatus>,
    /// The legacy webhooks' code.
    code: Int,
    reason: Text,
    severity: Text,
    id: Id,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Message {
    headers: Obj<Headers>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct Headers {
    message_id: Text,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct DeliveryStatus {
    code: Int,
    enhanced_code: Text,
    bounce_code: Text,
    message: Text,
    description: Text,
}

pub(super) fn read(value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    let mut cx = Cx::new(Provider::Mailgun, "Mailgun webhook");
    let (node, at) = match value.get("event-data") {
        Some(inner) => (cx.need_object_at(at, "event-data", Some(inner))?, at.key("event-data")),
        None => (value, at.clone()),
    };
    let e: Event = view(Some(node));
    let name = cx.need_text(&at, "event", &e.event)?;
    cx.what = format!("Mailgun {name} event");
    let mut event = tables::event(Provider::Mailgun, Some(name));
    let recipient = if NEED_RECIPIENT.contains(&name) {
        Some(cx.need_text(&at, "recipient", &e.recipient)?)
    } else {
        cx.text(&at, "recipient", &e.recipient)?
    };
    let timestamp = cx.time(&at, "timestamp", &e.timestamp)?;
    let message_at = at.key("message");
    let headers = match cx.obj(&at, "message", &e.message)? {
        Some(m) => cx.obj(&message_at, "headers", &m.headers)?,
        None => None,
    };
    let mut message_id = match headers {
        Some(h) => cx.text(&message_at.key("headers"), "message-id", &h.message_id)?,
        None => None,
    };
    if message_id.is_none() {
        message_id = match cx.text(&at, "Message-Id", &e.legacy_message_id)? {
            Some(m) => Some(m),
            None => cx.text(&at, "message-id", &e.message_id)?,
        };
    }

    let status = cx.obj(&at, "delivery-status", &e.delivery_status)?;
    let status_at = at.key("delivery-status");
    let code = match status {
        Some(s) => cx.int(&status_at, "code", &s.code)?,
        None => cx.int(&at, "code", &e.code)?, // legacy webhooks
    };
    // Mailgun's own codes (498, and every code from 600 up) are no SMTP reply codes
    let pseudo = code.is_some_and(|c| c.value >= 600 || c.value < 200 || tables::mailgun_pseudo(c.value).is_some());
    let reply = match status {
        Some(s) => {
            let enhanced = match cx.text(&status_at, "enhanced-code", &s.enhanced_code)? {
                Some(x) => Some(x),
                None => cx.text(&status_at, "bounce-code", &s.bounce_code)?,
            };
            let text = match cx.text(&status_at, "message", &s.message)? {
                Some(t) => Some(t),
                // with a pseudo code the description is Mailgun's words, not a server's
                None if !pseudo => cx.text(&status_at, "description", &s.description)?,
                None => None,
            };
            reply_of(text, if pseudo { None } else { code.map(|c| c.value) }, enhanced)
        }
        None => None,
    };
    let mut reason = cx.text(&at, "reason", &e.reason)?.map(str::to_string);
    if reason.is_none() && pseudo {
        reason = code.and_then(|c| tables::mailgun_pseudo(c.value)).and_then(|p| p.same_as).map(str::to_string);
    }
    let category = tables::category(Provider::Mailgun, "reason", reason.as_deref());
    if name == "failed" {
        let severity = cx.text(&at, "severity", &e.severity)?.unwrap_or_default().to_lowercase();
        if severity == "temporary" || (severity.is_empty() && reply.as_ref().is_some_and(Reply::is_transient)) {
            event = EventKind::Deferred;
        }
    }
    let d = Draft {
        id: e.id.0.clone(),
        recipient: recipient.map(str::to_string),
        reply,
        category_name: reason,
        category,
        timestamp,
        message_id: message_id.map(str::to_string),
        ..Draft::new(event)
    };
    out.push(d.finish(Provider::Mailgun, node));
    Ok(())
}
