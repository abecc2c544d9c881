"""Exceptions and enums of smtpcodes.

The enum members mirror the core's tables (``data/*.toml``); ``tests/test_enums.py`` checks that
they match ``smtpcodes._native._enum_members`` member for member.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any


class Error(Exception):
    """Base class of every exception smtpcodes raises."""


class ParseError(Error, ValueError):
    """The input is not an SMTP reply (or not a status code): says what was expected and where.

    ``position`` is where the problem is, when known: an index into the input (characters of a
    ``str``, bytes of ``bytes``).

    >>> import smtpcodes
    >>> try:
    ...     smtpcodes.parse("650 nope")
    ... except smtpcodes.ParseError as e:
    ...     print(e.position, e)
    0 650 at position 0 is not an SMTP reply code: the first digit must be 2, 3, 4 or 5 (RFC 5321 §4.2)
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.position))


class BounceParseError(Error):
    r"""The input is not a bounce email, or not an email at all.

    ``kind`` says which: ``"not_an_email"``, ``"not_a_bounce"`` or ``"too_large"``.

    >>> import smtpcodes
    >>> try:
    ...     smtpcodes.parse_bounce(b"From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
    ... except smtpcodes.BounceParseError as e:
    ...     print(e.kind)
    not_a_bounce
    """

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.kind))


class ReplyKind(IntEnum):
    """First digit of a basic reply code (RFC 5321 §4.2.1)."""

    POSITIVE_PRELIMINARY = 1
    POSITIVE_COMPLETION = 2
    POSITIVE_INTERMEDIATE = 3
    TRANSIENT_NEGATIVE = 4
    PERMANENT_NEGATIVE = 5


class Category(IntEnum):
    """Second digit of a basic reply code (RFC 5321 §4.2.1); x3z and x4z are unspecified."""

    SYNTAX = 0
    INFORMATION = 1
    CONNECTIONS = 2
    UNSPECIFIED_3 = 3
    UNSPECIFIED_4 = 4
    MAIL_SYSTEM = 5


class StatusClass(IntEnum):
    """Class of an enhanced status code (RFC 3463 §2)."""

    SUCCESS = 2
    PERSISTENT_TRANSIENT_FAILURE = 4
    PERMANENT_FAILURE = 5


class Subject(IntEnum):
    """Subject of an enhanced status code (RFC 3463 §2, §3.1-§3.8)."""

    OTHER = 0
    ADDRESSING = 1
    MAILBOX = 2
    MAIL_SYSTEM = 3
    NETWORK_AND_ROUTING = 4
    MAIL_DELIVERY_PROTOCOL = 5
    MESSAGE_CONTENT_OR_MEDIA = 6
    SECURITY_OR_POLICY = 7


class Bounce(StrEnum):
    """Whether the address can be mailed again: not the same as 5xx vs 4xx."""

    HARD = "hard"
    SOFT = "soft"
    NONE = "none"
    UNKNOWN = "unknown"


