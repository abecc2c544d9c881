//! Amazon SES notifications sent by email through Amazon SNS (`From: … <no-reply@sns.amazonaws.com>`,
//! `Subject: AWS Notification Message`): the body is a JSON object, either the SES notification
//! itself (`{"notificationType":"Bounce", "bounce":{…}, "mail":{…}}`; event publishing writes
//! `eventType` instead) or the SNS envelope (`{"Type":"Notification", "Message":"…"}`) with the
//! notification as a JSON string in `Message`. Read with `serde_json`:
//! - `Bounce`: `bounce.bouncedRecipients[]` with `emailAddress`, `action`, `status` and
//!   `diagnosticCode` (a `Diagnostic-Code` value, `smtp; 550 5.1.1 …`), `bounce.bounceType`
//!   (`Permanent`, `Transient`, `Undetermined`) and `bounce.reportingMTA`;
//! - `Complaint`: `complaint.complainedRecipients[].emailAddress` and `complaintFeedbackType`
//!   (an ARF feedback type): each recipient a `feedback`, as ARF reports are;
//! - `Delivery`: `delivery.recipients[]` and `delivery.smtpResponse` (the `250` reply);
//! - `DeliveryDelay` (event publishing): `deliveryDelay.delayedRecipients[]`, as bounces.
//!
//! The message sent is described by `mail` (`commonHeaders`, `headers`, `messageId`). Mail
//! relays that limit line lengths break the long JSON line as Sendmail does, with `!`, a line
//! end and a space; when the JSON does not read as it is, those breaks are undone first.
//!
//! Source: Amazon SES Developer Guide, "Contents of notifications for Amazon SES" (the bounce,
//! complaint and delivery objects and their fields) and "Amazon SNS notification examples";
//! sisimai/p5-sisimai lib/Sisimai/Lhost/AmazonSES.pm (peer).

use crate::bounce::fields;
use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email, OriginalMessage};
use crate::classify::{Bounce, Reason};
use serde_json::Value;

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let body = email.body();
    let start = body.find('{')?;
    // Only a body that is the JSON (blank lines before it at most).
    if !body.get(..start)?.trim().is_empty() {
        return None;
    }
    let json = body.get(start..)?;
    let value = first_value(json).or_else(|| first_value(&unbreak(json)))?;
    let n = notification(value)?;
    let kind = n.get("notificationType").or_else(|| n.get("eventType")).and_then(Value::as_str)?;
    let mut report = text::report("amazonses", Vec::new(), original(n.get("mail")));
    report.arrival_date = string(n.pointer("/mail/timestamp"));
    match kind {
        "Bounce" => {
            let b = n.get("bounce")?;
            let transient = string(b.get("bounceType")).as_deref() == Some("Transient");
            report.reporting_mta = string(b.get("reportingMTA")).as_deref().and_then(fields::mta);
            report.recipients = recipients(b.get("bouncedRecipients"), string(b.get("timestamp")), transient);
        }
        "DeliveryDelay" => {
            let d = n.get("deliveryDelay")?;
            report.reporting_mta = string(d.get("reportingMTA")).as_deref().and_then(fields::mta);
            report.recipients = recipients(d.get("delayedRecipients"), string(d.get("timestamp")), true);
            for r in &mut report.recipients {
                r.action = Some("delayed".to_string());
            }
        }
        "Complaint" => {
            let c = n.get("complaint")?;
            report.feedback_type = string(c.get("complaintFeedbackType")).map(|t| t.to_ascii_lowercase());
            report.recipients = list(c.get("complainedRecipients"))
                .iter()
                .filter_map(|r| string(r.get("emailAddress")).as_deref().and_then(fields::address))
                .map(|a| BounceRecipient::bare(a, Reason::Feedback, Bounce::None))
                .collect();
        }
        "Delivery" => {
            let d = n.get("delivery")?;
            report.reporting_mta = string(d.get("reportingMTA")).as_deref().and_then(fields::mta);
            let response = string(d.get("smtpResponse")).unwrap_or_default();
            let when = string(d.get("timestamp"));
            report.recipients = list(d.get("recipients"))
                .iter()
                .filter_map(|a| a.as_str().and_then(fields::address))
                .map(|a| {
                    let reply = text::typed_reply(&response, None);
                    let mut r = text::recipient_from_reply(a, reply, &response, false);
                    r.action = Some("delivered".to_string());
                    r.last_attempt_date = when.clone();
                    r
                })
                .collect();
        }
        _ => return None,
    }
    Some(report)
}

/// The first JSON value of `s` (text after it, such as SNS's unsubscribe footer, is ignored).
fn first_value(s: &str) -> Option<Value> {
    serde_json::Deserializer::from_str(s).into_iter::<Value>().next()?.ok()
}

/// `s` with Sendmail's breaks of long lines (`!`, the line end, a space) undone.
fn unbreak(s: &str) -> String {
    s.replace("!\r\n ", "").replace("!\n ", "")
}

