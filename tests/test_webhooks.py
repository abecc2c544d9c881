"""smtpcodes.webhooks: the webhook payloads of SES, SendGrid, Mailgun, Postmark and SparkPost.

The fixtures under tests/data/webhooks/ are the providers' documented examples (each file's
``_source`` names the page, ``_note`` says what was left out or constructed); the payload is
under ``payload``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smtpcodes
from smtpcodes import Action, Bounce, Reason, webhooks
from smtpcodes.webhooks import BounceEvent, WebhookError

DATA = Path(__file__).parent / "data" / "webhooks"
FIXTURES = sorted(p.name for p in DATA.glob("*.json"))


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))["payload"]


def one(payload: Any, provider: str | None = None) -> BounceEvent:
    events = webhooks.parse(payload, provider)
    assert len(events) == 1, events
    return events[0]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=timezone.utc)


# ------------------------------------------------------------------------------------------------
# The fixtures themselves


def test_every_fixture_names_its_source() -> None:
    assert len(FIXTURES) >= 20
    for name in FIXTURES:
        doc = json.loads((DATA / name).read_text(encoding="utf-8"))
        sources = doc["_source"] if isinstance(doc["_source"], list) else [doc["_source"]]
        assert sources and all(s.startswith("https://") for s in sources), name
        assert "payload" in doc, name


def _addresses(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _addresses(v)
    elif isinstance(value, list):
        for v in value:
            yield from _addresses(v)
    elif isinstance(value, str):
        if value.lstrip().startswith("{"):  # the SNS Message: JSON in a string
            yield from _addresses(json.loads(value))
        else:
            yield from re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", value)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixtures_use_example_domains(name: str) -> None:
    addresses = list(_addresses(load(name)))
    assert addresses
    for address in addresses:
        domain = address.rsplit("@", 1)[1]
        assert domain.split(".")[-2:] in (["example", "com"], ["example", "org"]), (name, address)


# ------------------------------------------------------------------------------------------------
# Amazon SES


def test_ses_sns_bounce_with_dsn() -> None:
    payload = load("ses_sns_bounce_with_dsn.json")
    e = one(payload)
    assert (e.provider, e.event, e.recipient) == ("ses", "bounce", "jane@example.com")
    assert e.reply is not None and (e.reply.code, str(e.reply.status)) == (550, "5.1.1")
    assert (e.reason, e.bounce) == (Reason.USER_UNKNOWN, Bounce.HARD)
    assert e.decision is not None and e.decision.action is Action.SUPPRESS
    assert e.provider_category == "Permanent/General"
    assert e.timestamp == utc(2016, 1, 27, 14, 59, 38, 237000)
    assert e.message_id == "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000"
    # raw is the SES message, not the SNS envelope
    assert e.raw["notificationType"] == "Bounce" and "TopicArn" not in e.raw


def test_ses_bounce_without_dsn_gives_one_event_per_bounced_recipient() -> None:
    events = webhooks.parse(load("ses_bounce_without_dsn.json"))
    assert [e.recipient for e in events] == ["jane@example.com", "richard@example.com"]
    for e in events:
        # No reply: the hard bounce itself says to suppress the address.
        assert e.reply is None and e.decision is not None and e.decision.action is Action.SUPPRESS
        assert (e.event, e.reason, e.bounce) == ("bounce", Reason.UNDEFINED, Bounce.HARD)
        assert e.provider_category == "Permanent/General"


def test_ses_complaint_notification() -> None:
    e = one(load("ses_complaint_with_feedback_report.json"))
    assert (e.event, e.recipient, e.reason, e.bounce) == ("complaint", "richard@example.com", Reason.FEEDBACK, Bounce.NONE)
    assert e.provider_category == "abuse" and e.reply is None
    assert e.decision is not None and e.decision.action is Action.SUPPRESS and e.decision.suppress
    assert "unwanted" in e.decision.explanation and e.decision.retry_at is None
    # A feedback type that is not a complaint (RFC 6430 not-spam) suppresses nothing.
    text = json.dumps(load("ses_complaint_with_feedback_report.json"))
    assert text.count('"abuse"') == 1
    n = one(json.loads(text.replace('"abuse"', '"not-spam"')))
    assert n.provider_category == "not-spam" and n.decision is not None
    assert n.decision.action is Action.DELIVERED and not n.decision.suppress


def test_ses_delivery_notification() -> None:
    e = one(load("ses_delivery.json"))
    assert (e.event, e.recipient, e.reason, e.bounce) == ("delivery", "jane@example.com", Reason.DELIVERED, Bounce.NONE)
    assert e.reply is not None and e.reply.code == 250
    assert e.decision is not None and e.decision.action is Action.DELIVERED


@pytest.mark.parametrize(
    ("name", "event", "reason", "bounce", "code"),
    [
        ("ses_event_bounce.json", "bounce", Reason.USER_UNKNOWN, Bounce.HARD, 550),
        ("ses_event_complaint.json", "complaint", Reason.FEEDBACK, Bounce.NONE, None),
        ("ses_event_delivery.json", "delivery", Reason.DELIVERED, Bounce.NONE, 250),
        ("ses_event_delivery_delay.json", "deferred", Reason.NETWORK_ERROR, Bounce.SOFT, 421),
        ("ses_event_reject.json", "dropped", Reason.VIRUS_DETECTED, Bounce.SOFT, None),
    ],
)
def test_ses_event_publishing_records(name: str, event: str, reason: Reason, bounce: Bounce, code: int | None) -> None:
    e = one(load(name))
    assert (e.provider, e.event, e.reason, e.bounce) == ("ses", event, reason, bounce)
    assert (e.reply.code if e.reply is not None else None) == code
    assert e.message_id == "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"


def test_ses_delivery_delay_decision_counts_from_the_event() -> None:
    e = one(load("ses_event_delivery_delay.json"))
    assert e.provider_category == "TransientCommunicationFailure"
    assert e.timestamp == utc(2020, 6, 16, 0, 25, 40, 95000)
    assert e.decision is not None and e.decision.action is Action.RETRY
    assert e.decision.delay is not None and e.decision.retry_at == e.timestamp + e.decision.delay


def test_ses_suppressed_is_a_hard_drop_whatever_the_reply() -> None:
    payload = load("ses_bounce_suppressed.json")
    e = one(payload)
    assert e.reply is not None and str(e.reply.status) == "5.1.1"
    assert (e.event, e.reason, e.bounce) == ("dropped", Reason.SUPPRESSED, Bounce.HARD)
    assert e.provider_category == "Permanent/OnAccountSuppressionList"
    payload["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = "smtp; 452 4.2.2 Mailbox full"
    e = one(payload)
    assert e.reply is not None and e.reply.reason is Reason.MAILBOX_FULL
    assert (e.event, e.reason, e.bounce) == ("dropped", Reason.SUPPRESSED, Bounce.HARD)


def _ses_bounce(bounce_type: str, sub_type: str, **recipient: str) -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "mail": {"messageId": "m-1", "timestamp": "2016-01-27T14:59:38.237Z"},
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [{"emailAddress": "ann@example.com", **recipient}],
        },
    }


@pytest.mark.parametrize(
    ("bounce_type", "sub_type", "event", "reason", "bounce"),
    [
        ("Permanent", "NoEmail", "bounce", Reason.USER_UNKNOWN, Bounce.HARD),
        ("Permanent", "Suppressed", "dropped", Reason.SUPPRESSED, Bounce.HARD),
        ("Transient", "MailboxFull", "bounce", Reason.MAILBOX_FULL, Bounce.SOFT),
        ("Transient", "MessageTooLarge", "bounce", Reason.MESG_TOO_BIG, Bounce.SOFT),
        ("Transient", "ContentRejected", "bounce", Reason.CONTENT_ERROR, Bounce.SOFT),
        ("Transient", "AttachmentRejected", "bounce", Reason.CONTENT_ERROR, Bounce.SOFT),
        ("Undetermined", "Undetermined", "bounce", Reason.UNDEFINED, Bounce.UNKNOWN),
        ("Permanent", "SomethingNew", "bounce", Reason.UNDEFINED, Bounce.HARD),
    ],
)
def test_ses_bounce_types_without_a_reply(
    bounce_type: str, sub_type: str, event: str, reason: Reason, bounce: Bounce
) -> None:
    e = one(_ses_bounce(bounce_type, sub_type))
    assert (e.event, e.reason, e.bounce, e.provider_category) == (event, reason, bounce, f"{bounce_type}/{sub_type}")


def test_ses_reply_wins_over_a_general_category() -> None:
    e = one(_ses_bounce("Transient", "General", status="4.2.2", diagnosticCode="smtp; 452 4.2.2 Mailbox full"))
    assert (e.reason, e.bounce) == (Reason.MAILBOX_FULL, Bounce.SOFT)
    assert e.decision is not None and e.decision.action is Action.RETRY


def test_ses_status_without_diagnostic_code_is_a_reply() -> None:
    e = one(_ses_bounce("Permanent", "General", status="5.1.1", action="failed"))
    assert e.reply is not None and e.reply.code is None and str(e.reply.status) == "5.1.1"
    assert (e.reason, e.bounce) == (Reason.USER_UNKNOWN, Bounce.HARD)


def test_ses_diagnostic_type_other_than_smtp_is_dropped_from_the_text() -> None:
    e = one(_ses_bounce("Permanent", "General", status="5.0.0", diagnosticCode="X-Postfix; unknown user"))
    assert e.reply is not None and (e.reply.code, str(e.reply.status), e.reply.text) == (None, "5.0.0", "unknown user")


def test_transient_reply_that_says_little_caps_a_hard_category() -> None:
    e = one(_ses_bounce("Permanent", "NoEmail", diagnosticCode="smtp; 450 please try again"))
    assert e.reply is not None and e.reply.reason is Reason.UNDEFINED
    assert (e.reason, e.bounce) == (Reason.USER_UNKNOWN, Bounce.SOFT)


def test_success_reply_is_not_the_reason_of_a_bounce() -> None:
    e = one(_ses_bounce("Permanent", "NoEmail", diagnosticCode="smtp; 250 2.0.0 OK queued"))
    assert (e.reply, e.reason, e.bounce) == (None, Reason.USER_UNKNOWN, Bounce.HARD)
    assert e.decision is not None and e.decision.action is Action.SUPPRESS  # from the bounce, not the 250


def test_naive_times_are_utc() -> None:
    payload = _ses_bounce("Permanent", "NoEmail")
    payload["mail"]["timestamp"] = "2016-01-27T14:05:45"
    assert one(payload).timestamp == utc(2016, 1, 27, 14, 5, 45)


def test_ses_delayed_recipient_is_deferred() -> None:
    e = one(_ses_bounce("Transient", "General", status="4.0.0", action="delayed"))
    assert (e.event, e.bounce) == ("deferred", Bounce.SOFT)


def test_ses_complaint_on_the_suppression_list_is_a_drop() -> None:
    payload = {
        "eventType": "Complaint",
        "mail": {"messageId": "m-1"},
        "complaint": {"complaintSubType": "OnAccountSuppressionList", "complainedRecipients": [{"emailAddress": "x@example.com"}]},
    }
    e = one(payload)
    assert (e.event, e.reason, e.bounce, e.provider_category) == ("dropped", Reason.SUPPRESSED, Bounce.HARD, "OnAccountSuppressionList")


def test_ses_sns_subscription_confirmation_has_no_events() -> None:
    payload = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37...",
        "TopicArn": "arn:aws:sns:us-west-2:123456789012:MyTopic",
        "Message": "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.",
        "SubscribeURL": "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription",
        "Timestamp": "2012-04-26T20:45:04.751Z",
    }
    assert webhooks.parse(payload) == []


def test_ses_eventbridge_event() -> None:
    detail = load("ses_event_bounce.json")
    payload = {"version": "0", "detail-type": "Email Bounced", "source": "aws.ses", "detail": detail}
    assert webhooks.parse(payload) == webhooks.parse(detail)


def test_ses_open_and_send_are_other_events_for_each_destination() -> None:
    payload = {"eventType": "Send", "mail": {"messageId": "m", "destination": ["a@example.com", "b@example.com"]}, "send": {}}
    events = webhooks.parse(payload)
    assert [(e.event, e.recipient, e.reason, e.bounce) for e in events] == [
        ("other", "a@example.com", Reason.UNDEFINED, Bounce.NONE),
        ("other", "b@example.com", Reason.UNDEFINED, Bounce.NONE),
    ]


# ------------------------------------------------------------------------------------------------
# SendGrid


def test_sendgrid_batch_of_documented_events() -> None:
    events = webhooks.parse(load("sendgrid_events.json"))
    assert [(e.event, e.reason, e.bounce, e.provider_category) for e in events] == [
        ("bounce", Reason.USER_UNKNOWN, Bounce.HARD, "Invalid Address"),
        ("bounce", Reason.USER_UNKNOWN, Bounce.SOFT, "Invalid Address"),  # type "blocked": never hard
        ("delivery", Reason.DELIVERED, Bounce.NONE, None),
        ("deferred", Reason.UNDEFINED, Bounce.SOFT, None),
        ("dropped", Reason.SUPPRESSED, Bounce.HARD, "Bounced Address"),
        ("other", Reason.UNDEFINED, Bounce.NONE, None),
        ("complaint", Reason.FEEDBACK, Bounce.NONE, None),
        ("other", Reason.UNDEFINED, Bounce.NONE, None),
        ("other", Reason.UNDEFINED, Bounce.NONE, None),
    ]
    assert {e.provider for e in events} == {"sendgrid"}
    assert events[0].reply is not None and (events[0].reply.code, str(events[0].reply.status)) == (500, "5.0.0")
    assert events[3].decision is not None and events[3].decision.action is Action.RETRY
    assert events[4].reply is None  # "Bounced Address" is SendGrid's drop reason, not a reply
    assert events[0].timestamp == utc(2017, 12, 15, 0, 59, 29)
    assert events[3].message_id == "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"  # stripped
    assert events[-1].recipient is None  # account_status_change has no recipient


def test_sendgrid_bounce_with_a_full_reply() -> None:
    e = one([{"email": "bob@example.com", "event": "bounce", "type": "bounce", "timestamp": 1513299569,
              "reason": "550 5.1.1 The email account that you tried to reach does not exist", "status": "5.1.1"}])
    assert (e.reason, e.bounce, e.reply.code if e.reply else None) == (Reason.USER_UNKNOWN, Bounce.HARD, 550)
    assert e.provider_category == "bounce"


def test_sendgrid_older_blocked_event() -> None:
    e = one([{"email": "bob@example.com", "event": "blocked", "timestamp": 1513299569,
              "reason": "554 5.7.1 Service unavailable; Client host blocked using Spamhaus", "status": "5.7.1"}])
    assert e.event == "bounce" and e.bounce is Bounce.SOFT and e.provider_category == "blocked"


@pytest.mark.parametrize(
    ("classification", "reason", "bounce"),
    [
        ("Mailbox Unavailable", Reason.SUSPEND, Bounce.SOFT),
        ("Reputation", Reason.BAD_REPUTATION, Bounce.SOFT),
        ("Content", Reason.SPAM_DETECTED, Bounce.SOFT),
        ("Frequency/Volume", Reason.RATE_LIMITED, Bounce.SOFT),
        ("Frequency or Volume Limits", Reason.RATE_LIMITED, Bounce.SOFT),
        ("frequency or volume too high", Reason.RATE_LIMITED, Bounce.SOFT),
        ("Technical Failure", Reason.SYSTEM_ERROR, Bounce.SOFT),
        ("Unclassified", Reason.UNDEFINED, Bounce.HARD),  # type "bounce" gives the bounce
    ],
)
def test_sendgrid_classification_when_the_reply_says_too_little(classification: str, reason: Reason, bounce: Bounce) -> None:
    e = one([{"email": "bob@example.com", "event": "bounce", "type": "bounce",
              "reason": "Message rejected", "bounce_classification": classification}])
    assert e.reply is None
    assert (e.reason, e.bounce, e.provider_category) == (reason, bounce, classification)


@pytest.mark.parametrize(
    ("reason_text", "reason", "bounce"),
    [
        ("Unsubscribed Address", Reason.SUPPRESSED, Bounce.HARD),
        ("Spam Reporting Address", Reason.SUPPRESSED, Bounce.HARD),
        ("Invalid Address", Reason.USER_UNKNOWN, Bounce.HARD),
        ("Spam Content", Reason.SPAM_DETECTED, Bounce.SOFT),
        ("Something SendGrid adds later", Reason.UNDEFINED, Bounce.UNKNOWN),
    ],
)
def test_sendgrid_drop_reasons(reason_text: str, reason: Reason, bounce: Bounce) -> None:
    e = one([{"email": "bob@example.com", "event": "dropped", "reason": reason_text, "status": "5.0.0"}])
    assert (e.event, e.reply, e.reason, e.bounce, e.provider_category) == ("dropped", None, reason, bounce, reason_text)


def test_sendgrid_single_event_object_and_millisecond_timestamps() -> None:
    e = one({"email": "bob@example.com", "event": "delivered", "timestamp": 1591726752372, "response": "250 Ok"})
    assert e.timestamp == utc(2020, 6, 9, 18, 19, 12, 372000)


# ------------------------------------------------------------------------------------------------
# Mailgun


def test_mailgun_pseudo_code_605_is_not_a_reply() -> None:
    e = one(load("mailgun_permanent_fail_suppress_bounce.json"))
    assert (e.provider, e.event, e.recipient) == ("mailgun", "dropped", "alice@example.com")
    assert e.reply is None and e.decision is not None and e.decision.action is Action.SUPPRESS
    assert (e.reason, e.bounce, e.provider_category) == (Reason.SUPPRESSED, Bounce.HARD, "suppress-bounce")
    assert e.message_id == "20130503192659.13651.20287@example.com"
    assert e.timestamp == utc(2018, 3, 16, 20, 46, 35, 375624)
    assert e.raw["event"] == "failed"  # the event-data, without the signature
    assert "signature" not in e.raw


def test_mailgun_pseudo_code_alone_stands_for_its_reason() -> None:
    payload = {"event-data": {"event": "failed", "severity": "permanent", "recipient": "a@example.com",
                              "delivery-status": {"code": 607, "message": "",
                                                  "description": "Not delivering to a user who marked your messages as spam"}}}
    e = one(payload)
    assert (e.event, e.reply, e.reason, e.provider_category) == ("dropped", None, Reason.SUPPRESSED, "suppress-complaint")


def test_mailgun_pseudo_code_498_is_not_a_reply() -> None:
    e = one(load("mailgun_failed_temporary_no_mx.json"))
    assert (e.event, e.reply) == ("deferred", None)
    assert e.decision is not None and e.decision.action is Action.RETRY  # the deferral itself
    assert (e.reason, e.bounce, e.provider_category) == (Reason.UNDEFINED, Bounce.SOFT, "generic")


def test_mailgun_permanent_bounce_joins_code_and_message() -> None:
    e = one(load("mailgun_failed_permanent_bounce.json"))
    assert e.reply is not None and (e.reply.code, str(e.reply.status)) == (550, "5.1.1")
    assert e.reply.text.startswith("The email account that you tried to reach does not exist.")
    assert (e.event, e.reason, e.bounce) == ("bounce", Reason.USER_UNKNOWN, Bounce.HARD)
    assert e.decision is not None and e.decision.action is Action.SUPPRESS


def test_mailgun_delivered_and_complained() -> None:
    d = one(load("mailgun_delivered.json"))
    assert (d.event, d.reason, d.reply.code if d.reply else None) == ("delivery", Reason.DELIVERED, 250)
    c = one(load("mailgun_complained.json"))
    assert (c.event, c.recipient, c.reason, c.bounce) == ("complaint", "alice@example.com", Reason.FEEDBACK, Bounce.NONE)


def test_mailgun_bare_event_data_is_recognised() -> None:
    wrapped = load("mailgun_failed_permanent_bounce.json")
    assert webhooks.parse(wrapped["event-data"]) == webhooks.parse(wrapped)


def test_mailgun_enhanced_code_and_temporary_severity() -> None:
    payload = {"event": "failed", "severity": "temporary", "reason": "generic", "recipient": "a@example.com",
               "timestamp": 1534111899.659519,
               "delivery-status": {"code": 452, "enhanced-code": "4.2.2", "message": "Mailbox full"}}
    e = one(payload, "mailgun")
    assert e.reply is not None and (e.reply.code, str(e.reply.status)) == (452, "4.2.2")
    assert (e.event, e.reason, e.bounce) == ("deferred", Reason.MAILBOX_FULL, Bounce.SOFT)


def test_mailgun_code_as_float_and_mismatched_enhanced_code() -> None:
    payload = {"event": "failed", "severity": "permanent", "reason": "bounce", "recipient": "a@example.com",
               "delivery-status": {"code": 550.0, "enhanced-code": "4.2.2", "message": "Recipient rejected"}}
    e = one(payload, "mailgun")
    assert e.reply is not None and (e.reply.code, e.reply.status) == (550, None)  # 4.x.x cannot go with 550
    assert e.bounce is Bounce.HARD


def test_mailgun_gave_up_is_expired() -> None:
    payload = {"event": "failed", "severity": "permanent", "reason": "old", "recipient": "a@example.com",
               "delivery-status": {"code": 421, "message": "4.4.2 Connection timed out"}}
    e = one(payload, "mailgun")
    assert (e.event, e.reason, e.bounce) == ("bounce", Reason.EXPIRED, Bounce.SOFT)


# ------------------------------------------------------------------------------------------------
# Postmark


def test_postmark_documented_hard_bounce() -> None:
    e = one(load("postmark_bounce.json"))
    assert (e.provider, e.event, e.recipient) == ("postmark", "bounce", "john@example.com")
    assert e.reply is None  # "Test bounce details" is no SMTP reply
    assert (e.reason, e.bounce, e.provider_category) == (Reason.USER_UNKNOWN, Bounce.HARD, "HardBounce")
    assert e.timestamp == utc(2019, 11, 5, 16, 33, 54, 907025)
    assert e.message_id == "883953f4-6105-42a2-a16a-77a8eac79483"


def test_postmark_spam_complaint_and_delivery() -> None:
    c = one(load("postmark_spam_complaint.json"))
    assert (c.event, c.reason, c.bounce, c.provider_category) == ("complaint", Reason.FEEDBACK, Bounce.NONE, "SpamComplaint")
    d = one(load("postmark_delivery.json"))
    assert (d.event, d.recipient, d.reason, d.reply) == ("delivery", "john@example.com", Reason.DELIVERED, None)
    assert d.timestamp == utc(2021, 2, 21, 16, 34, 52)


def _postmark(type_name: str | None = None, type_code: int | None = None, details: str = "") -> dict[str, Any]:
    payload: dict[str, Any] = {"RecordType": "Bounce", "Email": "ann@example.com", "Details": details,
                               "BouncedAt": "2014-08-01T13:28:10.2735393-04:00", "MessageID": "m-1"}
    if type_name is not None:
        payload["Type"] = type_name
    if type_code is not None:
        payload["TypeCode"] = type_code
    return payload


@pytest.mark.parametrize(
    ("type_name", "event", "reason", "bounce"),
    [
        ("Transient", "deferred", Reason.NETWORK_ERROR, Bounce.SOFT),
        ("SoftBounce", "bounce", Reason.UNDEFINED, Bounce.SOFT),
        ("DnsError", "deferred", Reason.NETWORK_ERROR, Bounce.SOFT),
        ("AutoResponder", "other", Reason.VACATION, Bounce.NONE),
        ("SpamNotification", "bounce", Reason.SPAM_DETECTED, Bounce.SOFT),
        ("ManuallyDeactivated", "dropped", Reason.SUPPRESSED, Bounce.HARD),
        ("Blocked", "bounce", Reason.BLOCKED, Bounce.SOFT),
        ("DMARCPolicy", "bounce", Reason.AUTH_FAILURE, Bounce.SOFT),
        ("BadEmailAddress", "bounce", Reason.USER_UNKNOWN, Bounce.HARD),
        ("VirusNotification", "bounce", Reason.VIRUS_DETECTED, Bounce.SOFT),
        ("Unknown", "bounce", Reason.UNDEFINED, Bounce.UNKNOWN),
    ],
)
def test_postmark_bounce_types(type_name: str, event: str, reason: Reason, bounce: Bounce) -> None:
    e = one(_postmark(type_name))
    assert (e.event, e.reason, e.bounce, e.provider_category) == (event, reason, bounce, type_name)
    assert e.timestamp == utc(2014, 8, 1, 17, 28, 10, 273539)


def test_postmark_type_code_when_the_type_is_missing() -> None:
    e = one(_postmark(type_code=4096))
    assert (e.provider_category, e.bounce) == ("SoftBounce", Bounce.SOFT)


def test_postmark_unknown_type_code_is_kept() -> None:
    e = one(_postmark(type_code=999))
    assert (e.provider_category, e.reason, e.bounce) == ("999", Reason.UNDEFINED, Bounce.UNKNOWN)


def test_postmark_details_holding_a_reply_decide() -> None:
    e = one(_postmark("SoftBounce", details="smtp;552 5.2.2 The email account that you tried to reach is over quota."))
    assert e.reply is not None and e.reply.code == 552
    assert (e.reason, e.bounce) == (Reason.MAILBOX_FULL, Bounce.SOFT)
    # an auto-reply stays an auto-reply whatever the details say
    auto = one(_postmark("AutoResponder", details="smtp;550 5.1.1 user unknown"))
    assert (auto.event, auto.reason) == ("other", Reason.VACATION)


def test_postmark_open_is_other() -> None:
    e = one({"RecordType": "Open", "Recipient": "ann@example.com", "ReceivedAt": "2019-11-05T16:33:54Z", "MessageID": "m"})
    assert (e.event, e.recipient, e.bounce) == ("other", "ann@example.com", Bounce.NONE)


# ------------------------------------------------------------------------------------------------
# SparkPost


def test_sparkpost_documented_samples() -> None:
    events = webhooks.parse(load("sparkpost_events.json"))
    assert [(e.event, e.reason, e.bounce, e.provider_category) for e in events] == [
        # the sample's raw_reason says nothing the core knows; bounce_class 10 decides
        ("bounce", Reason.USER_UNKNOWN, Bounce.HARD, "10"),
        ("complaint", Reason.FEEDBACK, Bounce.NONE, "abuse"),
        ("bounce", Reason.UNDEFINED, Bounce.UNKNOWN, "1"),
        ("dropped", Reason.SUPPRESSED, Bounce.HARD, "25"),
        ("other", Reason.UNDEFINED, Bounce.NONE, None),
    ]
    # error_code and raw_reason make the reply
    assert events[0].reply is not None and events[0].reply.code == 554
    assert events[0].reply.text == "MAIL REFUSED - IP (17.99.99.99) is in black list"
    assert events[0].timestamp == utc(2016, 2, 2, 19, 50)
    assert events[0].message_id == "000443ee14578172be22"
    assert events[0].raw["type"] == "bounce"  # the event object inside msys


def test_sparkpost_delay_delivery_bounce_rejection_and_ping() -> None:
    events = webhooks.parse(load("sparkpost_delay_delivery_rejection.json"))
    assert [(e.event, e.recipient, e.reason, e.bounce) for e in events] == [
        ("deferred", "recipient@nomx.example.com", Reason.HOST_UNKNOWN, Bounce.SOFT),
        ("delivery", "recipient@example.com", Reason.DELIVERED, Bounce.NONE),
        ("bounce", "bounce@example.com", Reason.USER_UNKNOWN, Bounce.HARD),
        ("dropped", "suppressed@example.com", Reason.POLICY_VIOLATION, Bounce.SOFT),
    ]  # the empty {"msys": {}} ping has no event
    assert events[0].decision is not None and events[0].decision.action is Action.RETRY
    assert events[1].message_id == "65832150921904138"  # no message_id: the transmission_id


def test_sparkpost_auto_reply_is_other() -> None:
    e = one([{"msys": {"message_event": {"type": "bounce", "bounce_class": "60", "rcpt_to": "v@example.com",
                                         "raw_reason": "550 5.1.1 out of office"}}}])
    assert (e.event, e.reason, e.bounce) == ("other", Reason.VACATION, Bounce.NONE)


def test_sparkpost_ping_alone() -> None:
    assert webhooks.parse([{"msys": {}}]) == []


# ------------------------------------------------------------------------------------------------
# Detection, input forms


DETECTED = {
    "ses_": "ses",
    "sendgrid_": "sendgrid",
    "mailgun_": "mailgun",
    "postmark_": "postmark",
    "sparkpost_": "sparkpost",
}


@pytest.mark.parametrize("name", FIXTURES)
def test_detection_and_explicit_provider_agree(name: str) -> None:
    provider = next(v for k, v in DETECTED.items() if name.startswith(k))
    payload = load(name)
    auto = webhooks.parse(payload)
    assert auto, name
    assert {e.provider for e in auto} == {provider}
    assert webhooks.parse(payload, provider) == auto
    assert webhooks.parse(payload, provider.upper()) == auto


@pytest.mark.parametrize("name", FIXTURES)
def test_json_text_and_bytes(name: str) -> None:
    payload = load(name)
    text = json.dumps(payload)
    expected = webhooks.parse(payload)
    assert webhooks.parse(text) == expected
    assert webhooks.parse(text.encode()) == expected
    assert webhooks.parse(bytearray(b"\xef\xbb\xbf" + text.encode())) == expected  # with a BOM


@pytest.mark.parametrize("name", FIXTURES)
def test_events_are_repeatable_and_timestamps_aware_utc(name: str) -> None:
    events = webhooks.parse(load(name))
    assert events == webhooks.parse(load(name))
    for e in events:
        assert e.event in webhooks.EVENTS
        assert e.provider in webhooks.PROVIDERS
        assert isinstance(e.reason, Reason) and isinstance(e.bounce, Bounce)
        assert (e.decision is None) == (e.reply is None and e.event == "other")
        if e.timestamp is not None:
            assert e.timestamp.utcoffset() == timedelta(0)


@pytest.mark.parametrize("provider", [None, *webhooks.PROVIDERS])
@pytest.mark.parametrize("payload", [[], "[]", b"[]", ()])
def test_empty_batch_has_no_events(provider: str | None, payload: Any) -> None:
    assert webhooks.parse(payload, provider) == []


def test_a_list_of_any_providers_events_is_a_batch() -> None:
    events = webhooks.parse([load("postmark_bounce.json"), load("postmark_delivery.json")])
    assert [e.event for e in events] == ["bounce", "delivery"]


# ------------------------------------------------------------------------------------------------
# Errors


def raises(payload: Any, provider: str | None = None) -> WebhookError:
    with pytest.raises(WebhookError) as info:
        webhooks.parse(payload, provider)
    err = info.value
    assert isinstance(err, smtpcodes.Error) and isinstance(err, ValueError)
    return err


def test_unknown_shape_names_the_known_providers() -> None:
    err = raises({"hello": "world"})
    for name in webhooks.PROVIDERS:
        assert name in str(err)
    assert "hello" in str(err)
    assert "ses" in str(raises([{"hello": "world"}]))
    assert "sendgrid" in str(raises([1, 2]))


def test_unknown_provider() -> None:
    err = raises([], "mandrill")
    assert "mandrill" in str(err) and "sparkpost" in str(err)


@pytest.mark.parametrize("payload", ['{"event": ', b"\xff\xfe{", "not json", "[1, 2", ""])
def test_invalid_json(payload: str | bytes) -> None:
    err = raises(payload)
    assert "JSON" in str(err) or "UTF-8" in str(err)
    assert "JSON" in str(raises(payload if isinstance(payload, str) else '{"x', "sendgrid"))


@pytest.mark.parametrize("payload", [42, None, "42", '"text"', "null", 3.5, True])
def test_payload_must_be_an_object_or_array(payload: Any) -> None:
    assert "expected a JSON object or array" in str(raises(payload))


BAD: list[tuple[str, Any, str, str]] = [
    # (provider, payload, field, words in the message)
    ("ses", {"notificationType": "Bounce", "mail": {}, "bounce": {"bounceType": "Permanent"}},
     "bounce.bouncedRecipients", "SES bounce notification: missing field 'bounce.bouncedRecipients'"),
    ("ses", {"notificationType": "Bounce", "mail": {}, "bounce": {"bounceType": "Permanent", "bouncedRecipients": {}}},
     "bounce.bouncedRecipients", "expected an array, got an object"),
    ("ses", {"notificationType": "Bounce", "mail": {}, "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{}]}},
     "bounce.bouncedRecipients[0].emailAddress", "missing field"),
    ("ses", {"notificationType": "Bounce", "mail": {}, "bounce": {"bounceType": "Permanent", "bouncedRecipients": [7]}},
     "bounce.bouncedRecipients[0]", "expected an object, got a number"),
    ("ses", {"notificationType": "Bounce", "mail": {},
             "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": 1}]}},
     "bounce.bouncedRecipients[0].emailAddress", "expected a string, got a number"),
    ("ses", {"notificationType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": []}},
     "mail", "missing field 'mail'"),
    ("ses", {"notificationType": "Bounce", "mail": {}}, "bounce", "missing field 'bounce'"),
    ("ses", {"notificationType": "Bounce", "mail": {}, "bounce": {"bouncedRecipients": []}},
     "bounce.bounceType", "missing field"),
    ("ses", {"mail": {}}, "notificationType", "SES notification: missing field 'notificationType'"),
    ("ses", {"notificationType": "Complaint", "mail": {}, "complaint": {}},
     "complaint.complainedRecipients", "SES complaint notification"),
    ("ses", {"notificationType": "Delivery", "mail": {}, "delivery": {"recipients": ["a@example.com", 5]}},
     "delivery.recipients[1]", "expected a string"),
    ("ses", {"eventType": "DeliveryDelay", "mail": {}, "deliveryDelay": {"delayedRecipients": None}},
     "deliveryDelay.delayedRecipients", "SES delivery delay notification"),
    ("ses", {"notificationType": "Bounce", "mail": {"timestamp": "yesterday"},
             "bounce": {"bounceType": "Permanent", "bouncedRecipients": []}},
     "mail.timestamp", "not a time"),
    ("ses", {"notificationType": "Bounce", "mail": [], "bounce": {}}, "mail", "expected an object, got an array"),
    ("ses", {"Type": "Notification", "Message": "{not json"}, "Message", "SES SNS notification"),
    ("ses", {"Type": "Notification", "Message": "[1]"}, "Message", "expected a JSON object"),
    ("ses", {"Type": "Notification", "TopicArn": "arn"}, "Message", "missing field 'Message'"),
    ("sendgrid", [{"event": "bounce", "email": "a@example.com"}, "oops"], "[1]", "expected an object, got a string"),
    ("sendgrid", [{"event": "bounce"}], "[0].email", "SendGrid bounce event: missing field '[0].email'"),
    ("sendgrid", [{"email": "a@example.com", "sg_event_id": "x"}], "[0].event", "missing field"),
    ("sendgrid", [{"event": "bounce", "email": "a@example.com", "timestamp": {"t": 1}}], "[0].timestamp",
     "expected a time"),
    ("sendgrid", [{"event": ["bounce"], "email": "a@example.com"}], "[0].event", "expected a string, got an array"),
    ("mailgun", {"signature": {}, "event-data": "failed"}, "event-data", "expected an object, got a string"),
    ("mailgun", {"event-data": {"event": "failed", "recipient": "a@example.com", "delivery-status": {"code": "abc"}}},
     "event-data.delivery-status.code", "expected an integer"),
    ("mailgun", {"event-data": {"event": "failed", "delivery-status": {"code": 550}}}, "event-data.recipient",
     "Mailgun failed event: missing field"),
    ("mailgun", {"event-data": {"event": "delivered", "recipient": "a@example.com", "delivery-status": []}},
     "event-data.delivery-status", "expected an object"),
    ("mailgun", {"event-data": {"event": "failed", "recipient": "a@example.com", "timestamp": True}},
     "event-data.timestamp", "expected a time"),
    ("postmark", {"Email": "a@example.com"}, "RecordType", "missing field 'RecordType'"),
    ("postmark", {"RecordType": "Bounce", "Type": "HardBounce"}, "Email", "Postmark bounce webhook: missing field 'Email'"),
    ("postmark", {"RecordType": "Bounce", "Email": "a@example.com"}, "Type", "missing field 'Type'"),
    ("postmark", {"RecordType": "Bounce", "Email": "a@example.com", "TypeCode": "one"}, "TypeCode", "expected an integer"),
    ("postmark", {"RecordType": "Delivery"}, "Recipient", "Postmark delivery webhook"),
    ("postmark", {"RecordType": "Bounce", "Email": "a@example.com", "Type": "HardBounce", "BouncedAt": "2019-13-45"},
     "BouncedAt", "not a time"),
    ("sparkpost", [{"msys": []}], "[0].msys", "expected an object, got an array"),
    ("sparkpost", [{"event": "bounce"}], "[0].msys", "missing field"),
    ("sparkpost", [{"msys": {"message_event": {"type": "bounce", "bounce_class": "10"}}}],
     "[0].msys.message_event.rcpt_to", "SparkPost bounce event: missing field"),
    ("sparkpost", [{"msys": {"message_event": {"type": "bounce", "rcpt_to": "a@example.com", "bounce_class": "ten"}}}],
     "[0].msys.message_event.bounce_class", "expected an integer"),
    ("sparkpost", [{"msys": {"message_event": "bounce"}}], "[0].msys.message_event", "expected an object"),
]


@pytest.mark.parametrize(("provider", "payload", "field", "words"), BAD)
def test_malformed_payloads_name_the_field(provider: str, payload: Any, field: str, words: str) -> None:
    for given in (provider, None):
        try:
            webhooks.parse(payload, given)
        except WebhookError as err:
            if given is None and err.provider is None:
                continue  # some of these shapes are not recognisable without the provider's name
            assert err.provider == provider
            assert err.field == field, str(err)
            assert f"'{field}'" in str(err)
            assert words in str(err)
            assert err.message == str(err)
        else:  # pragma: no cover - the test fails
            pytest.fail(f"no WebhookError for {payload!r} ({given})")


def _replacements(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) of a JSON document, skipping the bulky header lists."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("headers", "commonHeaders", "tags", "rcpt_tags", "user-variables"):
                yield from _replacements(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _replacements(v, path + (i,))


def _replace(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    doc = copy.deepcopy(doc)
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return doc


@pytest.mark.parametrize("name", FIXTURES)
def test_mangled_fixtures_raise_only_webhook_errors(name: str) -> None:
    """Any field of a documented payload replaced by null, a number, text, an array or an object:
    the result is events or a WebhookError, never a KeyError or TypeError."""
    original = load(name)
    for path, _ in _replacements(original):
        replacements: tuple[Any, ...] = (None, 7, -1.5, "x", "", [], {}, [{}], True)
        for new in replacements:
            mangled = _replace(original, path, new)
            try:
                events = webhooks.parse(mangled)
            except WebhookError:
                continue
            for e in events:
                json.dumps(e.to_dict())


KEYS = [
    "notificationType", "eventType", "mail", "bounce", "bouncedRecipients", "emailAddress", "diagnosticCode",
    "status", "action", "bounceType", "bounceSubType", "complaint", "complainedRecipients", "complaintSubType",
    "delivery", "recipients", "smtpResponse", "deliveryDelay", "delayedRecipients", "delayType", "timestamp",
    "messageId", "destination", "Type", "Message", "source", "detail", "event", "email", "reason", "response",
    "type", "bounce_classification", "sg_message_id", "event-data", "recipient", "severity", "delivery-status",
    "code", "message", "enhanced-code", "description", "headers", "message-id", "RecordType", "Email", "Type",
    "TypeCode", "Details", "BouncedAt", "MessageID", "Recipient", "DeliveredAt", "msys", "message_event",
    "gen_event", "rcpt_to", "bounce_class", "raw_reason", "error_code", "fbtype",
]
LEAVES = st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.floats() | st.text(max_size=8) | st.sampled_from(
    ["Bounce", "Complaint", "Delivery", "DeliveryDelay", "Permanent", "Transient", "Suppressed", "failed",
     "permanent", "temporary", "bounce", "blocked", "dropped", "deferred", "delivered", "550 5.1.1 no such user",
     "smtp; 421 4.4.1 later", "5.1.1", "605", "498", "2016-01-27T14:59:38.237Z", "1454442600", "a@example.com",
     "Notification", '{"notificationType": "Bounce"}', "aws.ses", "HardBounce", "10", "60"]
)
JSON = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payload=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6) | st.lists(JSON, max_size=3),
    provider=st.sampled_from([None, *webhooks.PROVIDERS]),
)
def test_random_payloads_raise_only_webhook_errors(payload: Any, provider: str | None) -> None:
    try:
        events = webhooks.parse(payload, provider)
    except WebhookError:
        return
    for e in events:
        json.dumps(e.to_dict())


def test_deeply_nested_payload() -> None:
    deep: Any = {"RecordType": "Bounce", "Email": "a@example.com", "Type": "HardBounce"}
    inner = deep
    for _ in range(100_000):
        inner["x"] = {}
        inner = inner["x"]
    assert "nested too deeply" in str(raises(deep, "postmark"))
    assert "JSON" in str(raises("[" * 100_000 + "]" * 100_000))


# ------------------------------------------------------------------------------------------------
# BounceEvent


@pytest.mark.parametrize("name", FIXTURES)
def test_to_dict_is_json(name: str) -> None:
    for e in webhooks.parse(load(name)):
        d = e.to_dict()
        assert json.loads(json.dumps(d)) == d
        assert set(d) == {f.name for f in dataclasses.fields(BounceEvent)}
        assert d["reason"] == e.reason.value and d["bounce"] == e.bounce.value
        assert d["reply"] == (e.reply.to_dict() if e.reply is not None else None)
        assert (d["decision"] is None) == (e.decision is None)
        if e.timestamp is not None:
            assert datetime.fromisoformat(d["timestamp"]) == e.timestamp


def test_bounce_event_is_frozen_and_hashable() -> None:
    e = one(load("ses_event_bounce.json"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.reason = Reason.DELIVERED  # type: ignore[misc]
    assert hash(e) == hash(one(load("ses_event_bounce.json")))
    assert len({e, one(load("ses_event_bounce.json"))}) == 1


@pytest.mark.parametrize("name", FIXTURES)
def test_bounce_events_pickle(name: str) -> None:
    for e in webhooks.parse(load(name)):
        copy_ = pickle.loads(pickle.dumps(e))
        assert copy_ == e and copy_.raw == e.raw
        if e.timestamp is not None:
            assert copy_.decision == e.decision


def test_raw_is_a_copy_of_the_event_object() -> None:
    payload = load("postmark_bounce.json")
    e = one(payload)
    payload["Email"] = "changed@example.com"
    payload["Metadata"]["a_key"] = "changed"
    assert e.raw["Email"] == "john@example.com" and e.raw["Metadata"]["a_key"] == "a_value"
    assert dataclasses.replace(e, raw={}) == e  # raw is left out of comparisons


def test_webhook_error_pickles() -> None:
    err = raises({"RecordType": "Bounce", "Type": "HardBounce"}, "postmark")
    copy_ = pickle.loads(pickle.dumps(err))
    assert (type(copy_), str(copy_), copy_.provider, copy_.field) == (WebhookError, str(err), "postmark", "Email")


# ------------------------------------------------------------------------------------------------
# The category tables: data/webhooks.toml, checked by build.rs and the Rust tests of
# src/webhooks/ (tables_match_the_file_and_cover_the_documented_codes,
# tables_refuse_unknown_reasons_bounces_and_events).


def test_category_tables_are_not_package_data() -> None:
    assert not (Path(webhooks.__file__).parent / "data" / "webhooks.toml").exists()


# ------------------------------------------------------------------------------------------------
# Event ids


@pytest.mark.parametrize("name", FIXTURES)
def test_ids_are_stable_across_deliveries(name: str) -> None:
    events = webhooks.parse(load(name))
    assert [e.id for e in events] == [e.id for e in webhooks.parse(json.dumps(load(name)).encode())]
    assert all(e.to_dict()["id"] == e.id for e in events)


def test_ids_are_unique_per_recipient() -> None:
    events = webhooks.parse(load("ses_bounce_without_dsn.json"))
    feedback_id = load("ses_bounce_without_dsn.json")["bounce"]["feedbackId"]
    assert [e.id for e in events] == [f"{feedback_id}:jane@example.com", f"{feedback_id}:richard@example.com"]
    [one_recipient] = webhooks.parse(load("ses_sns_bounce_with_dsn.json"))
    assert one_recipient.id == json.loads(load("ses_sns_bounce_with_dsn.json")["Message"])["bounce"]["feedbackId"]


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("sendgrid_events.json", 2, "rWVYmVk90MjZJ9iohOBa3w=="),
        ("mailgun_complained.json", 0, "-Agny091SquKnsrW2NEKUA"),
        ("postmark_bounce.json", 0, "Bounce:4323372036854775807"),
        ("postmark_spam_complaint.json", 0, "SpamComplaint:42"),
        ("sparkpost_delay_delivery_rejection.json", 3, "102360394390563734"),
        ("ses_event_delivery.json", 0, "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000:Delivery:2016-10-19T23:21:04.133Z"),
    ],
)
def test_ids_are_the_providers(name: str, index: int, expected: str) -> None:
    assert webhooks.parse(load(name))[index].id == expected
