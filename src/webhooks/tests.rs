//! Tests of the webhook readers, on small payloads written for them (the providers' documented
//! examples are the Python tests' fixtures, tests/data/webhooks/).

use super::*;
use crate::retry::Action;
use serde_json::json;

fn parse(payload: &Value) -> Vec<WebhookEvent> {
    parse_webhook(payload.to_string().as_bytes(), None).unwrap_or_else(|e| panic!("{e}"))
}

fn one(payload: &Value) -> WebhookEvent {
    let mut events = parse(payload);
    assert_eq!(events.len(), 1, "{events:?}");
    events.remove(0)
}

fn error(payload: &Value, provider: Option<&str>) -> WebhookError {
    match parse_webhook(payload.to_string().as_bytes(), provider) {
        Err(e) => e,
        Ok(events) => panic!("no error but {events:?}"),
    }
}

fn ses_bounce(recipients: &[&str]) -> Value {
    let recipients: Vec<Value> = recipients
        .iter()
        .map(|a| json!({"emailAddress": a, "action": "failed", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}))
        .collect();
    json!({
        "notificationType": "Bounce",
        "mail": {"messageId": "m-1", "timestamp": "2024-03-01T10:00:00.000Z", "destination": ["a@example.com"]},
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General", "feedbackId": "fb-1",
                   "timestamp": "2024-03-01T10:00:05.500Z", "bouncedRecipients": recipients},
    })
}

#[test]
fn ses_bounce_per_recipient() {
    let events = parse(&ses_bounce(&["a@example.com", "b@example.com"]));
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_eq!(
            (e.provider, e.event, e.reason, e.bounce),
            (Provider::Ses, EventKind::Bounce, Reason::UserUnknown, Bounce::Hard)
        );
        assert_eq!(e.provider_category.as_deref(), Some("Permanent/General"));
        assert_eq!(e.message_id.as_deref(), Some("m-1"));
        assert_eq!(e.timestamp, Some(1_709_287_205_500_000));
        assert_eq!(e.reply.as_ref().map(Reply::to_wire).as_deref(), Some("550 5.1.1 user unknown"));
        assert_eq!(e.decision.as_ref().map(|d| d.action), Some(Action::Suppress));
        assert_eq!(e.raw["notificationType"], "Bounce");
    }
    assert_eq!(events[0].recipient.as_deref(), Some("a@example.com"));
    assert_eq!(events[1].recipient.as_deref(), Some("b@example.com"));
}

#[test]
fn ses_in_sns_and_eventbridge_envelopes() {
    let message = ses_bounce(&["a@example.com"]);
    let sns = json!({"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:x", "Message": message.to_string()});
    let bridge = json!({"version": "0", "source": "aws.ses", "detail-type": "Email Bounced", "detail": message});
    let bare = parse(&message);
    assert_eq!(parse(&sns), bare);
    assert_eq!(parse(&bridge), bare);
    let confirmation =
        json!({"Type": "SubscriptionConfirmation", "TopicArn": "arn:aws:sns:x", "Message": "You have chosen…"});
    assert_eq!(parse(&confirmation), vec![]);
    // the fields of the message in a string have the envelope's paths
    let bad = json!({"Type": "Notification", "Message": json!({"notificationType": "Bounce", "mail": {}}).to_string()});
    let e = error(&bad, None);
    assert_eq!(
        (e.field.as_deref(), e.message.as_str()),
        (Some("bounce"), "SES bounce notification: missing field 'bounce'")
    );
    let e = error(&json!({"Type": "Notification", "Message": "{not json"}), None);
    assert_eq!(e.field.as_deref(), Some("Message"));
    assert!(e.message.starts_with("SES SNS notification: invalid field 'Message': not JSON ("), "{e}");
}