/// The SES notification: the value itself, or the one in an SNS envelope's `Message`.
fn notification(v: Value) -> Option<Value> {
    if v.get("notificationType").is_some() || v.get("eventType").is_some() {
        return Some(v);
    }
    if string(v.get("Type")).as_deref() == Some("Notification") {
        let inner = first_value(v.get("Message")?.as_str()?)?;
        return (inner.get("notificationType").is_some() || inner.get("eventType").is_some()).then_some(inner);
    }
    None
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Bounced or delayed recipients: the reply in `diagnosticCode` with `status` filled in.
fn recipients(v: Option<&Value>, when: Option<String>, transient: bool) -> Vec<BounceRecipient> {
    list(v)
        .iter()
        .filter_map(|r| {
            let address = string(r.get("emailAddress")).as_deref().and_then(fields::address)?;
            let status = string(r.get("status")).and_then(|s| crate::status::EnhancedStatus::parse(s.trim()).ok());
            let diagnostic = string(r.get("diagnosticCode")).unwrap_or_default();
            let reply = text::typed_reply(&diagnostic, status);
            let mut out = text::recipient_from_reply(address, reply, &diagnostic, transient);
            out.action = string(r.get("action")).map(|a| a.to_ascii_lowercase());
            out.diagnostic_type = fields::split_typed(&diagnostic).0;
            out.last_attempt_date = when.clone();
            Some(out)
        })
        .collect()
}

/// The message sent, from `mail`: `commonHeaders` (From, To, Subject, Message-ID), the `X-`
/// headers of `headers`, and SES's own `messageId` when the headers have no Message-ID.
fn original(mail: Option<&Value>) -> OriginalMessage {
    let Some(mail) = mail else { return OriginalMessage::default() };
    let common = mail.get("commonHeaders");
    let headers = list(mail.get("headers"));
    let header = |name: &str| {
        headers
            .iter()
            .find(|h| string(h.get("name")).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(|h| string(h.get("value")))
    };
    let addresses = |key: &str| -> Vec<String> {
        list(common.and_then(|c| c.get(key))).iter().filter_map(|a| a.as_str().and_then(fields::address)).collect()
    };
    let message_id = string(common.and_then(|c| c.get("messageId")))
        .or_else(|| header("message-id"))
        .map(|id| id.trim().trim_matches(['<', '>']).to_string())
        .or_else(|| string(mail.get("messageId")));
    OriginalMessage {
        message_id,
        from: addresses("from").into_iter().next().or_else(|| string(mail.get("source"))),
        to: addresses("to"),
        subject: string(common.and_then(|c| c.get("subject"))).or_else(|| header("subject")),
        x_headers: headers
            .iter()
            .filter_map(|h| Some((string(h.get("name"))?, string(h.get("value"))?)))
            .filter(|(n, _)| n.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("x-")))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    const HEAD: &str = "From: Notices <no-reply@sns.amazonaws.com>\nTo: alice@example.org\n\
Subject: AWS Notification Message\nContent-Type: text/plain; charset=UTF-8\n\n";

    #[test]
    fn ses_bounce() {
        let email = format!(
            "{HEAD}{{\"notificationType\":\"Bounce\",\"bounce\":{{\"bounceType\":\"Permanent\",\
\"bouncedRecipients\":[{{\"emailAddress\":\"bob@example.net\",\"action\":\"failed\",\"status\":\"5.1.1\",\
\"diagnosticCode\":\"smtp; 550 5.1.1 <bob@example.net>: user unknown\"}},\
{{\"emailAddress\":\"carol@example.net\",\"status\":\"5.2.2\"}}],\
\"reportingMTA\":\"dsn; out.ses.example\"}},\"mail\":{{\"messageId\":\"0100abc\",\
\"headers\":[{{\"name\":\"X-Campaign\",\"value\":\"7\"}},{{\"name\":\"Message-ID\",\"value\":\"<m1@example.org>\"}}],\
\"commonHeaders\":{{\"from\":[\"Alice <alice@example.org>\"],\"to\":[\"bob@example.net\"],\"subject\":\"hi\"}}}}}}\n\n\
--\nIf you wish to stop receiving notifications from this topic, please click\n"
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "amazonses");
        assert_eq!(r.reporting_mta.as_deref(), Some("out.ses.example"));
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        // A status without a diagnostic: the status, no code invented.
        let carol = &r.recipients[1];
        assert!(carol.reply.as_ref().unwrap().code().is_none());
        assert_eq!(carol.status.unwrap().to_string(), "5.2.2");
        assert_eq!(r.original.message_id.as_deref(), Some("m1@example.org"));
        assert_eq!(r.original.from.as_deref(), Some("alice@example.org"));
        assert_eq!(r.original.x_headers, vec![("X-Campaign".to_string(), "7".to_string())]);
    }

    #[test]
    fn ses_in_sns_envelope_broken_lines() {
        // The SES JSON as a string in SNS's `Message`, a long line broken with `!`.
        let email = format!(
            "{HEAD}{{\n  \"Type\" : \"Notification\",\n  \"Message\" : \"{{\\\"notificationType\\\":\\\"Complaint\\\",\
\\\"complaint\\\":{{\\\"complainedRecipients\\\":[{{\\\"emailAddress\\\":\\\"bob@exam!\n ple.net\\\"}}],\
\\\"complaintFeedbackType\\\":\\\"abuse\\\"}},\\\"mail\\\":{{}}}}\"\n}}\n"
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "amazonses");
        assert_eq!(r.feedback_type.as_deref(), Some("abuse"));
        assert_eq!(r.recipients[0].address, "bob@example.net");
        assert_eq!(r.recipients[0].reason, crate::Reason::Feedback);
    }

    #[test]
    fn ses_delivery_and_non_json() {
        let email = format!(
            "{HEAD}{{\"notificationType\":\"Delivery\",\"mail\":{{}},\"delivery\":{{\"recipients\":[\"bob@example.net\"],\
\"smtpResponse\":\"250 2.6.0 Message received\"}}}}"
        );
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients[0].action.as_deref(), Some("delivered"));
        assert_eq!(r.recipients[0].reason, crate::Reason::Delivered);
        for body in ["{\"notificationType\":", "{\"a\":1}", "[1,2]", "{{{{{{"] {
            assert!(parse_bounce(format!("{HEAD}{body}").as_bytes()).is_err());
        }
    }
}