class Fault(StrEnum):
    """Whose problem a reason usually is."""

    RECIPIENT = "recipient"
    SENDER = "sender"
    CONTENT = "content"
    DESTINATION = "destination"
    NETWORK = "network"
    NONE = "none"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """Why a message bounced. Values are Sisimai's reason names.

    >>> Reason.USER_UNKNOWN.value, Reason.USER_UNKNOWN.fault, Reason.USER_UNKNOWN.default_bounce
    ('userunknown', <Fault.RECIPIENT: 'recipient'>, <Bounce.HARD: 'hard'>)
    """

    USER_UNKNOWN = "userunknown"
    HOST_UNKNOWN = "hostunknown"
    HAS_MOVED = "hasmoved"
    NOT_ACCEPT = "notaccept"
    SUSPEND = "suspend"
    MAILBOX_FULL = "mailboxfull"
    EXCEED_LIMIT = "exceedlimit"
    MESG_TOO_BIG = "mesgtoobig"
    FILTERED = "filtered"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    BAD_REPUTATION = "badreputation"
    REQUIRE_PTR = "requireptr"
    SPAM_DETECTED = "spamdetected"
    VIRUS_DETECTED = "virusdetected"
    CONTENT_ERROR = "contenterror"
    NOT_COMPLIANT_RFC = "notcompliantrfc"
    POLICY_VIOLATION = "policyviolation"
    SECURITY_ERROR = "securityerror"
    AUTH_FAILURE = "authfailure"
    FAILED_STARTTLS = "failedstarttls"
    SYNTAX_ERROR = "syntaxerror"
    NO_RELAYING = "norelaying"
    RATE_LIMITED = "ratelimited"
    SPEEDING = "speeding"
    TOO_MANY_CONN = "toomanyconn"
    EXPIRED = "expired"
    NETWORK_ERROR = "networkerror"
    SYSTEM_ERROR = "systemerror"
    SYSTEM_FULL = "systemfull"
    MAILER_ERROR = "mailererror"
    ON_HOLD = "onhold"
    SUPPRESSED = "suppressed"
    VACATION = "vacation"
    FEEDBACK = "feedback"
    DELIVERED = "delivered"
    UNDEFINED = "undefined"

    @property
    def description(self) -> str:
        """One line on what the reason means."""
        from smtpcodes import _native

        return _native._reason_info(self.value)[0]

    @property
    def fault(self) -> Fault:
        """Whose problem it usually is."""
        from smtpcodes import _native

        return Fault(_native._reason_info(self.value)[1])

    @property
    def default_bounce(self) -> Bounce:
        """The bounce type of a permanent failure with this reason."""
        from smtpcodes import _native

        return Bounce(_native._reason_info(self.value)[2])


class Action(StrEnum):
    """What a sender should do now."""

    DELIVERED = "delivered"
    RETRY = "retry"
    THROTTLE = "throttle"
    GIVE_UP = "give_up"
    SUPPRESS = "suppress"
    FIX_CONFIG = "fix_config"


class ReportKind(StrEnum):
    """What kind of report an email is (``BounceReport.kind``)."""

    BOUNCE = "bounce"
    DELAY = "delay"
    DELIVERY = "delivery"
    FEEDBACK = "feedback"
    AUTOREPLY = "autoreply"


class Scope(StrEnum):
    """Whom a retry decision is about."""

    ADDRESS = "address"
    MESSAGE = "message"
    DESTINATION = "destination"


class EventKind(StrEnum):
    """What happened to an address (``Event.kind``)."""

    DELIVERED = "delivered"
    DEFERRED = "deferred"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    UNSUBSCRIBED = "unsubscribed"
    SUPPRESSED = "suppressed"
    RELEASED = "released"


class EventSource(StrEnum):
    """Where an event came from (``Event.source``)."""

    REPLY = "reply"
    BOUNCE = "bounce"
    WEBHOOK = "webhook"
    IMPORT = "import"
    MANUAL = "manual"


class AddressStatus(StrEnum):
    """Where an address stands in the ledger (``AddressState.status``)."""

    ACTIVE = "active"
    SOFT_BOUNCING = "soft-bouncing"
    SUPPRESSED = "suppressed"
    COMPLAINED = "complained"


class SuppressionCause(StrEnum):
    """Why the ledger suppresses an address (``AddressState.cause``)."""

    SOFT_BOUNCES = "soft-bounces"
    MAILBOX_FULL = "mailbox-full"
    HARD_BOUNCE = "hard-bounce"
    MANUAL = "manual"
    UNSUBSCRIBED = "unsubscribed"
    COMPLAINT = "complaint"


class Advice(StrEnum):
    """What to do about a destination (``DestinationHealth.advice``)."""

    OK = "ok"
    SLOW_DOWN = "slow-down"
    STOP = "stop"


def _construct(cls: type, kwargs: dict[str, Any]) -> Any:
    """Pickle helper: rebuilds a keyword-only native class."""
    return cls(**kwargs)
