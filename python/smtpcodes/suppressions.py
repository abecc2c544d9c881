"""Read and write suppression lists in the CSV forms that sending services export and import.

:func:`read_suppressions` turns an export of Amazon SES, SendGrid, Mailgun or Postmark into
:class:`SuppressionRecord` values (address, a neutral :class:`SuppressionKind`, when, the
service's own words), and :func:`write_suppressions` writes records back in one service's
layout, so that a list moves from one service to another or into a bounce ledger.

>>> from smtpcodes import read_suppressions, write_suppressions
>>> [r] = read_suppressions("EmailAddress,Reason,LastUpdateTime\\nbob@example.com,BOUNCE,1700000000\\n")
>>> r.address, r.reason, r.created.isoformat(), r.source_format
('bob@example.com', <SuppressionKind.BOUNCE: 'bounce'>, '2023-11-14T22:13:20+00:00', 'ses')
>>> print(write_suppressions([r], "mailgun"), end="")
address,code,error,created_at
bob@example.com,,,"Tue, 14 Nov 2023 22:13:20 UTC"

Formats
-------
``format`` names one layout, or a service whose layout the header (reading) or the records'
kinds (writing) choose. Each layout, with its header (the columns written, in order) and the
kinds it holds:

- ``ses``: ``EmailAddress,Reason,LastUpdateTime``; bounce, complaint.
- ``ses_import``: no header, ``address,BOUNCE`` or ``address,COMPLAINT``; bounce, complaint.
- ``sendgrid_bounces``: ``email,created,status,reason``; bounce.
- ``sendgrid_blocks``: ``email,created,status,reason``; blocked.
- ``sendgrid_spam_reports``: ``email,created,ip``; complaint.
- ``sendgrid_invalid_emails``: ``email,created,reason``; invalid.
- ``sendgrid_unsubscribes``: ``email,created``; unsubscribe.
- ``mailgun_bounces``: ``address,code,error,created_at``; bounce.
- ``mailgun_complaints``: ``address,created_at``; complaint.
- ``mailgun_unsubscribes``: ``address,tags,created_at``; unsubscribe.
- ``postmark``: ``EmailAddress,SuppressionReason,Origin,CreatedAt``; bounce, complaint,
  unsubscribe, manual.

``ses``, ``sendgrid`` and ``mailgun`` name their service's layouts together. Reading, the
header names the layout; SendGrid's bounces and blocks share one header, so those two files
need their own name (``format="sendgrid_bounces"``): a block is SendGrid's temporary refusal,
not a reason to suppress for good, and guessing wrong would suppress good addresses. A file
read with a format named may leave out columns of its layout (the services' import files make
some optional), but not the address, nor the column that gives the kind (SES ``Reason``,
Postmark ``SuppressionReason``); header names match case-insensitively, in any order.

Where each layout comes from is said beside its definition in this module's source: the
services' API references (field names and values) and import instructions. What they don't say
(the exact header of a CSV that a dashboard downloads, its time format) is marked there as
unconfirmed.

Times
-----
Cells may hold Unix seconds (``1700000000``, ``1700000000.25``), ISO 8601
(``2023-11-14T22:13:20Z``, ``2019-12-17T08:58:33-05:00``, ``2023-11-14 22:13:20``) or an RFC 2822
date as Mailgun writes it (``Tue, 14 Nov 2023 22:13:20 UTC``); ``created`` is always an aware
datetime in UTC. A time without a zone is taken as UTC. An empty cell is ``None``. Writing, the
time is cut to the second and written as the service writes it: Unix seconds for SendGrid, the
RFC 2822 form for Mailgun, ISO 8601 with its offset for SES and Postmark.

Rows
----
Blank lines are skipped and a UTF-8 byte order mark is dropped. Addresses are stripped of
surrounding spaces and otherwise kept as given, in their case: the ledger compares addresses with
the domain case-insensitive (RFC 5321 §2.4: the local part may be case-sensitive, the domain is
not), so ``Bob@Example.COM`` and ``Bob@example.com`` are one address there, and ``bob@...`` may
not be. A row that is not what its layout holds (a field too many or too few, an address
without ``@``, a time or a reason that doesn't parse) raises :class:`SuppressionListError`, a
``ValueError`` that names the line and the column; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import email.utils
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import IO, Final

from smtpcodes._types import Error

__all__ = [
    "FORMATS",
    "SuppressionKind",
    "SuppressionListError",
    "SuppressionRecord",
    "read_suppressions",
    "write_suppressions",
]


class SuppressionKind(StrEnum):
    """Why an address is on a suppression list, in words that no one service owns.

    - ``BOUNCE``: a hard bounce (SES ``BOUNCE``, SendGrid bounces, Mailgun bounces, Postmark
      ``HardBounce``).
    - ``COMPLAINT``: the recipient reported the mail as spam, by a feedback loop or a button
      (SES and Mailgun complaints, SendGrid spam reports, Postmark ``SpamComplaint``).
    - ``UNSUBSCRIBE``: the recipient asked to get no more (SendGrid global unsubscribes, Mailgun
      unsubscribes, Postmark ``ManualSuppression`` by the ``Recipient``).
    - ``MANUAL``: the sender or the service put the address there (Postmark
      ``ManualSuppression`` by the ``Customer`` or an ``Admin``).
    - ``INVALID``: the address is not one (SendGrid invalid emails).
    - ``BLOCKED``: a receiving server refused the sender for now, for its IP address or its
      content (SendGrid blocks); the address itself may be good.

    >>> SuppressionKind("complaint"), SuppressionKind.BOUNCE == "bounce"
    (<SuppressionKind.COMPLAINT: 'complaint'>, True)
    """

    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"
    MANUAL = "manual"
    INVALID = "invalid"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class SuppressionRecord:
    """One address of a suppression list.

    ``address`` as the list gave it (stripped); ``reason`` a :class:`SuppressionKind` (a
    string of that vocabulary is turned into one); ``created`` when the address was listed (or
    last updated, for SES), an aware datetime, or ``None`` when unknown; ``detail`` what the
    service said beyond the kind: its reason text (SendGrid ``reason``, Mailgun ``code`` and
    ``error`` joined by a space), Postmark's ``Origin``, Mailgun's unsubscribe ``tags``, the
    ``ip`` of a SendGrid spam report; ``source_format`` the layout it was read from
    (``"sendgrid_bounces"``...), ``None`` for a record made by hand.

    >>> from datetime import datetime, timezone
    >>> r = SuppressionRecord("Bob@example.com", "bounce", datetime(2024, 5, 1, tzinfo=timezone.utc))
    >>> r.address, r.reason, r.created.isoformat(), r.detail, r.source_format
    ('Bob@example.com', <SuppressionKind.BOUNCE: 'bounce'>, '2024-05-01T00:00:00+00:00', None, None)
    """

    address: str
    reason: SuppressionKind
    created: datetime | None = None
    detail: str | None = None
    source_format: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.address, str):
            raise TypeError(f"address must be a str, not {type(self.address).__name__}")
        if not isinstance(self.reason, SuppressionKind):
            try:
                object.__setattr__(self, "reason", SuppressionKind(self.reason))
            except ValueError:
                known = ", ".join(k.value for k in SuppressionKind)
                raise ValueError(f"reason must be one of {known}, not {self.reason!r}") from None
        if self.created is not None:
            if not isinstance(self.created, datetime):
                raise TypeError(f"created must be a datetime or None, not {type(self.created).__name__}")
            if self.created.tzinfo is None or self.created.utcoffset() is None:
                raise ValueError(f"created must be an aware datetime (with a time zone), not {self.created!r}")


class SuppressionListError(Error, ValueError):
    """A suppression list that is not what its format holds, saying where.

    ``format`` is the layout read (``"sendgrid_bounces"``...) when known, ``line`` the line of the
    file (from 1) and ``column`` the column's name, when the fault has them; ``message`` says what
    was expected and found, and the exception's text puts them together:
    ``sendgrid_unsubscribes, line 2, column 'created': expected a time ...``.

    >>> try:
    ...     read_suppressions("email,created\\nbob@example.com,yesterday\\n", "sendgrid")
    ... except SuppressionListError as e:
    ...     print(e.format, e.line, e.column)
    ...     print(e.message)
    sendgrid_unsubscribes 2 created
    expected a time (Unix seconds, ISO 8601 or an RFC 2822 date), found 'yesterday'
    """

    def __init__(
        self, message: str, format: str | None = None, line: int | None = None, column: str | None = None
    ) -> None:
        where = ", ".join(
            part
            for part in (format, f"line {line}" if line is not None else None, f"column {column!r}" if column else None)
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.format = format
        self.line = line
        self.column = column


class _CellError(Exception):
    """A bad cell, before the reader knows its line: column and what was expected."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# --- times -------------------------------------------------------------------------------------

