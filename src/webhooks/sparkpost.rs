//! SparkPost webhooks: an array of `{"msys": {"message_event": {…}}}` (or `track_event`,
//! `gen_event`, `unsubscribe_event`, `relay_event` …), each event with `type`, `rcpt_to`, and
//! for failures `bounce_class`, `raw_reason` and `error_code`. `{"msys": {}}` is the test ping.
//!
//! Sources: <https://developers.sparkpost.com/api/events/>,
//! <https://support.sparkpost.com/docs/deliverability/bounce-classification-codes>.
//!
//! Id: `event_id`, SparkPost's unique id of the event.

use super::read::{Cx, Id, Int, Path, Text, Time, view};
use super::reply::reply_of;
use super::{Draft, EventKind, Provider, Result, WebhookEvent, tables};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Event {
    #[serde(rename = "type")]
    event_type: Text,
    rcpt_to: Text,
    raw_rcpt_to: Text,
    timestamp: Time,
    message_id: Text,
    transmission_id: Text,
    event_id: Id,
    /// A complaint's feedback type.
    fbtype: Text,
    bounce_class: Int,
    raw_reason: Text,
    reason: Text,
    error_code: Int,
}

pub(super) fn read(value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    let outer = Cx::new(Provider::SparkPost, "SparkPost event");
    let msys = outer.need_object_at(at, "msys", value.get("msys"))?;
    let msys_at = at.key("msys");
    let Some(groups) = msys.as_object() else { return Ok(()) };
    for (group, v) in groups {
        let Some(node) = outer.object_at(&msys_at, group, Some(v))? else { continue };
        let at = msys_at.key(group);
        let e: Event = view(Some(node));
        let mut cx = Cx::new(Provider::SparkPost, "SparkPost event");
        // relay_message (inbound) events have no type
        let name = cx.text(&at, "type", &e.event_type)?.unwrap_or(group);
        cx.what = format!("SparkPost {name} event");
        let event = tables::event(Provider::SparkPost, Some(name));
        let recipient = match cx.text(&at, "rcpt_to", &e.rcpt_to)? {
            Some(r) => Some(r),
            None => cx.text(&at, "raw_rcpt_to", &e.raw_rcpt_to)?,
        };
        if recipient.is_none() && event != EventKind::Other {
            return Err(cx.missing(&at.key("rcpt_to")));
        }
        let mut d = Draft {
            id: e.event_id.0.clone(),
            recipient: recipient.map(str::to_string),
            timestamp: cx.time(&at, "timestamp", &e.timestamp)?,
            message_id: match cx.text(&at, "message_id", &e.message_id)? {
                Some(m) => Some(m),
                None => cx.text(&at, "transmission_id", &e.transmission_id)?,
            }
            .map(str::to_string),
            ..Draft::new(event)
        };
        match event {
            EventKind::Complaint => d.category_name = cx.text(&at, "fbtype", &e.fbtype)?.map(str::to_string),
            EventKind::Delivery => {}
            _ => {
                if let Some(class) = cx.int(&at, "bounce_class", &e.bounce_class)? {
                    d.category = tables::category(Provider::SparkPost, "bounce_class", Some(&class.text));
                    d.category_name = Some(class.text.clone());
                }
                let text = match cx.text(&at, "raw_reason", &e.raw_reason)? {
                    Some(t) => Some(t),
                    None => cx.text(&at, "reason", &e.reason)?,
                };
                d.reply = reply_of(text, cx.int(&at, "error_code", &e.error_code)?.map(|c| c.value), None);
            }
        }
        out.push(d.finish(Provider::SparkPost, node));
    }
    Ok(())
}
