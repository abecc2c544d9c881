//! SendGrid's Event Webhook: an array of events, each with `event`, `email`, `timestamp`, and
//! for bounces `type` ("bounce" or "blocked") and `bounce_classification`, for drops `reason`.
//!
//! Sources: <https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event>,
//! <https://www.twilio.com/docs/sendgrid/ui/analytics-and-reporting/bounce-and-block-classifications>.
//!
//! Id: `sg_event_id`, SendGrid's unique id of the event.

use super::read::{Cx, Id, Path, Text, Time, py_strip, view};
use super::reply::reply_of;
use super::{Draft, EventKind, Provider, Result, WebhookEvent, tables};
use crate::classify::Bounce;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Event {
    event: Text,
    email: Text,
    timestamp: Time,
    sg_message_id: Text,
    sg_event_id: Id,
    /// A bounce's type: "bounce" (a permanent denial) or "blocked" (a temporary one).
    #[serde(rename = "type")]
    bounce_type: Text,
    bounce_classification: Text,
    /// A bounce's reply, or a drop's reason.
    reason: Text,
    /// The reply of a delivery or deferral.
    response: Text,
    status: Text,
}

pub(super) fn read(value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    let mut cx = Cx::new(Provider::SendGrid, "SendGrid event");
    let e: Event = view(Some(value));
    let name = cx.need_text(at, "event", &e.event)?;
    cx.what = format!("SendGrid {name} event");
    let event = tables::event(Provider::SendGrid, Some(name));
    let recipient = match event {
        EventKind::Other => cx.text(at, "email", &e.email)?,
        _ => Some(cx.need_text(at, "email", &e.email)?),
    };
    let mut d = Draft {
        id: e.sg_event_id.0.clone(),
        recipient: recipient.map(str::to_string),
        timestamp: cx.time(at, "timestamp", &e.timestamp)?,
        message_id: cx.text(at, "sg_message_id", &e.sg_message_id)?.map(|m| py_strip(m).to_string()),
        ..Draft::new(event)
    };
    match event {
        EventKind::Bounce => {
            // the older "blocked" event is a bounce of type "blocked"
            let bounce_type = match cx.text(at, "type", &e.bounce_type)? {
                Some(t) => Some(t),
                None => (name == "blocked").then_some("blocked"),
            };
            let classification = cx.text(at, "bounce_classification", &e.bounce_classification)?;
            d.category_name = classification.or(bounce_type).map(str::to_string);
            let by_type = tables::category(Provider::SendGrid, "type", bounce_type);
            let mut category = tables::category(Provider::SendGrid, "classification", classification).or(by_type);
            if let (Some(c), Some(t)) = (category.as_mut(), by_type)
                && c.bounce == Bounce::Unknown
            {
                c.bounce = t.bounce; // "Unclassified": the type says hard or soft
            }
            d.category = category;
            // SendGrid does not suppress blocked addresses: a block is never hard
            d.never_hard = bounce_type == Some("blocked");
            let text = match cx.text(at, "reason", &e.reason)? {
                Some(t) => Some(t),
                None => cx.text(at, "response", &e.response)?,
            };
            d.reply = reply_of(text, None, cx.text(at, "status", &e.status)?);
        }
        EventKind::Dropped => {
            // the reason is SendGrid's own words ("Bounced Address"), no reply
            let reason = cx.text(at, "reason", &e.reason)?;
            d.category = tables::category(Provider::SendGrid, "dropped", reason);
            d.category_name = reason.map(str::to_string);
        }
        EventKind::Deferred | EventKind::Delivery => {
            let text = match cx.text(at, "response", &e.response)? {
                Some(t) => Some(t),
                None => cx.text(at, "reason", &e.reason)?,
            };
            d.reply = reply_of(text, None, cx.text(at, "status", &e.status)?);
        }
        _ => {}
    }
    out.push(d.finish(Provider::SendGrid, value));
    Ok(())
}