_UNIX_SECONDS: Final = re.compile(r"[+-]?\d+(?:\.\d+)?")
_TIME_FORMS: Final = "a time (Unix seconds, ISO 8601 or an RFC 2822 date)"


def _parse_time(text: str, column: str) -> datetime | None:
    """A cell's time as an aware UTC datetime; ``None`` for an empty cell."""
    text = text.strip()
    if not text:
        return None
    try:
        if _UNIX_SECONDS.fullmatch(text):
            seconds, _, fraction = text.partition(".")
            micro = int((fraction + "000000")[:6]) if fraction else 0
            if seconds.startswith("-"):
                micro = -micro
            when = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=int(seconds), microseconds=micro)
        else:
            try:
                when = datetime.fromisoformat(text)
            except ValueError:
                when = email.utils.parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        raise _CellError(column, f"expected {_TIME_FORMS}, found {text!r}") from None
    if when.tzinfo is None or when.utcoffset() is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.astimezone(timezone.utc)
    except OverflowError:
        raise _CellError(column, f"expected {_TIME_FORMS}, found {text!r} (out of range in UTC)") from None


def _utc_seconds(when: datetime) -> datetime:
    return when.astimezone(timezone.utc).replace(microsecond=0)


def _unix_seconds(when: datetime) -> str:
    return str(int((_utc_seconds(when) - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds()))


def _iso_8601(when: datetime) -> str:
    return _utc_seconds(when).isoformat()


def _rfc_2822_utc(when: datetime) -> str:
    # Mailgun writes "Fri, 21 Oct 2011 11:02:55 UTC" (its API's dates); format_datetime is
    # locale-independent, with "GMT" for the zone.
    return email.utils.format_datetime(_utc_seconds(when), usegmt=True).removesuffix("GMT") + "UTC"


# --- layouts -----------------------------------------------------------------------------------

_Row = dict[str, str]


@dataclass(frozen=True)
class _Layout:
    """One CSV layout: its columns, which hold the address and the time, the kinds it holds, how
    a row gives a kind and a detail, and how a record becomes a row."""

    name: str
    service: str
    columns: tuple[str, ...]
    address: str
    time: str | None
    kinds: tuple[SuppressionKind, ...]
    read: Callable[[_Row], tuple[SuppressionKind, str | None]]
    write: Callable[[SuppressionRecord], _Row]
    format_time: Callable[[datetime], str]
    # The columns a file must have besides the address (the one that gives the kind).
    required: tuple[str, ...] = ()
    # False: no header row (SES's bulk import file).
    header: bool = True
    # True: `detail` is reason text that other layouts may write as theirs.
    detail_is_text: bool = False


def _text(row: _Row, column: str) -> str | None:
    return row.get(column, "").strip() or None


def _own_detail(record: SuppressionRecord, layout: str) -> str:
    """The record's detail when it was read from this very layout (an IP, tags, an origin)."""
    return (record.detail or "") if record.source_format == layout else ""


def _reason_text(record: SuppressionRecord) -> str:
    """The record's detail when it is reason text (read from a layout whose detail is, or made by hand)."""
    source = _LAYOUTS.get(record.source_format or "")
    return (record.detail or "") if source is None or source.detail_is_text else ""


_ENHANCED_STATUS: Final = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")
_REPLY_CODE: Final = re.compile(r"(\d{3})(?:\s+(.*))?", re.DOTALL)
_LEADING_CODE: Final = re.compile(r"[245]\d\d\b")


# Amazon SES, account-level suppression list. Sources: "SuppressedDestinationSummary - Amazon Simple
# Email Service" (API reference: EmailAddress, Reason BOUNCE | COMPLAINT, LastUpdateTime "shown in
# Unix time format"), "[ aws . sesv2 ] list-suppressed-destinations" (the CLI's listing of those
# summaries) and "Using the Amazon SES account-level suppression list" (the bulk import: an S3
# object with one "recipient1@example.com,BOUNCE" line per address, no header; its example has a
# space before a reason, hence the reasons are stripped and matched case-insensitively).
# Unconfirmed: a CSV header that SES itself writes; the summary's field names are taken as the
# header, and LastUpdateTime is written in ISO 8601 as the AWS CLI prints timestamps by default.
_SES_REASONS: Final = {"BOUNCE": SuppressionKind.BOUNCE, "COMPLAINT": SuppressionKind.COMPLAINT}
_SES_VALUES: Final = {kind: value for value, kind in _SES_REASONS.items()}


def _ses_read(column: str) -> Callable[[_Row], tuple[SuppressionKind, str | None]]:
    def read(row: _Row) -> tuple[SuppressionKind, str | None]:
        value = row.get(column, "").strip()
        kind = _SES_REASONS.get(value.upper())
        if kind is None:
            raise _CellError(column, f"expected BOUNCE or COMPLAINT, found {value!r}")
        return kind, None

    return read


# SendGrid (Twilio SendGrid) suppression lists, one CSV per list. Sources: "Stop sending unwanted
# email" and "Manage blocked messages" (each list's Export CSV), the Bounces, Blocks, Spam Reports,
# Invalid E-Mails and Global Unsubscribes API references (fields: created, a Unix timestamp; email;
# reason; status, "Enhanced SMTP bounce response"; ip for spam reports), and SparkPost's guide
# "Importing SendGrid Suppression List" (sparkpost-cli: the bounce export's columns beyond
# email,created are status and reason, the invalid emails' reason, the spam reports' ip, the
# unsubscribes' none). Unconfirmed: the order of status and reason (taken as email,created,status,
# reason), the blocks export's columns (taken as the bounces', as the API's block and bounce
# objects have the same fields) and the time form of the CSV's created (Unix seconds, as the API
# gives it, are written; every form is read).
def _sendgrid_reason_row(record: SuppressionRecord) -> _Row:
    # status: the enhanced status code in the reason, else its reply code (SendGrid gives either).
    reason = _reason_text(record)
    status = _ENHANCED_STATUS.search(reason) or _LEADING_CODE.match(reason)
    return {"status": status.group(0) if status else "", "reason": reason}


def _sendgrid_reason(row: _Row) -> str | None:
    return _text(row, "reason") or _text(row, "status")


# Mailgun suppressions, one list per domain. Sources: "Bounces", "Complaints" and "Unsubscribe"
# (API reference: "Import list of bounces": columns address, code, error, created_at, code
# defaulting to 550; complaints: address, created_at; unsubscribes: address, tags, created_at,
# tags "*" for every mail of the domain; created_at "in RFC2822 format"). Mailgun's API writes its
# dates as "Fri, 21 Oct 2011 11:02:55 UTC". Unconfirmed: the columns of a CSV that Mailgun's
# dashboard downloads, taken as the import files'.
def _mailgun_bounce_read(row: _Row) -> tuple[SuppressionKind, str | None]:
    code = row.get("code", "").strip()
    if code and not (code.isascii() and code.isdigit()):
        raise _CellError("code", f"expected an SMTP reply code (digits), found {code!r}")
    detail = " ".join(part for part in (code, row.get("error", "").strip()) if part)
    return SuppressionKind.BOUNCE, detail or None


def _mailgun_bounce_row(record: SuppressionRecord) -> _Row:
    reason = _reason_text(record)
    match = _REPLY_CODE.fullmatch(reason)
    if match:
        return {"code": match.group(1), "error": match.group(2) or ""}
    return {"code": "", "error": reason}


# Postmark, suppressions of a message stream. Source: "Suppressions API" (the suppression dump:
# EmailAddress, SuppressionReason HardBounce | SpamComplaint | ManualSuppression, Origin
# Recipient | Customer | Admin, CreatedAt as "2019-12-17T08:58:33-05:00"). A ManualSuppression
# whose origin is the Recipient is an unsubscribe (the unsubscribe link of "How to add an
# unsubscribe link" puts the address there); by the Customer or an Admin it is manual.
# Unconfirmed: the header of the CSV that Postmark's dashboard exports, taken as the dump's fields.
_POSTMARK_REASONS: Final = {
    "hardbounce": "HardBounce",
    "spamcomplaint": "SpamComplaint",
    "manualsuppression": "ManualSuppression",
}
_POSTMARK_ORIGINS: Final = {"recipient": "Recipient", "customer": "Customer", "admin": "Admin"}


def _postmark_read(row: _Row) -> tuple[SuppressionKind, str | None]:
    value = row.get("SuppressionReason", "").strip()
    reason = _POSTMARK_REASONS.get(value.lower())
    if reason is None:
        raise _CellError(
            "SuppressionReason", f"expected HardBounce, SpamComplaint or ManualSuppression, found {value!r}"
        )
    given = row.get("Origin", "").strip()
    origin = _POSTMARK_ORIGINS.get(given.lower())
    if given and origin is None:
        raise _CellError("Origin", f"expected Recipient, Customer or Admin, found {given!r}")
    if reason == "HardBounce":
        return SuppressionKind.BOUNCE, origin
    if reason == "SpamComplaint":
        return SuppressionKind.COMPLAINT, origin
    return (SuppressionKind.UNSUBSCRIBE if origin == "Recipient" else SuppressionKind.MANUAL), origin


def _postmark_row(record: SuppressionRecord) -> _Row:
    reason = {
        SuppressionKind.BOUNCE: "HardBounce",
        SuppressionKind.COMPLAINT: "SpamComplaint",
        SuppressionKind.UNSUBSCRIBE: "ManualSuppression",
        SuppressionKind.MANUAL: "ManualSuppression",
    }[record.reason]
    own = _POSTMARK_ORIGINS.get(_own_detail(record, "postmark").lower())
    if record.reason is SuppressionKind.UNSUBSCRIBE:
        origin = "Recipient"
    elif record.reason is SuppressionKind.MANUAL:
        origin = own if own in ("Customer", "Admin") else "Customer"
    else:
        origin = own or "Recipient"
    return {"SuppressionReason": reason, "Origin": origin}


def _sendgrid(
    list_name: str,
    extra: tuple[str, ...],
    kind: SuppressionKind,
    detail: Callable[[_Row], str | None],
    write: Callable[[SuppressionRecord], _Row],
    detail_is_text: bool = False,
) -> _Layout:
    """One of SendGrid's lists: email and created (Unix seconds), then `extra` columns, one kind."""
    return _Layout(
        name=f"sendgrid_{list_name}",
        service="sendgrid",
        columns=("email", "created", *extra),
        address="email",
        time="created",
        kinds=(kind,),
        read=lambda row: (kind, detail(row)),
        write=write,
        format_time=_unix_seconds,
        detail_is_text=detail_is_text,
    )


def _mailgun(
    list_name: str,
    extra: tuple[str, ...],
    kind: SuppressionKind,
    read: Callable[[_Row], tuple[SuppressionKind, str | None]],
    write: Callable[[SuppressionRecord], _Row],
    detail_is_text: bool = False,
) -> _Layout:
    """One of Mailgun's lists: address, `extra` columns, then created_at (RFC 2822), one kind."""
    return _Layout(
        name=f"mailgun_{list_name}",
        service="mailgun",
        columns=("address", *extra, "created_at"),
        address="address",
        time="created_at",
        kinds=(kind,),
        read=read,
        write=write,
        format_time=_rfc_2822_utc,
        detail_is_text=detail_is_text,
    )


def _ses(name: str, columns: tuple[str, ...], time: str | None, header: bool) -> _Layout:
    """SES's listing or its import file: the address, then BOUNCE or COMPLAINT."""
    return _Layout(
        name=name,
        service="ses",
        columns=columns,
        address="EmailAddress",
        time=time,
        kinds=(SuppressionKind.BOUNCE, SuppressionKind.COMPLAINT),
        read=_ses_read("Reason"),
        write=lambda record: {"Reason": _SES_VALUES[record.reason]},
        format_time=_iso_8601,
        required=("Reason",),
        header=header,
    )


_K = SuppressionKind
_LAYOUT_LIST: Final[tuple[_Layout, ...]] = (
    _ses("ses", ("EmailAddress", "Reason", "LastUpdateTime"), "LastUpdateTime", header=True),
    _ses("ses_import", ("EmailAddress", "Reason"), None, header=False),
    _sendgrid("bounces", ("status", "reason"), _K.BOUNCE, _sendgrid_reason, _sendgrid_reason_row, detail_is_text=True),
    _sendgrid("blocks", ("status", "reason"), _K.BLOCKED, _sendgrid_reason, _sendgrid_reason_row, detail_is_text=True),
    _sendgrid(
        "spam_reports",
        ("ip",),
        _K.COMPLAINT,
        lambda row: _text(row, "ip"),
        lambda record: {"ip": _own_detail(record, "sendgrid_spam_reports")},
    ),
    _sendgrid(
        "invalid_emails",
        ("reason",),
        _K.INVALID,
        lambda row: _text(row, "reason"),
        lambda record: {"reason": _reason_text(record)},
        detail_is_text=True,
    ),
    _sendgrid("unsubscribes", (), _K.UNSUBSCRIBE, lambda row: None, lambda record: {}),
    _mailgun("bounces", ("code", "error"), _K.BOUNCE, _mailgun_bounce_read, _mailgun_bounce_row, detail_is_text=True),
    _mailgun("complaints", (), _K.COMPLAINT, lambda row: (_K.COMPLAINT, None), lambda record: {}),
    _mailgun(
        "unsubscribes",
        ("tags",),
        _K.UNSUBSCRIBE,
        lambda row: (_K.UNSUBSCRIBE, _text(row, "tags")),
        lambda record: {"tags": _own_detail(record, "mailgun_unsubscribes") or "*"},
    ),
    _Layout(
        name="postmark",
        service="postmark",
        columns=("EmailAddress", "SuppressionReason", "Origin", "CreatedAt"),
        address="EmailAddress",
        time="CreatedAt",
        kinds=(_K.BOUNCE, _K.COMPLAINT, _K.UNSUBSCRIBE, _K.MANUAL),
        read=_postmark_read,
        write=_postmark_row,
        format_time=_iso_8601,
        required=("SuppressionReason",),
    ),
)
_LAYOUTS: Final[dict[str, _Layout]] = {layout.name: layout for layout in _LAYOUT_LIST}
_SERVICES: Final[dict[str, tuple[_Layout, ...]]] = {
    service: tuple(layout for layout in _LAYOUT_LIST if layout.service == service)
    for service in ("ses", "sendgrid", "mailgun", "postmark")
}

FORMATS: Final[tuple[str, ...]] = tuple(_SERVICES) + tuple(name for name in _LAYOUTS if name not in _SERVICES)
"""The names ``format`` takes: the services (``"ses"``, ``"sendgrid"``, ``"mailgun"``,
``"postmark"``), then each layout of a service that has several (``"sendgrid_bounces"``...)."""


def _layouts_of(format: str) -> tuple[_Layout, ...]:
    if not isinstance(format, str) or (format not in _LAYOUTS and format not in _SERVICES):
        raise ValueError(f"unknown suppression list format {format!r}; known formats: {', '.join(FORMATS)}")
    if format == "ses":
        return _SERVICES["ses"]
    return (_LAYOUTS[format],) if format in _LAYOUTS else _SERVICES[format]


def _known_headers(layouts: Iterable[_Layout]) -> str:
    return "; ".join(
        f"{layout.name} ({','.join(layout.columns) if layout.header else 'no header: ' + ','.join(layout.columns)})"
        for layout in layouts
    )


# --- reading -----------------------------------------------------------------------------------


def read_suppressions(source: str | os.PathLike[str] | IO[str], format: str | None = None) -> list[SuppressionRecord]:
    """Reads a suppression list in the CSV layout of a sending service.

    ``source`` is a path, the CSV text itself (a ``str`` that is empty or has a line break or a
    comma; any other ``str`` is a path), or a text file object. ``format`` is one of
    :data:`FORMATS`, or ``None`` to tell the layout from the header row: a header that names no
    layout, or two (SendGrid's bounces and blocks), raises a ``ValueError`` that shows the header
    and the known layouts. A bad row raises
    :class:`SuppressionListError` with its line and column. See the module's documentation for
    the layouts, the time forms and what happens to addresses.

    >>> text = '''address,code,error,created_at
    ... bob@example.com,550,No such user,"Fri, 21 Oct 2011 11:02:55 UTC"
    ...
    ... ann@example.org,,,
    ... '''
    >>> for r in read_suppressions(text):
    ...     print(r.address, r.reason.value, r.created, r.detail, r.source_format)
    bob@example.com bounce 2011-10-21 11:02:55+00:00 550 No such user mailgun_bounces
    ann@example.org bounce None None mailgun_bounces
    >>> try:
    ...     read_suppressions("email,created,status,reason\\nbob@example.com,1700000000,5.1.1,550 unknown\\n")
    ... except ValueError as e:
    ...     print(e.message)
    the header 'email,created,status,reason' is sendgrid_bounces' and sendgrid_blocks': pass format=
    >>> [r] = read_suppressions("email,created,status,reason\\nbob@example.com,,,\\n", "sendgrid_blocks")
    >>> r.reason
    <SuppressionKind.BLOCKED: 'blocked'>
    """
    layouts = _layouts_of(format) if format is not None else _LAYOUT_LIST
    with _TextSource(source) as handle:
        return list(_read(handle, layouts, format))


class _TextSource:
    """A context manager over the text of `source`: a file it opens (and closes), or a stream."""

    def __init__(self, source: object) -> None:
        self.source = source
        self.owned: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        source = self.source
        if isinstance(source, os.PathLike) or (isinstance(source, str) and not _looks_like_csv(source)):
            self.owned = open(os.fspath(source), encoding="utf-8-sig", newline="")  # noqa: SIM115
            return self.owned
        if isinstance(source, str):
            return io.StringIO(source, newline="")
        if hasattr(source, "read"):
            return source  # type: ignore[return-value]
        raise TypeError(f"source must be a path, CSV text or a text file, not {type(source).__name__}")

    def __exit__(self, *exc: object) -> None:
        if self.owned is not None:
            self.owned.close()


def _looks_like_csv(text: str) -> bool:
    return not text or "\n" in text or "\r" in text or "," in text


def _read(handle: IO[str], layouts: tuple[_Layout, ...], format: str | None) -> Iterator[SuppressionRecord]:
    reader = csv.reader(handle, strict=True)
    rows = _numbered(reader, format)
    first = next(rows, None)
    if first is None:
        return
    line, header_row = first
    layout, columns = _choose(header_row, layouts, format)
    if not layout.header:
        yield _record(layout, columns, line, header_row)
    for line, row in rows:
        yield _record(layout, columns, line, row)


def _numbered(reader: Iterator[list[str]], format: str | None) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each row that is not blank, the first row's byte order mark dropped."""
    line = 1
    first = True
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise SuppressionListError(f"not CSV: {e}", format, line) from None
        if first and row and row[0].startswith("\ufeff"):
            row[0] = row[0][1:]
        first = False
        if any(field.strip() for field in row):
            yield line, row
        line = reader.line_num + 1  # type: ignore[attr-defined]


def _choose(header: list[str], layouts: tuple[_Layout, ...], format: str | None) -> tuple[_Layout, list[str]]:
    """The layout of a file whose first row is `header`, and the column of each field."""
    names = [field.strip() for field in header]
    shown = ",".join(names)
    # Header rows first: their names are the columns.
    matches: list[tuple[_Layout, list[str]]] = []
    for layout in layouts:
        if not layout.header:
            continue
        by_lower = {column.lower(): column for column in layout.columns}
        columns = [by_lower.get(name.lower(), "") for name in names]
        if "" in columns or len(set(columns)) != len(columns):
            continue
        needed = (layout.address, *layout.required)
        if not all(column in columns for column in needed):
            continue
        if format is None or (format in _SERVICES and format != "postmark"):
            # Told nothing or only the service: the header must be the layout's, all of it.
            if set(columns) != set(layout.columns) and not (
                layout.name == "ses" and set(columns) == {"EmailAddress", "Reason"}
            ):
                continue
        matches.append((layout, columns))
    if len(matches) == 1:
        return matches[0]
    if matches and len({tuple(sorted(m[0].columns)) for m in matches}) == 1:
        alike = " and ".join(f"{m[0].name}'" for m in matches)
        raise SuppressionListError(f"the header {shown!r} is {alike}: pass format=", format, 1)
    # No header: SES's import file starts with an address and a reason.
    for layout in layouts:
        if (
            not layout.header
            and len(names) == len(layout.columns)
            and "@" in names[0]
            and names[1].upper() in _SES_REASONS
        ):
            return layout, list(layout.columns)
    if format is not None and len(layouts) == 1:
        layout = layouts[0]
        if not layout.header:
            return layout, list(layout.columns)
        raise SuppressionListError(
            f"expected the header {','.join(layout.columns)!r} (or some of its columns, with "
            f"{' and '.join(repr(c) for c in (layout.address, *layout.required))}), found {shown!r}",
            layout.name,
            1,
        )
    raise SuppressionListError(
        f"cannot tell the suppression list format from the header {shown!r}; known formats: {_known_headers(layouts)}",
        format,
        1,
    )


def _record(layout: _Layout, columns: list[str], line: int, fields: list[str]) -> SuppressionRecord:
    if len(fields) != len(columns):
        raise SuppressionListError(
            f"expected {len(columns)} fields ({','.join(columns)}), found {len(fields)}", layout.name, line
        )
    row = dict(zip(columns, fields, strict=True))
    try:
        address = row[layout.address].strip()
        local, at, domain = address.rpartition("@")
        if not at or not local or not domain or any(c.isspace() for c in address):
            raise _CellError(layout.address, f"expected an email address, found {address!r}")
        created = _parse_time(row[layout.time], layout.time) if layout.time and layout.time in row else None
        kind, detail = layout.read(row)
    except _CellError as e:
        raise SuppressionListError(e.message, layout.name, line, e.column) from None
    return SuppressionRecord(address, kind, created, detail, layout.name)


# --- writing -----------------------------------------------------------------------------------


def write_suppressions(
    records: Iterable[SuppressionRecord], format: str, file: str | os.PathLike[str] | IO[str] | None = None
) -> str | None:
    """Writes records in the CSV layout of a sending service: its header, then one row each.

    ``format`` is one of :data:`FORMATS`; a service with several layouts (``"sendgrid"``,
    ``"mailgun"``) takes the one list that holds every record's kind, and records of kinds that
    no one of its lists holds together raise ``ValueError``, as does a record of a kind that the
    layout can't hold (SES knows bounces and complaints only): map them first, with
    ``dataclasses.replace(record, reason=...)``. ``"ses"`` writes SES's listing, with a header;
    ``"ses_import"`` the headerless file of SES's bulk import. Times are cut to the second.
    With ``file`` (a path, or a text file open for writing) the CSV goes there and ``None`` is
    returned; else the CSV is returned as a ``str``.

    >>> from datetime import datetime, timezone
    >>> may_1 = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    >>> records = [
    ...     SuppressionRecord("bob@example.com", SuppressionKind.BOUNCE, may_1, "550 5.1.1 User unknown"),
    ...     SuppressionRecord("ann@example.org", SuppressionKind.COMPLAINT),
    ... ]
    >>> print(write_suppressions(records, "postmark"), end="")
    EmailAddress,SuppressionReason,Origin,CreatedAt
    bob@example.com,HardBounce,Recipient,2024-05-01T12:00:00+00:00
    ann@example.org,SpamComplaint,Recipient,
    >>> print(write_suppressions(records[:1], "sendgrid"), end="")
    email,created,status,reason
    bob@example.com,1714564800,5.1.1,550 5.1.1 User unknown
    >>> print(write_suppressions(records, "ses_import"), end="")
    bob@example.com,BOUNCE
    ann@example.org,COMPLAINT
    """
    records = list(records)
    layout = _layout_for(records, format)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    if layout.header:
        writer.writerow(layout.columns)
    for index, record in enumerate(records):
        if not isinstance(record, SuppressionRecord):
            raise TypeError(f"record {index} is a {type(record).__name__}, not a SuppressionRecord")
        if record.reason not in layout.kinds:
            raise ValueError(
                f"record {index} ({record.address}) is a {record.reason.value}: {layout.name} holds "
                f"{_kinds(layout.kinds)} only"
            )
        row = layout.write(record)
        row[layout.address] = record.address
        if layout.time:
            row[layout.time] = layout.format_time(record.created) if record.created else ""
        writer.writerow([row.get(column, "") for column in layout.columns])
    text = buffer.getvalue()
    if file is None:
        return text
    if isinstance(file, (str, os.PathLike)):
        with open(os.fspath(file), "w", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        file.write(text)
    return None


def _kinds(kinds: Iterable[SuppressionKind]) -> str:
    return ", ".join(kind.value for kind in kinds)


def _layout_for(records: list[SuppressionRecord], format: str) -> _Layout:
    layouts = _layouts_of(format)
    if format == "ses":
        return _LAYOUTS["ses"]
    if len(layouts) == 1:
        return layouts[0]
    kinds = {record.reason for record in records if isinstance(record, SuppressionRecord)}
    fits = [layout for layout in layouts if kinds <= set(layout.kinds)]
    if len(fits) == 1:
        return fits[0]
    lists = "; ".join(f"{layout.name}: {_kinds(layout.kinds)}" for layout in layouts)
    if not kinds:
        raise ValueError(f"no records to choose a {format} list by: name the list ({lists})")
    raise ValueError(
        f"{format} keeps each kind in a list of its own, and these records are {_kinds(sorted(kinds))}: "
        f"write each kind with its list's format ({lists})"
    )
