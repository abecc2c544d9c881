"""Normalise the bounce, complaint and delivery webhooks of sending services.

:func:`parse` reads the event payloads of Amazon SES (an SNS notification, or the bare message
of SNS notifications and of event publishing), SendGrid (the Event Webhook's array), Mailgun
(``{"signature": ..., "event-data": ...}`` or the bare event-data), Postmark (bounce, spam
complaint and delivery webhooks) and SparkPost (the array of ``{"msys": ...}`` events), and
returns one :class:`BounceEvent` per recipient per event, in payload order. The reading is the
Rust core's (``src/webhooks/``); this module is its Python face.

>>> from smtpcodes import webhooks
>>> payload = '''[{"email": "bob@example.com", "timestamp": 1513299569, "event": "bounce",
...   "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", "type": "bounce",
...   "reason": "550 5.1.1 The email account that you tried to reach does not exist",
...   "status": "5.1.1", "bounce_classification": "Invalid Address"}]'''
>>> [event] = webhooks.parse(payload)
>>> event.provider, event.event, event.recipient, event.provider_category
('sendgrid', 'bounce', 'bob@example.com', 'Invalid Address')
>>> event.reply.code, event.reason, event.bounce, event.decision.action
(550, <Reason.USER_UNKNOWN: 'userunknown'>, <Bounce.HARD: 'hard'>, <Action.SUPPRESS: 'suppress'>)

What the fields hold
--------------------
``event`` is one of ``"bounce"`` (the message failed for this recipient), ``"deferred"`` (a
temporary failure; the service still retries), ``"complaint"`` (a spam complaint or feedback
report), ``"delivery"`` (the receiving server accepted the message), ``"dropped"`` (the service
refused to attempt delivery: a suppression list, a policy, a template that did not render) and
``"other"`` (opens, clicks, unsubscribes, auto-replies...).

``reply`` is set only when the provider passes on what a mail server said: SES's
``diagnosticCode`` / ``smtpResponse``, SendGrid's ``reason`` / ``response``, Mailgun's
``delivery-status`` (``code`` + ``message``, or ``enhanced-code``), Postmark's ``Details``
when it holds a reply, SparkPost's ``raw_reason`` (+ ``error_code``). An enhanced status
code with a text is enough (SES's ``status`` alone makes a reply too). Mailgun's own codes
(498, and every code from 600 up such as 605 "Not delivering to previously bounced address")
are not SMTP codes and never make a reply; nor do the provider's own descriptions (SendGrid's
drop reasons, Postmark's ``Description``). A 2xx reply reported with a failure is not the
reason of the failure and is left out. ``decision`` is ``smtpcodes.decide(reply, now=timestamp)``
when there is a reply (``now`` is the event's time, so that parsing is repeatable and
``retry_at`` counts from the event). Without a reply it is what the event itself says, with
its ``reason`` and ``bounce``: a complaint suppresses the address (unless its category is
feedback that is not a complaint, such as ``not-spam`` or ``auth-failure``), a delivery is delivered, a
bounce or drop is a permanent failure (a hard one suppresses the address, another gives up the
message), a deferral a temporary one (retry); ``"other"`` events (opens, clicks, auto-replies)
get ``None``. DSN recipients without a reply are decided the same way.

``id`` is the provider's own id of the event, unique per recipient and the same when the
provider delivers the webhook again (to store each event once): SES the bounce's or complaint's
``feedbackId`` (for other notifications ``<mail.messageId>:<eventType>`` and the time of the
event object), SendGrid ``sg_event_id``, Mailgun ``event-data.id``, Postmark
``<RecordType>:<ID>`` (``<RecordType>:<MessageID>:<recipient>`` and the time for records without
an ``ID``), SparkPost ``event_id``; ``:<recipient>`` is appended when one provider event names
several recipients (an SES bounce of two addresses). ``None`` when the payload has no id.

``provider_category`` is the provider's own classification as given: SES
``"bounceType/bounceSubType"`` (``"Permanent/NoEmail"``), ``delayType``, the complaint's
``complaintFeedbackType`` (or ``complaintSubType`` when set) and ``reject.reason``; SendGrid's
``bounce_classification`` (else ``type``) and a drop's ``reason``; Mailgun's ``reason``;
Postmark's ``Type``; SparkPost's ``bounce_class`` (or ``fbtype`` of a complaint).

How ``reason`` and ``bounce`` are decided
-----------------------------------------
The provider categories are tables of ``data/webhooks.toml`` (in the source tree, built into
the core); each maps a category to
a reason (Sisimai's names, ``data/reasons.toml``) and a bounce type, and says whether it
*overrides* the reply. In order:

1. A complaint is ``Reason.FEEDBACK`` and a delivery ``Reason.DELIVERED``, both ``Bounce.NONE``.
2. A category marked ``override`` wins whatever the reply says. These are the facts an SMTP
   reply cannot state: the address is on the service's suppression list (SES
   ``Suppressed`` / ``OnAccountSuppressionList``, Mailgun ``suppress-*``, SendGrid drops of
   bounced, unsubscribed or spam-reporting addresses, Postmark ``ManuallyDeactivated``,
   SparkPost admin failures: ``suppressed``, hard), the "bounce" is an auto-reply (``vacation``),
   Mailgun gave up retrying (``old``: ``expired``), SES found a virus (``virusdetected``).
3. Otherwise the reply's ``reason`` and ``bounce`` win when the reply has a reason (anything but
   ``undefined`` and ``onhold``): what the server said is more precise than the provider's
   bucket (SendGrid's "Invalid Address" covers syntax errors and unknown users alike).
4. Otherwise the category gives them (a transient reply caps the bounce at soft, and an
   ``unknown`` category bounce takes the reply's); with neither, the reason is ``undefined``.
5. A ``"deferred"`` event is soft (never hard nor unknown: it is still being retried), and a
   SendGrid ``"blocked"`` bounce (SendGrid's temporary denial) is never hard.

``decision`` judges the reply alone, as ``smtpcodes.decide`` does everywhere, so where a category
overrides the reply (a suppressed address, a SendGrid block) ``reason``/``bounce`` and the
decision can disagree: ``reason``/``bounce`` hold everything known about the address, the
decision what the reply alone implies.

A category may also change the event: SES ``Suppressed`` bounces, Mailgun ``suppress-*``
failures and Postmark ``ManuallyDeactivated`` bounces are ``"dropped"``; Postmark
``AutoResponder`` and SparkPost ``bounce_class`` 60 are ``"other"``.

Malformed payloads raise :class:`WebhookError`, which names the provider and the field:
``SES bounce notification: missing field 'bounce.bouncedRecipients'``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import smtpcodes
from smtpcodes._native import _parse_webhook, _webhook_decision
from smtpcodes._types import Error

__all__ = ["EVENTS", "PROVIDERS", "BounceEvent", "WebhookError", "parse"]

PROVIDERS: Final[tuple[str, ...]] = ("ses", "sendgrid", "mailgun", "postmark", "sparkpost")
"""The providers :func:`parse` knows, by the name its ``provider`` argument takes."""

EVENTS: Final[tuple[str, ...]] = ("bounce", "deferred", "complaint", "delivery", "dropped", "other")
"""The normalised event names of :attr:`BounceEvent.event`."""


class WebhookError(Error, ValueError):
    """A webhook payload is not what its provider sends: says which provider and which field.

    ``provider`` is the provider's name (``"ses"``...) when known, ``field`` the path of the
    field at fault (``"bounce.bouncedRecipients"``, ``"[2].email"``) when there is one.

    >>> from smtpcodes import webhooks
    >>> try:
    ...     webhooks.parse({"notificationType": "Bounce", "mail": {}, "bounce": {"bounceType": "Permanent"}})
    ... except webhooks.WebhookError as e:
    ...     print(e.provider, e.field, "|", e)
    ses bounce.bouncedRecipients | SES bounce notification: missing field 'bounce.bouncedRecipients'
    """

    def __init__(self, message: str, provider: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.provider, self.field))


@dataclass(frozen=True, slots=True)
class BounceEvent:
    """One recipient's event from a sending service's webhook, normalised.

    See the module documentation for what each field holds and how ``reason`` and ``bounce``
    are decided. ``raw`` is the provider's event object (for SES the notification message, for
    SendGrid, Mailgun, Postmark and SparkPost the event); it is left out of comparisons and the
    hash. ``id`` is the provider's id of the event (unique per recipient, stable across
    re-deliveries of the webhook).
    """

    provider: str
    event: str
    recipient: str | None
    reply: smtpcodes.Reply | None
    reason: smtpcodes.Reason
    bounce: smtpcodes.Bounce
    decision: smtpcodes.RetryDecision | None
    provider_category: str | None
    timestamp: datetime | None
    message_id: str | None
    raw: Mapping[str, Any] = field(compare=False, hash=False, repr=False)
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data: enums as their values, the time in ISO 8601.

        >>> from smtpcodes import webhooks
        >>> [e] = webhooks.parse({"RecordType": "Delivery", "Recipient": "ann@example.com",
        ...                       "DeliveredAt": "2021-02-21T16:34:52Z", "MessageID": "m-1"})
        >>> d = e.to_dict()
        >>> d["provider"], d["event"], d["reason"], d["bounce"], d["timestamp"], d["reply"]
        ('postmark', 'delivery', 'delivered', 'none', '2021-02-21T16:34:52+00:00', None)
        >>> d["id"]
        'Delivery:m-1:ann@example.com:2021-02-21T16:34:52Z'
        """
        return {
            "provider": self.provider,
            "event": self.event,
            "id": self.id,
            "recipient": self.recipient,
            "reply": self.reply.to_dict() if self.reply is not None else None,
            "reason": self.reason.value,
            "bounce": self.bounce.value,
            "decision": self.decision.to_dict() if self.decision is not None else None,
            "provider_category": self.provider_category,
            "timestamp": self.timestamp.isoformat() if self.timestamp is not None else None,
            "message_id": self.message_id,
            "raw": copy.deepcopy(dict(self.raw)),
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # RetryDecision does not pickle: the copy decides again from the other fields, as parse() did.
        fields = (self.provider, self.event, self.recipient, self.reply, self.reason, self.bounce)
        rest = (self.provider_category, self.timestamp, self.message_id, self.raw, self.id)
        return (_rebuild, (*fields, self.decision is not None, *rest))


def _rebuild(
    provider: str,
    event: str,
    recipient: str | None,
    reply: smtpcodes.Reply | None,
    reason: smtpcodes.Reason,
    bounce: smtpcodes.Bounce,
    decided: bool,
    provider_category: str | None,
    timestamp: datetime | None,
    message_id: str | None,
    raw: Mapping[str, Any],
    id: str | None = None,
) -> BounceEvent:
    """Unpickles a BounceEvent."""
    decision = None
    if decided:
        decision = _webhook_decision(event, reply, reason.value, bounce.value, provider_category, timestamp)
    return BounceEvent(
        provider, event, recipient, reply, reason, bounce, decision, provider_category, timestamp, message_id, raw, id
    )


def parse(
    payload: Mapping[str, Any] | Sequence[Any] | str | bytes | bytearray | memoryview,
    provider: str | None = None,
) -> list[BounceEvent]:
    """The events of a webhook payload, one :class:`BounceEvent` per recipient per event.

    ``payload`` is the request body, as JSON text (``str`` or ``bytes``) or already decoded.
    ``provider`` is one of :data:`PROVIDERS`; without it the provider is recognised from the
    payload's shape, and a payload of no known shape raises :class:`WebhookError`. A list is a
    batch (SendGrid's and SparkPost's webhooks post lists; a list of any provider's events is
    accepted too); an empty list has no events. SNS subscription confirmations and SparkPost's
    test ping (``{"msys": {}}``) have no events either.

    A Mailgun permanent failure to an address Mailgun suppresses: its code 605 is Mailgun's own,
    not an SMTP reply, so there is no reply and the category decides.

    >>> from smtpcodes import webhooks
    >>> [e] = webhooks.parse({"signature": {"token": "t", "timestamp": "1521233195", "signature": "s"},
    ...     "event-data": {"id": "G9Bn5sl1TC6nu79C8C0bwg", "event": "failed", "severity": "permanent",
    ...         "reason": "suppress-bounce", "recipient": "alice@example.com", "timestamp": 1521233195.375624,
    ...         "delivery-status": {"code": 605, "message": "", "attempt-no": 1,
    ...             "description": "Not delivering to previously bounced address"}}})
    >>> e.provider, e.event, e.reply, e.reason, e.bounce, e.provider_category
    ('mailgun', 'dropped', None, <Reason.SUPPRESSED: 'suppressed'>, <Bounce.HARD: 'hard'>, 'suppress-bounce')
    >>> e.timestamp.isoformat(), e.id
    ('2018-03-16T20:46:35.375624+00:00', 'G9Bn5sl1TC6nu79C8C0bwg')
    """
    if provider is not None and not isinstance(provider, str):
        provider = repr(provider)  # no provider's name: the core says which names it knows
    if isinstance(payload, memoryview):
        payload = bytes(payload)
    return [BounceEvent(*fields) for fields in _parse_webhook(payload, provider)]