#[test]
fn ses_delivery_delay_complaint_and_others() {
    let delay = one(&json!({
        "eventType": "DeliveryDelay",
        "mail": {"messageId": "m-2", "timestamp": "2024-03-01T10:00:00Z"},
        "deliveryDelay": {"delayType": "MailboxFull", "timestamp": "2024-03-01T11:00:00Z",
            "delayedRecipients": [{"emailAddress": "c@example.com", "status": "4.2.2", "diagnosticCode": "smtp; 452 4.2.2 mailbox full"}]},
    }));
    assert_eq!((delay.event, delay.reason, delay.bounce), (EventKind::Deferred, Reason::MailboxFull, Bounce::Soft));
    assert_eq!(delay.id.as_deref(), Some("m-2:DeliveryDelay:2024-03-01T11:00:00Z"));
    assert_eq!(delay.decision.as_ref().map(|d| d.action), Some(Action::Retry));

    let complaint = one(&json!({
        "notificationType": "Complaint",
        "mail": {"messageId": "m-3"},
        "complaint": {"complaintFeedbackType": "abuse", "feedbackId": "fb-3", "complainedRecipients": [{"emailAddress": "d@example.com"}]},
    }));
    assert_eq!(
        (complaint.event, complaint.reason, complaint.bounce),
        (EventKind::Complaint, Reason::Feedback, Bounce::None)
    );
    assert_eq!((complaint.provider_category.as_deref(), complaint.id.as_deref()), (Some("abuse"), Some("fb-3")));
    assert_eq!(complaint.decision.as_ref().map(|d| (d.action, d.suppress)), Some((Action::Suppress, true)));

    let delivery = parse(&json!({
        "notificationType": "Delivery",
        "mail": {"messageId": "m-4"},
        "delivery": {"timestamp": "2024-03-01T10:00:01Z", "smtpResponse": "250 2.6.0 Message received",
                     "recipients": ["e@example.com", "f@example.com"]},
    }));
    let ids: Vec<_> = delivery.iter().map(|e| e.id.clone().unwrap_or_default()).collect();
    assert_eq!(
        ids,
        ["m-4:Delivery:2024-03-01T10:00:01Z:e@example.com", "m-4:Delivery:2024-03-01T10:00:01Z:f@example.com"]
    );
    assert!(delivery.iter().all(|e| e.event == EventKind::Delivery && e.reason == Reason::Delivered));

    let reject = one(&json!({"eventType": "Reject", "mail": {"messageId": "m-5", "destination": ["g@example.com"]},
                             "reject": {"reason": "Bad content"}}));
    assert_eq!((reject.event, reject.reason, reject.bounce), (EventKind::Dropped, Reason::VirusDetected, Bounce::Soft));
    assert_eq!(reject.id.as_deref(), Some("m-5:Reject"));

    // an event type SES adds later is "other", its object read by its name
    let new = one(
        &json!({"eventType": "SomethingNew", "mail": {"messageId": "m-6"}, "somethingNew": {"timestamp": 1_709_287_200}}),
    );
    assert_eq!((new.event, new.recipient.as_deref(), new.bounce), (EventKind::Other, None, Bounce::None));
    assert_eq!((new.timestamp, new.decision.is_none()), (Some(1_709_287_200_000_000), true));
    let e = error(&json!({"eventType": "SomethingNew", "mail": {}, "somethingNew": 5}), None);
    assert_eq!(
        e.message,
        "SES somethingnew notification: invalid field 'somethingNew': expected an object, got a number"
    );
}

