"""Normalise the bounce, complaint and delivery webhooks of sending services.

:func:`parse` reads the event payloads of Amazon SES (an SNS notification, or the bare message
of SNS notifications and of event publishing), SendGrid (the Event Webhook's array), Mailgun
(``{"signature": ..., "event-data": ...}`` or the bare event-data), Postmark (bounce, spam
complaint and delivery webhooks) and SparkPost (the array of ``{"msys": ...}`` events), and
returns one :class:`BounceEvent` per recipient per event, in payload order.

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

``provider_category`` is the provider's own classification as given: SES
``"bounceType/bounceSubType"`` (``"Permanent/NoEmail"``), ``delayType``, the complaint's
``complaintFeedbackType`` (or ``complaintSubType`` when set) and ``reject.reason``; SendGrid's
``bounce_classification`` (else ``type``) and a drop's ``reason``; Mailgun's ``reason``;
Postmark's ``Type``; SparkPost's ``bounce_class`` (or ``fbtype`` of a complaint).

How ``reason`` and ``bounce`` are decided
-----------------------------------------
The provider categories are tables of ``smtpcodes/data/webhooks.toml``; each maps a category to
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

import dataclasses
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from importlib.resources import files
from typing import Any, Final, NoReturn

import smtpcodes
from smtpcodes._native import _decide_outcome, decide, try_parse
from smtpcodes._types import Bounce, Error, Reason

__all__ = ["EVENTS", "PROVIDERS", "BounceEvent", "WebhookError", "parse"]

PROVIDERS: Final[tuple[str, ...]] = ("ses", "sendgrid", "mailgun", "postmark", "sparkpost")
"""The providers :func:`parse` knows, by the name its ``provider`` argument takes."""

EVENTS: Final[tuple[str, ...]] = ("bounce", "deferred", "complaint", "delivery", "dropped", "other")
"""The normalised event names of :attr:`BounceEvent.event`."""

_NAMES: Final[dict[str, str]] = {
    "ses": "SES",
    "sendgrid": "SendGrid",
    "mailgun": "Mailgun",
    "postmark": "Postmark",
    "sparkpost": "SparkPost",
}
_KNOWN: Final[str] = "ses (Amazon SES, SNS or event publishing), sendgrid, mailgun, postmark, sparkpost"


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
    hash.
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

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data: enums as their values, the time in ISO 8601.

        >>> from smtpcodes import webhooks
        >>> [e] = webhooks.parse({"RecordType": "Delivery", "Recipient": "ann@example.com",
        ...                       "DeliveredAt": "2021-02-21T16:34:52Z", "MessageID": "m-1"})
        >>> d = e.to_dict()
        >>> d["provider"], d["event"], d["reason"], d["bounce"], d["timestamp"], d["reply"]
        ('postmark', 'delivery', 'delivered', 'none', '2021-02-21T16:34:52+00:00', None)
        """
        return {
            "provider": self.provider,
            "event": self.event,
            "recipient": self.recipient,
            "reply": _jsonable(self.reply.to_dict()) if self.reply is not None else None,
            "reason": self.reason.value,
            "bounce": self.bounce.value,
            "decision": _jsonable(self.decision.to_dict()) if self.decision is not None else None,
            "provider_category": self.provider_category,
            "timestamp": self.timestamp.isoformat() if self.timestamp is not None else None,
            "message_id": self.message_id,
            "raw": _jsonable(self.raw),
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # RetryDecision does not pickle: the copy decides again from the reply, as parse() did.
        fields = (self.provider, self.event, self.recipient, self.reply, self.reason, self.bounce)
        rest = (self.provider_category, self.timestamp, self.message_id, _copy(self.raw))
        return (_rebuild, (*fields, self.decision is not None, *rest))


def _rebuild(
    provider: str,
    event: str,
    recipient: str | None,
    reply: smtpcodes.Reply | None,
    reason: Reason,
    bounce: Bounce,
    decided: bool,
    provider_category: str | None,
    timestamp: datetime | None,
    message_id: str | None,
    raw: Mapping[str, Any],
) -> BounceEvent:
    """Unpickles a BounceEvent."""
    decision = _decide(event, reply, reason, bounce, provider_category, timestamp) if decided else None
    return BounceEvent(
        provider, event, recipient, reply, reason, bounce, decision, provider_category, timestamp, message_id, raw
    )


def parse(
    payload: Mapping[str, Any] | Sequence[Any] | str | bytes | bytearray,
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
    ...     "event-data": {"event": "failed", "severity": "permanent", "reason": "suppress-bounce",
    ...         "recipient": "alice@example.com", "timestamp": 1521233195.375624,
    ...         "delivery-status": {"code": 605, "message": "", "attempt-no": 1,
    ...             "description": "Not delivering to previously bounced address"}}})
    >>> e.provider, e.event, e.reply, e.reason, e.bounce, e.provider_category
    ('mailgun', 'dropped', None, <Reason.SUPPRESSED: 'suppressed'>, <Bounce.HARD: 'hard'>, 'suppress-bounce')
    >>> e.timestamp.isoformat()
    '2018-03-16T20:46:35.375624+00:00'
    """
    if provider is not None and (not isinstance(provider, str) or provider.strip().lower() not in PROVIDERS):
        raise WebhookError(f"unknown provider {provider!r}; known providers: {_KNOWN}")
    data = _decode(payload, provider)
    name = provider.strip().lower() if provider is not None else _detect(data)
    try:
        if isinstance(data, Mapping):
            return _PARSERS[name](data, ())
        events: list[BounceEvent] = []
        for index, item in enumerate(data):
            if not isinstance(item, Mapping):
                raise WebhookError(
                    f"{_NAMES[name]} webhook: invalid field '[{index}]': expected an object, got {_kind(item)}",
                    provider=name,
                    field=f"[{index}]",
                )
            events.extend(_PARSERS[name](item, (index,)))
        return events
    except RecursionError:
        raise WebhookError(f"{_NAMES[name]} webhook: the payload is nested too deeply", provider=name) from None


# ---------------------------------------------------------------------------------------------
# Decoding and detection


def _decode(payload: object, provider: object) -> Mapping[str, Any] | Sequence[Any]:
    who = provider.strip().lower() if isinstance(provider, str) else None
    prefix = f"{_NAMES[who]} webhook" if who in _NAMES else "webhook payload"
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            payload = bytes(payload).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise WebhookError(f"{prefix}: not UTF-8 text ({e})", provider=who) from None
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as e:
            raise WebhookError(f"{prefix}: invalid JSON: {e}", provider=who) from None
        except RecursionError:
            raise WebhookError(f"{prefix}: invalid JSON: nested too deeply", provider=who) from None
    if isinstance(payload, Mapping):
        return payload
    if isinstance(payload, Sequence) and not isinstance(payload, (str, bytes, bytearray)):
        return payload
    raise WebhookError(f"{prefix}: expected a JSON object or array, got {_kind(payload)}", provider=who)


def _detect(data: Mapping[str, Any] | Sequence[Any]) -> str:
    if isinstance(data, Mapping):
        return _detect_object(data, "an object")
    for item in data:
        if isinstance(item, Mapping):
            return _detect_object(item, "an array of objects")
        raise WebhookError(
            f"unrecognised webhook payload (an array of {_kind(item)}); known providers: {_KNOWN}"
        )
    return "sendgrid"  # an empty batch: no events whoever sent it


def _detect_object(obj: Mapping[str, Any], what: str) -> str:
    """The provider whose payload shape ``obj`` (the payload, or its first event) has."""
    found = _shape(obj)
    if found is not None:
        return found
    keys = sorted(str(k) for k in obj)[:8]
    raise WebhookError(f"unrecognised webhook payload ({what} with keys {keys}); known providers: {_KNOWN}")


def _shape(obj: Mapping[str, Any]) -> str | None:
    if obj.get("Type") in _SNS_TYPES and ("Message" in obj or "TopicArn" in obj):
        return "ses"
    if "notificationType" in obj or ("eventType" in obj and "mail" in obj):
        return "ses"
    if obj.get("source") == "aws.ses" and "detail" in obj:
        return "ses"
    if "event-data" in obj:
        return "mailgun"
    if "RecordType" in obj:
        return "postmark"
    if "msys" in obj:
        return "sparkpost"
    if "sg_event_id" in obj or "sg_message_id" in obj or ("event" in obj and "email" in obj):
        return "sendgrid"
    if "event" in obj and ("recipient" in obj or "severity" in obj or "log-level" in obj):
        return "mailgun"
    return None


_SNS_TYPES: Final = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")


# ---------------------------------------------------------------------------------------------
# Field access with paths


_Path = tuple[str | int, ...]


def _render(path: _Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "an array"
    return f"a {type(value).__name__}"


class _Node:
    """A JSON object of a payload, with its path and the words that name it in errors."""

    __slots__ = ("data", "path", "provider", "what")

    def __init__(self, data: Mapping[str, Any], path: _Path, provider: str, what: str) -> None:
        self.data = data
        self.path = path
        self.provider = provider
        self.what = what

    def fail(self, key: str | int | None, problem: str) -> NoReturn:
        """Raises the error; ``{field}`` in ``problem`` becomes the field's path."""
        where = _render(self.path + ((key,) if key is not None else ()))
        raise WebhookError(f"{self.what}: {problem.replace('{field}', where)}", self.provider, where or None)

    def missing(self, key: str) -> NoReturn:
        self.fail(key, "missing field '{field}'")

    def wrong(self, key: str | int, expected: str, value: object) -> NoReturn:
        self.fail(key, f"invalid field '{{field}}': expected {expected}, got {_kind(value)}")

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def string(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.missing(key)
            return None
        if not isinstance(value, str):
            self.wrong(key, "a string", value)
        return value

    def integer(self, key: str) -> int | None:
        """An integer, given as a number or a string of digits (SparkPost sends strings)."""
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.wrong(key, "an integer", value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
            return int(value)
        if isinstance(value, str):
            self.fail(key, f"invalid field '{{field}}': expected an integer, got {value[:40]!r}")
        self.wrong(key, "an integer", value)

    def obj(self, key: str, required: bool = False, what: str | None = None) -> _Node | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return None
        if not isinstance(value, Mapping):
            self.wrong(key, "an object", value)
        return _Node(value, self.path + (key,), self.provider, what or self.what)

    def array(self, key: str, required: bool = False) -> list[tuple[_Path, Any]]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return []
        if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
            self.wrong(key, "an array", value)
        return [(self.path + (key, i), item) for i, item in enumerate(value)]

    def objs(self, key: str, required: bool = False) -> list[_Node]:
        nodes = []
        for path, item in self.array(key, required):
            if not isinstance(item, Mapping):
                _Node(self.data, path[:-1], self.provider, self.what).wrong(path[-1], "an object", item)
            nodes.append(_Node(item, path, self.provider, self.what))
        return nodes

    def strings(self, key: str, required: bool = False) -> list[str]:
        out = []
        for path, item in self.array(key, required):
            if not isinstance(item, str):
                _Node(self.data, path[:-1], self.provider, self.what).wrong(path[-1], "a string", item)
            out.append(item)
        return out

    def time(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        when = _to_datetime(value)
        if when is None:
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                self.fail(key, f"invalid field '{{field}}': not a time: {str(value)[:40]!r}")
            self.wrong(key, "a time (ISO 8601 or Unix seconds)", value)
        return when


_NUMBER = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")


def _to_datetime(value: object) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text or Unix seconds (milliseconds when that large)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        value = float(value)
    if isinstance(value, (int, float)):
        seconds = float(value)
        if not math.isfinite(seconds):
            return None
        if abs(seconds) >= 1e11:  # SendGrid's Marketing Campaigns events use milliseconds
            seconds /= 1000
        try:
            return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
        except OverflowError:
            return None
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        try:
            return when.astimezone(timezone.utc)
        except (OverflowError, ValueError):
            return None
    return None


# ---------------------------------------------------------------------------------------------
# The category tables


@dataclass(frozen=True, slots=True)
class _Category:
    reason: Reason
    bounce: Bounce
    override: bool = False
    event: str | None = None


def _squash(key: str) -> str:
    return re.sub(r"[^0-9a-z*]+", "", key.lower())


class _Table:
    """One category table of webhooks.toml, looked up exactly, then loosely."""

    __slots__ = ("exact", "loose")

    def __init__(self, exact: dict[str, _Category]) -> None:
        self.exact = exact
        self.loose = {_squash(k): v for k, v in exact.items()}

    def get(self, key: str | None) -> _Category | None:
        if key is None:
            return None
        found = self.exact.get(key)
        return found if found is not None else self.loose.get(_squash(key))


@dataclass(frozen=True, slots=True)
class _Tables:
    events: dict[str, dict[str, str]]
    categories: dict[str, dict[str, _Table]]
    postmark_codes: dict[int, str]
    mailgun_pseudo: dict[int, str | None]
    loose_events: dict[str, dict[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        loose = {p: {_squash(k): v for k, v in t.items()} for p, t in self.events.items()}
        object.__setattr__(self, "loose_events", loose)

    def event(self, provider: str, name: str | None) -> str:
        """The normalised event of a provider's event name; unknown names are "other"."""
        if name is None:
            return "other"
        found = self.events[provider].get(name)
        if found is None:
            found = self.loose_events[provider].get(_squash(name))
        return found or "other"

    def category(self, provider: str, table: str, key: str | None) -> _Category | None:
        return self.categories[provider][table].get(key)


_loaded: list[_Tables] = []


def _tables() -> _Tables:
    """The tables of ``smtpcodes/data/webhooks.toml``, read on first use."""
    if not _loaded:
        text = files("smtpcodes").joinpath("data/webhooks.toml").read_text(encoding="utf-8")
        _loaded.append(_load_tables(tomllib.loads(text)))
    return _loaded[0]


def _load_tables(doc: Mapping[str, Any]) -> _Tables:
    """Checks and converts the TOML document (every reason a Reason, every event known)."""
    events: dict[str, dict[str, str]] = {}
    categories: dict[str, dict[str, _Table]] = {}
    postmark_codes: dict[int, str] = {}
    mailgun_pseudo: dict[int, str | None] = {}
    for provider in PROVIDERS:
        section = doc[provider]
        events[provider] = {}
        for name, event in section["events"].items():
            if event not in EVENTS:
                raise ValueError(f"webhooks.toml: [{provider}.events] {name!r} = {event!r} is not an event")
            events[provider][name] = event
        categories[provider] = {}
        for table_name, table in section.items():
            if table_name in ("events", "pseudo_codes"):
                continue
            entries: dict[str, _Category] = {}
            for key, entry in table.items():
                event = entry.get("event")
                if event is not None and event not in EVENTS:
                    raise ValueError(f"webhooks.toml: [{provider}.{table_name}] {key!r}: event {event!r}")
                entries[key] = _Category(
                    reason=Reason(entry["reason"]),
                    bounce=Bounce(entry["bounce"]),
                    override=bool(entry.get("override", False)),
                    event=event,
                )
                if provider == "postmark" and "code" in entry:
                    postmark_codes[int(entry["code"])] = key
            categories[provider][table_name] = _Table(entries)
    for code, entry in doc["mailgun"].get("pseudo_codes", {}).items():
        same_as = entry.get("same_as")
        if same_as is not None and same_as not in doc["mailgun"]["reason"]:
            raise ValueError(f"webhooks.toml: mailgun pseudo code {code}: unknown reason {same_as!r}")
        mailgun_pseudo[int(code)] = same_as
    return _Tables(events, categories, postmark_codes, mailgun_pseudo)


# ---------------------------------------------------------------------------------------------
# Replies and classification


_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
_DIAGNOSTIC_TYPE = re.compile(r"\s*[A-Za-z][A-Za-z0-9-]*\s*;\s*")


def _smtp_code(code: int | None) -> int | None:
    return code if code is not None and 200 <= code <= 599 else None


def _reply(text: str | None, code: int | None = None, status: str | None = None) -> smtpcodes.Reply | None:
    """The SMTP reply a provider passes on: its text (which may carry its own code, or a
    "smtp;" diagnostic type), with a separately given basic code and enhanced status."""
    text = (text or "").strip()
    code = _smtp_code(code)
    status = status.strip() if status else None
    if status is not None and not _STATUS.fullmatch(status):
        status = None
    parsed = _try_parse(text) if text else None
    if parsed is not None and parsed.code is not None:
        if parsed.status is None and status is not None and status[0] == str(parsed.code)[0]:
            return _compose(parsed.code, status, list(parsed.lines)) or parsed
        return parsed
    if parsed is not None:  # an enhanced status and text, without a basic code
        if code is not None and str(parsed.status)[0] == str(code)[0]:
            return _compose(code, None, text.splitlines()) or parsed
        return parsed
    if code is None and status is None:
        return None
    match = _DIAGNOSTIC_TYPE.match(text)
    if match is not None and text[: match.end()].strip(" ;").lower() != "smtp":
        text = text[match.end() :]  # "X-Postfix; unknown user"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if status is not None and code is not None and status[0] != str(code)[0]:
        status = None
    if code is not None:
        composed = _compose(code, status, lines)
        if composed is not None:
            return composed
    try:
        return smtpcodes.Reply(code=code, status=status, lines=lines[: smtpcodes.MAX_LINES])
    except (Error, ValueError, TypeError, OverflowError):
        return None


def _try_parse(text: str) -> smtpcodes.Reply | None:
    try:
        return try_parse(text)
    except (Error, ValueError, TypeError, OverflowError):
        return None


def _compose(code: int, status: str | None, lines: list[str]) -> smtpcodes.Reply | None:
    lines = [line.strip() for line in lines if line.strip()] or [""]
    if status is not None and not _STATUS.match(lines[0]):
        lines[0] = f"{status} {lines[0]}".rstrip()
    last = len(lines) - 1
    text = "\r\n".join(f"{code}{'-' if i < last else ' '}{line}".rstrip() for i, line in enumerate(lines))
    return _try_parse(text)


_VAGUE: Final = frozenset({Reason.UNDEFINED, Reason.ON_HOLD})
_FAILURES: Final = frozenset({"bounce", "deferred", "dropped"})

#: What an event without a reply says of the delivery (``Outcome`` in src/retry.rs); "other"
#: events (opens, clicks, auto-replies) say nothing to decide on.
_OUTCOMES: Final = {
    "bounce": "permanent",
    "dropped": "permanent",
    "deferred": "transient",
    "delivery": "delivered",
    "complaint": "complaint",
}


def _decide(
    event: str,
    reply: smtpcodes.Reply | None,
    reason: Reason,
    bounce: Bounce,
    category: str | None,
    timestamp: datetime | None,
) -> smtpcodes.RetryDecision | None:
    """The event's decision: the reply's, else what the event says (None for "other")."""
    if reply is not None:
        return decide(reply, now=timestamp)
    # A complaint's category is its feedback type: `not-spam`, `auth-failure` … are no complaint
    # (``Outcome::of_feedback`` in src/retry.rs).
    outcome = _OUTCOMES.get(event)
    return None if outcome is None else _decide_outcome(outcome, reason.value, bounce.value, timestamp, category)


def _classify(event: str, reply: smtpcodes.Reply | None, category: _Category | None) -> tuple[Reason, Bounce]:
    if event == "complaint":
        return Reason.FEEDBACK, Bounce.NONE
    if event == "delivery":
        return Reason.DELIVERED, Bounce.NONE
    if category is not None and category.override:
        reason, bounce = category.reason, category.bounce
    elif reply is not None and reply.reason not in _VAGUE:
        reason, bounce = reply.reason, reply.bounce
    elif category is not None:
        reason, bounce = category.reason, category.bounce
        if reply is not None and bounce is Bounce.UNKNOWN:
            bounce = reply.bounce
        if reply is not None and reply.is_transient and bounce is Bounce.HARD:
            bounce = Bounce.SOFT
    elif reply is not None:
        reason, bounce = reply.reason, reply.bounce
    else:
        reason = Reason.UNDEFINED
        bounce = {"other": Bounce.NONE, "deferred": Bounce.SOFT}.get(event, Bounce.UNKNOWN)
    if event == "deferred" and bounce in (Bounce.HARD, Bounce.UNKNOWN):
        bounce = Bounce.SOFT  # still being retried: it may work later
    return reason, bounce


def _event(
    provider: str,
    event: str,
    recipient: str | None,
    reply: smtpcodes.Reply | None,
    category_name: str | None,
    category: _Category | None,
    timestamp: datetime | None,
    message_id: str | None,
    raw: Mapping[str, Any],
    never_hard: bool = False,
) -> BounceEvent:
    if category is not None and category.event is not None:
        event = category.event
    if reply is not None and reply.is_success and event in _FAILURES:
        reply = None  # the acceptance of a message that bounced later is not why it failed
    reason, bounce = _classify(event, reply, category)
    if never_hard and bounce is Bounce.HARD:
        bounce = Bounce.SOFT
    decision = _decide(event, reply, reason, bounce, category_name, timestamp)
    return BounceEvent(
        provider=provider,
        event=event,
        recipient=recipient,
        reply=reply,
        reason=reason,
        bounce=bounce,
        decision=decision,
        provider_category=category_name,
        timestamp=timestamp,
        message_id=message_id,
        raw=raw,
    )


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a payload object, so that the event does not change with the input."""
    copied = _jsonable(data)
    assert isinstance(copied, dict)
    return copied


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, Sequence):
        return [_jsonable(v) for v in value]
    return str(value)


# ---------------------------------------------------------------------------------------------
# Amazon SES

_SES_KINDS: Final[dict[str, tuple[str, str]]] = {
    # event name -> (object key, words for errors)
    "Bounce": ("bounce", "bounce"),
    "Complaint": ("complaint", "complaint"),
    "Delivery": ("delivery", "delivery"),
    "DeliveryDelay": ("deliveryDelay", "delivery delay"),
    "Reject": ("reject", "reject"),
    "Send": ("send", "send"),
    "Open": ("open", "open"),
    "Click": ("click", "click"),
    "Rendering Failure": ("failure", "rendering failure"),
    "Subscription": ("subscription", "subscription"),
}


def _parse_ses(data: Mapping[str, Any], path: _Path) -> list[BounceEvent]:
    if data.get("Type") in _SNS_TYPES and "notificationType" not in data and "eventType" not in data:
        return _parse_sns(data, path)
    if data.get("source") == "aws.ses" and "detail" in data:  # an EventBridge event
        envelope = _Node(data, path, "ses", "SES EventBridge event")
        detail = envelope.obj("detail", required=True)
        assert detail is not None
        return _parse_ses_message(detail.data, detail.path)
    return _parse_ses_message(data, path)


def _parse_sns(data: Mapping[str, Any], path: _Path) -> list[BounceEvent]:
    envelope = _Node(data, path, "ses", "SES SNS notification")
    if data.get("Type") != "Notification":
        return []  # SubscriptionConfirmation / UnsubscribeConfirmation: no events
    message = envelope.get("Message")
    if isinstance(message, str):
        try:
            decoded = json.loads(message)
        except (json.JSONDecodeError, RecursionError) as e:
            envelope.fail("Message", f"invalid field '{{field}}': not JSON ({e})")
        if not isinstance(decoded, Mapping):
            envelope.wrong("Message", "a JSON object", decoded)
        return _parse_ses_message(decoded, path)
    if isinstance(message, Mapping):
        return _parse_ses_message(message, path + ("Message",))
    if message is None:
        envelope.missing("Message")
    envelope.wrong("Message", "a string of JSON", message)


def _parse_ses_message(data: Mapping[str, Any], path: _Path) -> list[BounceEvent]:
    top = _Node(data, path, "ses", "SES notification")
    name = top.string("notificationType") or top.string("eventType")
    if name is None:
        top.missing("notificationType")
    key, words = _SES_KINDS.get(name, (name[:1].lower() + name[1:], name.lower()))
    top.what = f"SES {words} notification"
    tables = _tables()
    event = tables.event("ses", name)
    mail = top.obj("mail", required=True)
    assert mail is not None
    message_id = mail.string("messageId")
    raw = _copy(data)
    body = top.obj(key, required=name in ("Bounce", "Complaint", "Delivery", "DeliveryDelay"))
    when = (body.time("timestamp") if body is not None else None) or mail.time("timestamp")
    out: list[BounceEvent] = []

    if name == "Bounce":
        assert body is not None
        bounce_type = body.string("bounceType", required=True)
        sub_type = body.string("bounceSubType")
        category_name = f"{bounce_type}/{sub_type}" if sub_type else bounce_type
        category = tables.category("ses", "bounce", category_name) or tables.category(
            "ses", "bounce", f"{bounce_type}/*"
        )
        for rcpt in body.objs("bouncedRecipients", required=True):
            address = rcpt.string("emailAddress", required=True)
            reply = _reply(rcpt.string("diagnosticCode"), status=rcpt.string("status"))
            action = (rcpt.string("action") or "").lower()
            kind = "deferred" if action == "delayed" else event
            out.append(_event("ses", kind, address, reply, category_name, category, when, message_id, raw))
        return out

    if name == "Complaint":
        assert body is not None
        sub_type = body.string("complaintSubType")
        category = tables.category("ses", "complaint", sub_type)
        category_name = sub_type or body.string("complaintFeedbackType")
        for rcpt in body.objs("complainedRecipients", required=True):
            address = rcpt.string("emailAddress", required=True)
            out.append(_event("ses", event, address, None, category_name, category, when, message_id, raw))
        return out

    if name == "Delivery":
        assert body is not None
        reply = _reply(body.string("smtpResponse"))
        for address in body.strings("recipients", required=True):
            out.append(_event("ses", event, address, reply, None, None, when, message_id, raw))
        return out

    if name == "DeliveryDelay":
        assert body is not None
        delay_type = body.string("delayType")
        category = tables.category("ses", "delay", delay_type)
        for rcpt in body.objs("delayedRecipients", required=True):
            address = rcpt.string("emailAddress", required=True)
            reply = _reply(rcpt.string("diagnosticCode"), status=rcpt.string("status"))
            out.append(_event("ses", event, address, reply, delay_type, category, when, message_id, raw))
        return out

    category_name = body.string("reason") if name == "Reject" and body is not None else None
    category = tables.category("ses", "reject", category_name) if name == "Reject" else None
    recipients: list[str | None] = list(mail.strings("destination")) or [None]
    for address in recipients:
        out.append(_event("ses", event, address, None, category_name, category, when, message_id, raw))
    return out


# ---------------------------------------------------------------------------------------------
# SendGrid


def _parse_sendgrid(data: Mapping[str, Any], path: _Path) -> list[BounceEvent]:
    node = _Node(data, path, "sendgrid", "SendGrid event")
    name = node.string("event", required=True)
    assert name is not None
    node.what = f"SendGrid {name} event"
    tables = _tables()
    event = tables.event("sendgrid", name)
    recipient = node.string("email", required=event != "other")
    when = node.time("timestamp")
    message_id = node.string("sg_message_id")
    if message_id is not None:
        message_id = message_id.strip()
    raw = _copy(data)
    reply: smtpcodes.Reply | None = None
    category_name: str | None = None
    category: _Category | None = None
    never_hard = False
    if event == "bounce":
        bounce_type = node.string("type") or ("blocked" if name == "blocked" else None)
        classification = node.string("bounce_classification")
        category_name = classification or bounce_type
        by_type = tables.category("sendgrid", "type", bounce_type)
        category = tables.category("sendgrid", "classification", classification) or by_type
        if category is not None and by_type is not None and category.bounce is Bounce.UNKNOWN:
            category = dataclasses.replace(category, bounce=by_type.bounce)  # "Unclassified"
        never_hard = bounce_type == "blocked"
        reply = _reply(node.string("reason") or node.string("response"), status=node.string("status"))
    elif event == "dropped":
        category_name = node.string("reason")
        category = tables.category("sendgrid", "dropped", category_name)
    elif event in ("deferred", "delivery"):
        reply = _reply(node.string("response") or node.string("reason"), status=node.string("status"))
    return [_event("sendgrid", event, recipient, reply, category_name, category, when, message_id, raw, never_hard)]


# ---------------------------------------------------------------------------------------------
# Mailgun


_MAILGUN_NEED_RECIPIENT: Final = frozenset({"failed", "delivered", "complained", "bounced", "dropped"})


def _parse_mailgun(data: Mapping[str, Any], path: _Path) -> list[BounceEvent]:
    if "event-data" in data:
        outer = _Node(data, path, "mailgun", "Mailgun webhook")
        inner = outer.obj("event-data", required=True)
        assert inner is not None
        node = inner
    else:
        node = _Node(data, path, "mailgun", "Mailgun webhook")
    name = node.string("event", required=True)
    assert name is not None
    node.what = f"Mailgun {name} event"
    tables = _tables()
    event = tables.event("mailgun", name)
    recipient = node.string("recipient", required=name in _MAILGUN_NEED_RECIPIENT)
    when = node.time("timestamp")
    headers = None
    message = node.obj("message")
    if message is not None:
        headers = message.obj("headers")
    message_id = headers.string("message-id") if headers is not None else None
    if message_id is None:
        message_id = node.string("Message-Id") or node.string("message-id")
    raw = _copy(node.data)

    status = node.obj("delivery-status")
    code = status.integer("code") if status is not None else None
    if code is None and status is None:
        code = node.integer("code")  # legacy webhooks
    pseudo = code is not None and (code >= 600 or code < 200 or code in tables.mailgun_pseudo)
    reply = None
    if status is not None:
        enhanced = status.string("enhanced-code") or status.string("bounce-code")
        text = status.string("message") or (status.string("description") if not pseudo else None)
        reply = _reply(text, code=None if pseudo else code, status=enhanced)

    reason = node.string("reason")
    if reason is None and code is not None and pseudo:
        reason = tables.mailgun_pseudo.get(code)
    category = tables.category("mailgun", "reason", reason)
    if name == "failed":
        severity = (node.string("severity") or "").lower()
        if severity == "temporary" or (not severity and reply is not None and reply.is_transient):
            event = "deferred"
    return [_event("mailgun", event, recipient, reply, reason, category, when, message_id, raw)]


# ---------------------------------------------------------------------------------------------
# Postmark


def _parse_postmark(data: Mapping[str, Any], path: _Path) -> list[BounceEvent]:
    node = _Node(data, path, "postmark", "Postmark webhook")
    record = node.string("RecordType", required=True)
    assert record is not None
    words = {"Bounce": "bounce", "SpamComplaint": "spam complaint", "Delivery": "delivery"}
    node.what = f"Postmark {words.get(record, record)} webhook"
    tables = _tables()
    event = tables.event("postmark", record)
    message_id = node.string("MessageID")
    raw = _copy(data)
    if event == "delivery":
        recipient = node.string("Recipient", required=True)
        reply = _reply(node.string("Details"))
        return [_event("postmark", event, recipient, reply, None, None, node.time("DeliveredAt"), message_id, raw)]
    if event in ("bounce", "complaint"):
        recipient = node.string("Email", required=True)
        type_name = node.string("Type")
        if type_name is None:
            code = node.integer("TypeCode")
            if code is None and event == "bounce":
                node.missing("Type")
            type_name = tables.postmark_codes.get(code) if code is not None else None
            if type_name is None and code is not None:
                type_name = str(code)
        category = tables.category("postmark", "types", type_name)
        reply = _reply(node.string("Details")) if event == "bounce" else None
        when = node.time("BouncedAt")
        return [_event("postmark", event, recipient, reply, type_name, category, when, message_id, raw)]
    recipient = node.string("Recipient") or node.string("Email")
    when = node.time("ReceivedAt") or node.time("ChangedAt") or node.time("DeliveredAt") or node.time("BouncedAt")
    return [_event("postmark", event, recipient, None, None, None, when, message_id, raw)]


# ---------------------------------------------------------------------------------------------
# SparkPost


def _parse_sparkpost(data: Mapping[str, Any], path: _Path) -> list[BounceEvent]:
    outer = _Node(data, path, "sparkpost", "SparkPost event")
    msys = outer.obj("msys", required=True)
    assert msys is not None
    out: list[BounceEvent] = []
    tables = _tables()
    for group in msys.data:  # message_event, track_event, gen_event, unsubscribe_event...
        node = msys.obj(str(group))
        if node is None:
            continue
        name = node.string("type") or str(group)  # relay_message (inbound) events have no type
        node.what = f"SparkPost {name} event"
        event = tables.event("sparkpost", name)
        recipient = node.string("rcpt_to") or node.string("raw_rcpt_to")
        if recipient is None and event != "other":
            node.missing("rcpt_to")
        when = node.time("timestamp")
        message_id = node.string("message_id") or node.string("transmission_id")
        category_name: str | None = None
        category: _Category | None = None
        reply = None
        if event == "complaint":
            category_name = node.string("fbtype")
        elif event != "delivery":
            bounce_class = node.integer("bounce_class")
            if bounce_class is not None:
                category_name = str(bounce_class)
                category = tables.category("sparkpost", "bounce_class", category_name)
            reply = _reply(node.string("raw_reason") or node.string("reason"), code=node.integer("error_code"))
        raw = _copy(node.data)
        out.append(_event("sparkpost", event, recipient, reply, category_name, category, when, message_id, raw))
    return out


_PARSERS: Final[dict[str, Callable[[Mapping[str, Any], _Path], list[BounceEvent]]]] = {
    "ses": _parse_ses,
    "sendgrid": _parse_sendgrid,
    "mailgun": _parse_mailgun,
    "postmark": _parse_postmark,
    "sparkpost": _parse_sparkpost,
}
