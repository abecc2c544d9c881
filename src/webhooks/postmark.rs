//! Postmark webhooks: one record per request, with `RecordType` ("Bounce", "SpamComplaint",
//! "Delivery", "Open", "Click", "SubscriptionChange"), and for bounces and complaints `Type`
//! with its `TypeCode`.
//!
//! Sources: <https://postmarkapp.com/developer/webhooks/bounce-webhook>,
//! <https://postmarkapp.com/developer/webhooks/delivery-webhook>,
//! <https://postmarkapp.com/developer/api/bounce-api#bounce-types>.
//!
//! Id: `<RecordType>:<ID>` (the bounce's id, unique per record type); records without an `ID`
//! (deliveries, opens, clicks, subscription changes) are
//! `<RecordType>:<MessageID>:<recipient>`, with `:<time>` when the record has a time (a
//! message is opened more than once).

use super::read::{Cx, Id, Int, Path, Text, Time, view};
use super::reply::reply_of;
use super::{Draft, EventKind, Provider, Result, WebhookEvent, id_text, tables};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Record {
    record_type: Text,
    #[serde(rename = "MessageID")]
    message_id: Text,
    #[serde(rename = "ID")]
    id: Id,
    /// Deliveries, opens, clicks.
    recipient: Text,
    /// Bounces and complaints.
    email: Text,
    details: Text,
    #[serde(rename = "Type")]
    bounce_type: Text,
    type_code: Int,
    delivered_at: Time,
    bounced_at: Time,
    received_at: Time,
    changed_at: Time,
}

pub(super) fn read(value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    let mut cx = Cx::new(Provider::Postmark, "Postmark webhook");
    let r: Record = view(Some(value));
    let record = cx.need_text(at, "RecordType", &r.record_type)?;
    let words = match record {
        "Bounce" => "bounce",
        "SpamComplaint" => "spam complaint",
        "Delivery" => "delivery",
        other => other,
    };
    cx.what = format!("Postmark {words} webhook");
    let event = tables::event(Provider::Postmark, Some(record));
    let mut d = Draft { message_id: cx.text(at, "MessageID", &r.message_id)?.map(str::to_string), ..Draft::new(event) };
    let time_key;
    match event {
        EventKind::Delivery => {
            d.recipient = Some(cx.need_text(at, "Recipient", &r.recipient)?.to_string());
            d.reply = reply_of(cx.text(at, "Details", &r.details)?, None, None);
            time_key = "DeliveredAt";
            d.timestamp = cx.time(at, time_key, &r.delivered_at)?;
        }
        EventKind::Bounce | EventKind::Complaint => {
            d.recipient = Some(cx.need_text(at, "Email", &r.email)?.to_string());
            let mut type_name = cx.text(at, "Type", &r.bounce_type)?.map(str::to_string);
            if type_name.is_none() {
                let code = cx.int(at, "TypeCode", &r.type_code)?;
                if code.is_none() && event == EventKind::Bounce {
                    return Err(cx.missing(&at.key("Type")));
                }
                // a code the table does not have is kept as the category
                type_name = code.map(|c| tables::postmark_type(c.value).map_or_else(|| c.text.clone(), str::to_string));
            }
            d.category = tables::category(Provider::Postmark, "types", type_name.as_deref());
            d.category_name = type_name;
            if event == EventKind::Bounce {
                d.reply = reply_of(cx.text(at, "Details", &r.details)?, None, None);
            }
            time_key = "BouncedAt";
            d.timestamp = cx.time(at, time_key, &r.bounced_at)?;
        }
        _ => {
            d.recipient = match cx.text(at, "Recipient", &r.recipient)? {
                Some(a) => Some(a),
                None => cx.text(at, "Email", &r.email)?,
            }
            .map(str::to_string);
            let times = [
                ("ReceivedAt", &r.received_at),
                ("ChangedAt", &r.changed_at),
                ("DeliveredAt", &r.delivered_at),
                ("BouncedAt", &r.bounced_at),
            ];
            let mut found = ("", None);
            for (key, slot) in times {
                if let Some(t) = cx.time(at, key, slot)? {
                    found = (key, Some(t));
                    break;
                }
            }
            (time_key, d.timestamp) = found;
        }
    }
    d.id = match (&r.id.0, &d.message_id) {
        (Some(id), _) => Some(format!("{record}:{id}")),
        (None, Some(message_id)) => {
            let mut id = format!("{record}:{message_id}:{}", d.recipient.as_deref().unwrap_or_default());
            if let Some(t) = id_text(value.get(time_key)) {
                id = format!("{id}:{t}");
            }
            Some(id)
        }
        (None, None) => None,
    };
    out.push(d.finish(Provider::Postmark, value));
    Ok(())
}