#[test]
fn ses_category_overrides_and_caps() {
    let mut payload = ses_bounce(&["a@example.com"]);
    payload["bounce"]["bounceSubType"] = json!("OnAccountSuppressionList");
    let e = one(&payload);
    assert_eq!((e.event, e.reason, e.bounce), (EventKind::Dropped, Reason::Suppressed, Bounce::Hard));
    // a transient reply that says little caps a hard category at soft
    payload["bounce"]["bounceSubType"] = json!("NoEmail");
    payload["bounce"]["bouncedRecipients"][0] =
        json!({"emailAddress": "a@example.com", "diagnosticCode": "smtp; 450 please try again"});
    let e = one(&payload);
    assert_eq!((e.reason, e.bounce), (Reason::UserUnknown, Bounce::Soft));
    // a 2xx reply is not why a bounce failed
    payload["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = json!("smtp; 250 2.0.0 OK");
    let e = one(&payload);
    assert_eq!((e.reply.is_none(), e.reason, e.bounce), (true, Reason::UserUnknown, Bounce::Hard));
}

#[test]
fn sendgrid_events() {
    let events = parse(&json!([
        {"email": "a@example.com", "timestamp": 1_700_000_000, "event": "bounce", "type": "blocked", "sg_event_id": "ev-1",
         "sg_message_id": " sg-1 ", "reason": "554 5.7.1 blocked using Spamhaus", "status": "5.7.1", "bounce_classification": "Reputation"},
        {"email": "b@example.com", "timestamp": 1_700_000_000_123_i64, "event": "dropped", "reason": "Bounced Address", "sg_event_id": "ev-2"},
        {"email": "c@example.com", "event": "deferred", "response": "451 4.7.1 greylisted, try again in 5 minutes", "sg_event_id": "ev-3"},
        {"event": "account_status_change", "sg_event_id": "ev-4"},
    ]));
    let got: Vec<_> = events.iter().map(|e| (e.event, e.reason, e.bounce, e.id.as_deref())).collect();
    assert_eq!(
        got,
        [
            (EventKind::Bounce, Reason::Blocked, Bounce::Soft, Some("ev-1")),
            (EventKind::Dropped, Reason::Suppressed, Bounce::Hard, Some("ev-2")),
            (EventKind::Deferred, Reason::PolicyViolation, Bounce::Soft, Some("ev-3")),
            (EventKind::Other, Reason::Undefined, Bounce::None, Some("ev-4")),
        ]
    );
    assert_eq!(events[0].message_id.as_deref(), Some("sg-1"));
    assert_eq!(events[0].provider_category.as_deref(), Some("Reputation"));
    assert_eq!(events[1].timestamp, Some(1_700_000_000_123_000));
    assert!(events[1].reply.is_none());
    assert_eq!(events[2].decision.as_ref().and_then(|d| d.delay), Some(300));
    let e = error(&json!([{"event": "bounce", "email": 7}]), None);
    assert_eq!((e.provider, e.field.as_deref()), (Some(Provider::SendGrid), Some("[0].email")));
    assert_eq!(e.message, "SendGrid bounce event: invalid field '[0].email': expected a string, got a number");
}

#[test]
fn mailgun_events() {
    let failed = json!({"signature": {"token": "t"}, "event-data": {
        "id": "mg-1", "event": "failed", "severity": "permanent", "reason": "suppress-bounce", "recipient": "a@example.com",
        "timestamp": 1_700_000_000.25, "message": {"headers": {"message-id": "msg@example.com"}},
        "delivery-status": {"code": 605, "message": "", "description": "Not delivering to previously bounced address"}}});
    let e = one(&failed);
    assert_eq!(
        (e.event, e.reason, e.bounce, e.reply.is_none()),
        (EventKind::Dropped, Reason::Suppressed, Bounce::Hard, true)
    );
    assert_eq!((e.id.as_deref(), e.message_id.as_deref()), (Some("mg-1"), Some("msg@example.com")));
    assert_eq!(e.timestamp, Some(1_700_000_000_250_000));
    assert!(e.raw.get("signature").is_none() && e.raw["event"] == "failed");
    assert_eq!(parse(&failed["event-data"]), vec![e]);

    let temporary = one(&json!({"event": "failed", "recipient": "b@example.com", "reason": "generic",
        "delivery-status": {"code": 452, "enhanced-code": "4.2.2", "message": "Mailbox full"}}));
    assert_eq!(
        (temporary.event, temporary.reason, temporary.bounce),
        (EventKind::Deferred, Reason::MailboxFull, Bounce::Soft)
    );
    let code = temporary.reply.as_ref().and_then(|r| r.code()).map(|c| c.value());
    assert_eq!((code, temporary.id), (Some(452), None));

    let e = error(
        &json!({"event-data": {"event": "failed", "recipient": "a@example.com", "delivery-status": {"code": "abc"}}}),
        None,
    );
    assert_eq!(e.field.as_deref(), Some("event-data.delivery-status.code"));
    assert_eq!(
        e.message,
        "Mailgun failed event: invalid field 'event-data.delivery-status.code': expected an integer, got 'abc'"
    );
}

#[test]
fn postmark_records() {
    let bounce = one(
        &json!({"RecordType": "Bounce", "ID": 4_323_372_036_854_775_807_i64, "TypeCode": 4096, "Email": "a@example.com",
        "Details": "smtp;552 5.2.2 over quota", "BouncedAt": "2024-03-01T10:00:00.1234567-05:00", "MessageID": "pm-1"}),
    );
    assert_eq!(bounce.id.as_deref(), Some("Bounce:4323372036854775807"));
    assert_eq!(
        (bounce.provider_category.as_deref(), bounce.reason, bounce.bounce),
        (Some("SoftBounce"), Reason::MailboxFull, Bounce::Soft)
    );
    assert_eq!(bounce.timestamp, Some(1_709_305_200_123_456));
    let auto = one(
        &json!({"RecordType": "Bounce", "Type": "AutoResponder", "Email": "a@example.com", "Details": "smtp;550 5.1.1 nope"}),
    );
    assert_eq!((auto.event, auto.reason, auto.id), (EventKind::Other, Reason::Vacation, None));
    let delivery = one(&json!({"RecordType": "Delivery", "Recipient": "b@example.com", "MessageID": "pm-2",
        "DeliveredAt": "2024-03-01T10:00:00Z", "Details": "Test delivery webhook details"}));
    assert_eq!((delivery.event, delivery.reply.is_none()), (EventKind::Delivery, true));
    assert_eq!(delivery.id.as_deref(), Some("Delivery:pm-2:b@example.com:2024-03-01T10:00:00Z"));
    let e = error(&json!({"RecordType": "Bounce", "Email": "a@example.com"}), Some("postmark"));
    assert_eq!(
        (e.message.as_str(), e.field.as_deref()),
        ("Postmark bounce webhook: missing field 'Type'", Some("Type"))
    );
}

#[test]
fn sparkpost_events() {
    let events = parse(&json!([
        {"msys": {"message_event": {"type": "bounce", "event_id": "sp-1", "bounce_class": "10", "rcpt_to": "a@example.com",
            "error_code": "550", "raw_reason": "550 5.1.1 user unknown", "timestamp": "1700000000", "message_id": "spm-1"}}},
        {"msys": {}},
        {"msys": {"track_event": {"type": "open", "event_id": "sp-2", "rcpt_to": "b@example.com"}, "unknown": null}},
    ]));
    let got: Vec<_> =
        events.iter().map(|e| (e.event, e.reason, e.id.as_deref(), e.provider_category.as_deref())).collect();
    assert_eq!(
        got,
        [
            (EventKind::Bounce, Reason::UserUnknown, Some("sp-1"), Some("10")),
            (EventKind::Other, Reason::Undefined, Some("sp-2"), None)
        ]
    );
    assert_eq!(events[0].timestamp, Some(1_700_000_000_000_000));
    let e = error(
        &json!([{"msys": {"message_event": {"type": "bounce", "rcpt_to": "a@example.com", "bounce_class": "ten"}}}]),
        None,
    );
    assert_eq!(
        e.message,
        "SparkPost bounce event: invalid field '[0].msys.message_event.bounce_class': expected an integer, got 'ten'"
    );
}

#[test]
fn payload_errors() {
    let e = parse_webhook(b"[]", Some("mandrill")).unwrap_err();
    assert_eq!(e.message, format!("unknown provider 'mandrill'; known providers: {KNOWN}"));
    assert_eq!(parse_webhook(b" sEs ", Some(" SES ")).unwrap_err().message.split(':').next(), Some("SES webhook"));
    let e = parse_webhook(b"\xff{", None).unwrap_err();
    assert!(e.message.starts_with("webhook payload: not UTF-8 text ("), "{e}");
    let e = parse_webhook(b"{\"event\": ", Some("sendgrid")).unwrap_err();
    assert!(e.message.starts_with("SendGrid webhook: invalid JSON: "), "{e}");
    assert_eq!(
        parse_webhook(b"42", None).unwrap_err().message,
        "webhook payload: expected a JSON object or array, got a number"
    );
    let e = error(&json!({"hello": "world"}), None);
    assert_eq!(
        e.message,
        format!("unrecognised webhook payload (an object with keys ['hello']); known providers: {KNOWN}")
    );
    assert_eq!(
        error(&json!([1, 2]), None).message,
        format!("unrecognised webhook payload (an array of a number); known providers: {KNOWN}")
    );
    let e = error(&json!([{"event": "bounce", "email": "a@example.com"}, "oops"]), None);
    assert_eq!(
        (e.message.as_str(), e.field.as_deref()),
        ("SendGrid webhook: invalid field '[1]': expected an object, got a string", Some("[1]"))
    );
    assert_eq!(parse_webhook(b"\xEF\xBB\xBF[]", None), Ok(vec![]));
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(parse_webhook(deep.as_bytes(), None).unwrap_err().message.contains("JSON"));
    assert_eq!(
        WebhookError::too_deep(Some(Provider::Postmark)).message,
        "Postmark webhook: the payload is nested too deeply (more than 128 levels)"
    );
}

/// The ids are the provider's, so a re-delivered webhook gives the same ids, and unique per
/// recipient, so that each event can be stored once.
#[test]
fn ids_are_stable_and_unique_per_recipient() {
    let payload = ses_bounce(&["a@example.com", "b@example.com", "c@example.com"]);
    let first: Vec<_> = parse(&payload).into_iter().map(|e| e.id).collect();
    let again: Vec<_> = parse(&payload).into_iter().map(|e| e.id).collect();
    assert_eq!(first, again);
    assert_eq!(
        first,
        [Some("fb-1:a@example.com".into()), Some("fb-1:b@example.com".into()), Some("fb-1:c@example.com".into())]
    );
    // one recipient: the provider's id as it is
    assert_eq!(one(&ses_bounce(&["a@example.com"])).id.as_deref(), Some("fb-1"));
    // the same notification through SNS gives the same ids
    let sns = json!({"Type": "Notification", "TopicArn": "arn", "Message": payload.to_string()});
    assert_eq!(parse(&sns).into_iter().map(|e| e.id).collect::<Vec<_>>(), first);
    // no id in the payload, no id
    let mut bare = ses_bounce(&["a@example.com"]);
    bare["bounce"].as_object_mut().map(|b| b.remove("feedbackId"));
    bare["mail"].as_object_mut().map(|m| m.remove("messageId"));
    assert_eq!(one(&bare).id, None);
}

#[test]
fn decide_event_without_a_reply() {
    let d = |event, category| decide_event(event, None, Reason::Undefined, Bounce::Hard, category).map(|d| d.action);
    assert_eq!(d(EventKind::Bounce, None), Some(Action::Suppress));
    assert_eq!(d(EventKind::Complaint, Some("abuse")), Some(Action::Suppress));
    assert_eq!(d(EventKind::Complaint, Some("not-spam")), Some(Action::Delivered));
    assert_eq!(d(EventKind::Delivery, None), Some(Action::Delivered));
    assert_eq!(d(EventKind::Other, None), None);
}

#[test]
fn tables_match_the_file_and_cover_the_documented_codes() {
    for (p, t) in Provider::ALL.iter().zip(&tables::TABLES) {
        assert_eq!(p.name(), t.name);
    }
    assert_eq!(tables_gen::PROVIDERS.to_vec(), Provider::ALL.map(Provider::name).to_vec());
    let documented = [1, 10, 20, 21, 22, 23, 24, 25, 30, 40, 50, 51, 52, 53, 54, 60, 70, 80, 90, 100];
    for code in documented {
        assert!(tables::category(Provider::SparkPost, "bounce_class", Some(&code.to_string())).is_some(), "{code}");
    }
    let postmark: Vec<i64> = (0..200_000).filter(|&c| tables::postmark_type(c).is_some()).collect();
    assert_eq!(
        postmark,
        [
            1, 2, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 100000, 100001, 100002, 100003, 100006,
            100007, 100008, 100009, 100010
        ]
    );
    for key in [
        "Undetermined/Undetermined",
        "Permanent/General",
        "Permanent/NoEmail",
        "Permanent/Suppressed",
        "Permanent/OnAccountSuppressionList",
        "Transient/General",
        "Transient/MailboxFull",
        "Transient/MessageTooLarge",
        "Transient/ContentRejected",
        "Transient/AttachmentRejected",
    ] {
        assert!(tables::category(Provider::Ses, "bounce", Some(key)).is_some(), "{key}");
    }
    for code in [498, 605, 606, 607, 625] {
        assert!(tables::mailgun_pseudo(code).is_some(), "{code}");
    }
    // the loose match: case, spaces and punctuation do not count
    let c = tables::category(Provider::SendGrid, "classification", Some("frequency or volume too high"));
    assert_eq!(c.map(|c| c.reason), Some(Reason::RateLimited));
    assert_eq!(tables::event(Provider::Ses, Some("rendering-failure")), EventKind::Dropped);
    assert_eq!(tables::event(Provider::Ses, Some("Nope")), EventKind::Other);
}

#[test]
fn tables_refuse_unknown_reasons_bounces_and_events() {
    let text = include_str!("../../data/webhooks.toml");
    let reason = |v: &str| Reason::from_value(v).map(|r| format!("Reason::{r:?}"));
    assert!(tables_gen::generate(text, &reason).is_ok());
    let bad = text.replace(
        r#""Permanent/General" = { reason = "undefined""#,
        r#""Permanent/General" = { reason = "no-such-reason""#,
    );
    assert_ne!(bad, text);
    assert!(tables_gen::generate(&bad, &reason).unwrap_err().contains("no-such-reason"));
    let bad = text.replacen("bounce = \"bounce\"", "bounce = \"bounced\"", 1);
    assert!(tables_gen::generate(&bad, &reason).unwrap_err().contains("\"bounced\" is not an event"));
    let bad = text.replacen("bounce = \"hard\" }", "bounce = \"firm\" }", 1);
    assert!(tables_gen::generate(&bad, &reason).unwrap_err().contains("firm"));
    let bad = text.replace("same_as = \"suppress-bounce\"", "same_as = \"suppress-nothing\"");
    assert!(tables_gen::generate(&bad, &reason).unwrap_err().contains("suppress-nothing"));
    let bad = format!(
        "{text}\n[sendgrid.dropped2]\n\"A b\" = {{ reason = \"undefined\", bounce = \"hard\" }}\n\"a-B\" = {{ reason = \"undefined\", bounce = \"hard\" }}\n"
    );
    assert!(tables_gen::generate(&bad, &reason).unwrap_err().contains("same key"));
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;

    /// JSON made of the providers' field names and values that matter to them.
    fn json() -> impl Strategy<Value = Value> {
        let keys = prop::sample::select(vec![
            "notificationType",
            "eventType",
            "mail",
            "bounce",
            "bouncedRecipients",
            "emailAddress",
            "diagnosticCode",
            "status",
            "action",
            "bounceType",
            "bounceSubType",
            "complaint",
            "complainedRecipients",
            "delivery",
            "recipients",
            "smtpResponse",
            "deliveryDelay",
            "delayedRecipients",
            "timestamp",
            "messageId",
            "destination",
            "feedbackId",
            "Type",
            "Message",
            "source",
            "detail",
            "event",
            "email",
            "reason",
            "response",
            "type",
            "sg_event_id",
            "event-data",
            "recipient",
            "severity",
            "delivery-status",
            "code",
            "message",
            "enhanced-code",
            "RecordType",
            "Email",
            "TypeCode",
            "Details",
            "BouncedAt",
            "ID",
            "msys",
            "message_event",
            "rcpt_to",
            "bounce_class",
            "raw_reason",
            "error_code",
            "event_id",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
            prop::sample::select(vec![
                "Bounce",
                "Complaint",
                "Delivery",
                "DeliveryDelay",
                "Permanent",
                "Transient",
                "Suppressed",
                "failed",
                "temporary",
                "bounce",
                "blocked",
                "dropped",
                "delivered",
                "550 5.1.1 no such user",
                "smtp; 421 4.4.1 later",
                "5.1.1",
                "605",
                "498",
                "2016-01-27T14:59:38.237Z",
                "1454442600",
                "a@example.com",
                "Notification",
                "{\"notificationType\": \"Bounce\"}",
                "aws.ses",
                "HardBounce",
                "10",
                "60",
            ])
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys.clone(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    fn provider() -> impl Strategy<Value = Option<&'static str>> {
        prop::option::of(prop::sample::select(Provider::ALL.map(Provider::name).to_vec()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn arbitrary_bytes_give_events_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..200), provider in provider()) {
            let _ = parse_webhook(&bytes, provider);
        }

        #[test]
        fn arbitrary_json_gives_events_or_an_error(value in json(), provider in provider()) {
            let text = value.to_string();
            match parse_webhook(text.as_bytes(), provider) {
                Ok(events) => {
                    let again = parse_webhook(text.as_bytes(), provider);
                    prop_assert_eq!(again.as_ref(), Ok(&events));
                    for e in &events {
                        prop_assert_eq!(e.decision.is_none(), e.reply.is_none() && e.event == EventKind::Other);
                        prop_assert!(provider.is_none_or(|p| e.provider.name() == p));
                        if e.event == EventKind::Deferred {
                            prop_assert_eq!(e.bounce, Bounce::Soft);
                        }
                    }
                }
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    if let Some(field) = &e.field {
                        prop_assert!(e.message.contains(&format!("'{field}'")), "{}", e.message);
                    }
                }
            }
        }
    }
}
