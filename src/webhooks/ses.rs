//! Amazon SES: the notification message (`notificationType`, SNS notifications) or event record
//! (`eventType`, event publishing), bare, in an SNS envelope (`Message`, a string of JSON) or in
//! an EventBridge event (`detail`).
//!
//! Sources: <https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html>,
//! <https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html>,
//! <https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html>.
//!
//! Id: the bounce's or complaint's `feedbackId`; for the other notifications (which have none)
//! `<mail.messageId>:<eventType>`, with `:<timestamp>` of the event object when it has one (a
//! message is delayed, opened and clicked more than once); `:<recipient>` when the notification
//! names several recipients.

use super::read::{Cx, Found, Id, List, Obj, Path, Strings, Text, Time, kind, view};
use super::reply::reply_of;
use super::{Draft, EventKind, Provider, Result, WebhookEvent, id_text, tables};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// The SNS message types (the `Type` of the envelope).
const SNS_TYPES: [&str; 3] = ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"];

pub(super) fn is_sns_type(t: &str) -> bool {
    SNS_TYPES.contains(&t)
}

/// The notification or event record.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Message {
    notification_type: Text,
    event_type: Text,
    mail: Obj<Mail>,
}

/// `mail`: the message the notification is about.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Mail {
    message_id: Text,
    timestamp: Time,
    destination: Strings,
}

/// The event's own object (`bounce`, `complaint`, `delivery`, `deliveryDelay`, `reject`, `open`
/// …): the fields of each type.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Body {
    timestamp: Time,
    /// Bounces and complaints.
    feedback_id: Id,
    bounce_type: Text,
    bounce_sub_type: Text,
    bounced_recipients: List<Recipient>,
    complaint_sub_type: Text,
    complaint_feedback_type: Text,
    complained_recipients: List<Recipient>,
    /// Deliveries.
    smtp_response: Text,
    recipients: Strings,
    /// Delivery delays (event publishing).
    delay_type: Text,
    delayed_recipients: List<Recipient>,
    /// Rejects: `"Bad content"`.
    reason: Text,
}

/// A bounced, complained-about or delayed recipient.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Recipient {
    email_address: Text,
    diagnostic_code: Text,
    status: Text,
    action: Text,
}

pub(super) fn read(value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    let has = |key: &str| value.get(key).is_some();
    if value.get("Type").and_then(Value::as_str).is_some_and(is_sns_type)
        && !has("notificationType")
        && !has("eventType")
    {
        return sns(value, at, out);
    }
    if value.get("source").and_then(Value::as_str) == Some("aws.ses") && has("detail") {
        let cx = Cx::new(Provider::Ses, "SES EventBridge event");
        let detail = cx.need_object_at(at, "detail", value.get("detail"))?;
        return message(detail, &at.key("detail"), out);
    }
    message(value, at, out)
}

/// An SNS envelope: a `Notification` carries the message; confirmations have no events.
fn sns(value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    let cx = Cx::new(Provider::Ses, "SES SNS notification");
    if value.get("Type").and_then(Value::as_str) != Some("Notification") {
        return Ok(());
    }
    let field = at.key("Message");
    match value.get("Message") {
        Some(Value::String(text)) => {
            let decoded: Value = serde_json::from_str(text)
                .map_err(|e| cx.fail(&field, |f| format!("invalid field '{f}': not JSON ({e})")))?;
            if !decoded.is_object() {
                return Err(cx.wrong(&field, "a JSON object", &Found::Kind(kind(&decoded))));
            }
            // the paths of the message's fields are those of the envelope
            message(&decoded, at, out)
        }
        Some(inner @ Value::Object(_)) => message(inner, &field, out),
        None | Some(Value::Null) => Err(cx.missing(&field)),
        Some(other) => Err(cx.wrong(&field, "a string of JSON", &Found::Kind(kind(other)))),
    }
}

fn recipient<'r>(cx: &Cx, at: &Path, r: &'r Recipient) -> Result<&'r str> {
    cx.need_text(at, "emailAddress", &r.email_address)
}

/// The key of the event object of event type `name`, and the words for the type in errors.
fn body_key(name: &str) -> (Cow<'_, str>, Cow<'_, str>) {
    let known = match name {
        "Bounce" => ("bounce", "bounce"),
        "Complaint" => ("complaint", "complaint"),
        "Delivery" => ("delivery", "delivery"),
        "DeliveryDelay" => ("deliveryDelay", "delivery delay"),
        "Reject" => ("reject", "reject"),
        "Send" => ("send", "send"),
        "Open" => ("open", "open"),
        "Click" => ("click", "click"),
        "Rendering Failure" => ("failure", "rendering failure"),
        "Subscription" => ("subscription", "subscription"),
        _ => {
            // a type SES adds later: its object is named as the others are
            let mut chars = name.chars();
            let first: String = chars.next().map(|c| c.to_lowercase().collect()).unwrap_or_default();
            return (Cow::Owned(first + chars.as_str()), Cow::Owned(name.to_lowercase()));
        }
    };
    (Cow::Borrowed(known.0), Cow::Borrowed(known.1))
}

fn message(value: &Value, at: &Path, out: &mut Vec<WebhookEvent>) -> Result<()> {
    let mut cx = Cx::new(Provider::Ses, "SES notification");
    let top: Message = view(Some(value));
    let name = match cx.text(at, "notificationType", &top.notification_type)? {
        Some(name) => name,
        None => cx.text(at, "eventType", &top.event_type)?.ok_or_else(|| cx.missing(&at.key("notificationType")))?,
    };
    let (key, words) = body_key(name);
    cx.what = format!("SES {words} notification");
    let event = tables::event(Provider::Ses, Some(name));
    let mail = cx.need_obj(at, "mail", &top.mail)?;
    let mail_at = at.key("mail");
    let message_id = cx.text(&mail_at, "messageId", &mail.message_id)?;
    let slot: Obj<Body> = view(value.get(key.as_ref()));
    let body = if matches!(name, "Bounce" | "Complaint" | "Delivery" | "DeliveryDelay") {
        Some(cx.need_obj(at, &key, &slot)?)
    } else {
        cx.obj(at, &key, &slot)?
    };
    let body_at = at.key(&key);
    let when = match body {
        Some(b) => cx.time(&body_at, "timestamp", &b.timestamp)?,
        None => None,
    };
    let when = match when {
        Some(t) => Some(t),
        None => cx.time(&mail_at, "timestamp", &mail.timestamp)?,
    };
    let id = body.and_then(|b| b.feedback_id.0.clone()).or_else(|| {
        let stamp = id_text(value.get(key.as_ref()).and_then(|b| b.get("timestamp")));
        message_id.map(|m| match stamp {
            Some(t) => format!("{m}:{name}:{t}"),
            None => format!("{m}:{name}"),
        })
    });
    let draft = |event, recipient: Option<&str>| Draft {
        recipient: recipient.map(str::to_string),
        timestamp: when,
        message_id: message_id.map(str::to_string),
        ..Draft::new(event)
    };
    let mut drafts = Vec::new();
    match (name, body) {
        ("Bounce", Some(b)) => {
            let bounce_type = cx.need_text(&body_at, "bounceType", &b.bounce_type)?;
            let category_name = match cx.text(&body_at, "bounceSubType", &b.bounce_sub_type)? {
                Some(sub) => format!("{bounce_type}/{sub}"),
                None => bounce_type.to_string(),
            };
            // a subtype SES adds later: the bounce type alone still says hard or soft
            let category = tables::category(Provider::Ses, "bounce", Some(&category_name))
                .or_else(|| tables::category(Provider::Ses, "bounce", Some(&format!("{bounce_type}/*"))));
            for (p, r) in cx.list(&body_at, "bouncedRecipients", &b.bounced_recipients, true)? {
                let address = recipient(&cx, &p, r)?;
                let diagnostic = cx.text(&p, "diagnosticCode", &r.diagnostic_code)?;
                let reply = reply_of(diagnostic, None, cx.text(&p, "status", &r.status)?);
                // RFC 3464 §2.3.3: a recipient whose delivery is still being attempted
                let delayed = cx.text(&p, "action", &r.action)?.is_some_and(|a| a.to_lowercase() == "delayed");
                let kind = if delayed { EventKind::Deferred } else { event };
                drafts.push(Draft {
                    reply,
                    category_name: Some(category_name.clone()),
                    category,
                    ..draft(kind, Some(address))
                });
            }
        }
        ("Complaint", Some(b)) => {
            let sub_type = cx.text(&body_at, "complaintSubType", &b.complaint_sub_type)?;
            let category = tables::category(Provider::Ses, "complaint", sub_type);
            let category_name = match sub_type {
                Some(s) => Some(s),
                None => cx.text(&body_at, "complaintFeedbackType", &b.complaint_feedback_type)?,
            };
            for (p, r) in cx.list(&body_at, "complainedRecipients", &b.complained_recipients, true)? {
                let address = recipient(&cx, &p, r)?;
                drafts.push(Draft {
                    category_name: category_name.map(str::to_string),
                    category,
                    ..draft(event, Some(address))
                });
            }
        }
        ("Delivery", Some(b)) => {
            let reply = reply_of(cx.text(&body_at, "smtpResponse", &b.smtp_response)?, None, None);
            for address in cx.strings(&body_at, "recipients", &b.recipients, true)? {
                drafts.push(Draft { reply: reply.clone(), ..draft(event, Some(address)) });
            }
        }
        ("DeliveryDelay", Some(b)) => {
            let delay_type = cx.text(&body_at, "delayType", &b.delay_type)?;
            let category = tables::category(Provider::Ses, "delay", delay_type);
            for (p, r) in cx.list(&body_at, "delayedRecipients", &b.delayed_recipients, true)? {
                let address = recipient(&cx, &p, r)?;
                let diagnostic = cx.text(&p, "diagnosticCode", &r.diagnostic_code)?;
                let reply = reply_of(diagnostic, None, cx.text(&p, "status", &r.status)?);
                drafts.push(Draft {
                    reply,
                    category_name: delay_type.map(str::to_string),
                    category,
                    ..draft(event, Some(address))
                });
            }
        }
        _ => {
            // Reject, Send, Open, Click …: one event per destination address
            let (category_name, category) = match (name, body) {
                ("Reject", Some(b)) => {
                    let reason = cx.text(&body_at, "reason", &b.reason)?;
                    (reason, tables::category(Provider::Ses, "reject", reason))
                }
                _ => (None, None),
            };
            let destination = cx.strings(&mail_at, "destination", &mail.destination, false)?;
            let recipients: Vec<Option<&str>> =
                if destination.is_empty() { vec![None] } else { destination.into_iter().map(Some).collect() };
            for address in recipients {
                drafts.push(Draft {
                    category_name: category_name.map(str::to_string),
                    category,
                    ..draft(event, address)
                });
            }
        }
    }
    let several = drafts.len() > 1;
    for mut d in drafts {
        d.id = match (&id, several) {
            (Some(id), true) => Some(format!("{id}:{}", d.recipient.as_deref().unwrap_or_default())),
            (id, _) => id.clone(),
        };
        out.push(d.finish(Provider::Ses, value));
    }
    Ok(())
}
