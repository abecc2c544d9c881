"""Bounce reports from an mbox: one report per bounce email in it.

The one mbox reader of the package (``parse_mbox``, ``iter_bounces`` and ``smtpcodes scan``).
RFC 4155: a message starts at a line that begins with ``From `` and the blank line before that
line ends the previous one. Line ends are kept as they are, LF or CRLF (an mbox written on
Windows), so a CRLF mbox gives the same messages, each with CRLF lines, as its LF copy.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator

from smtpcodes._native import BounceReport, parse_bounce
from smtpcodes._types import BounceParseError

_FROM = b"From "


def _is_blank(line: bytes) -> bool:
    return line in (b"\n", b"\r\n")


def _unquote(line: bytes) -> bytes:
    """mboxrd: ``>From `` (any number of ``>``) at a line start stood for one ``>`` less."""
    return line[1:] if line.startswith(b">") and line.lstrip(b">").startswith(_FROM) else line


def messages(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The messages of an mbox given as its lines (a binary file, or ``io.BytesIO``), each
    without its ``From `` separator line and the blank line before the next one.

    Input whose first line (after blank ones) is not a ``From `` line is no mbox: it is one
    message, whole (a body line that starts with "From " does not cut an email in two). A last
    message without a final line end is kept as it is.

    >>> import io
    >>> box = b"From a@example.org Mon Sep 20 19:29:27 2021\\r\\nSubject: one\\r\\n\\r\\n>From here\\r\\n\\r\\nFrom b  Mon Sep 20 19:29:28 2021\\r\\nSubject: two"
    >>> list(messages(io.BytesIO(box)))
    [b'Subject: one\\r\\n\\r\\nFrom here\\r\\n', b'Subject: two']
    >>> list(messages(io.BytesIO(b"Subject: hi\\n\\nFrom the logs:\\n550 5.1.1 unknown\\n")))
    [b'Subject: hi\\n\\nFrom the logs:\\n550 5.1.1 unknown\\n']
    """
    it = iter(lines)
    head: list[bytes] = []
    for line in it:
        head.append(line)
        if not _is_blank(line):
            break
    if not head[-1:] or not head[-1].startswith(_FROM):
        # Not an mbox: one email, unless there is nothing but white space.
        data = b"".join([*head, *it])
        if data.strip():
            yield data
        return
    current: list[bytes] = []
    for line in it:
        if line.startswith(_FROM):
            yield _message(current)
            current = []
        else:
            current.append(_unquote(line))
    yield _message(current)


def _message(lines: list[bytes]) -> bytes:
    # The blank line that separates it from the next message belongs to neither.
    if lines and _is_blank(lines[-1]):
        lines = lines[:-1]
    return b"".join(lines)


def iter_bounces(source: str | os.PathLike[str] | bytes) -> Iterator[BounceReport]:
    """The bounce reports in an mbox (a path, or its bytes), in order. Messages that are not
    bounces (or not emails) are skipped. The file is read a message at a time.

    >>> import smtpcodes
    >>> dsn = (b"From MAILER-DAEMON Wed Nov 25 10:00:00 2026\\n"
    ...        b"From: MAILER-DAEMON@example.org\\nSubject: Undelivered\\nMIME-Version: 1.0\\n"
    ...        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\\n\\n"
    ...        b"--b\\nContent-Type: message/delivery-status\\n\\nReporting-MTA: dns; mx.example.org\\n\\n"
    ...        b"Final-Recipient: rfc822; bob@example.net\\nAction: failed\\nStatus: 5.1.1\\n\\n--b--\\n")
    >>> note = b"From friend Wed Nov 25 10:01:00 2026\\nFrom: friend@example.net\\nSubject: hi\\n\\nhello\\n"
    >>> [r.recipients[0].address for r in smtpcodes.iter_bounces(dsn + note + dsn)]
    ['bob@example.net', 'bob@example.net']
    """
    if isinstance(source, bytes):
        yield from _bounces(messages(io.BytesIO(source)))
    else:
        with open(source, "rb") as f:
            yield from _bounces(messages(f))


def _bounces(raws: Iterable[bytes]) -> Iterator[BounceReport]:
    for raw in raws:
        try:
            yield parse_bounce(raw)
        except BounceParseError:
            continue


def parse_mbox(source: str | os.PathLike[str] | bytes) -> list[BounceReport]:
    """Every bounce report in an mbox (a path, or its bytes): ``list(iter_bounces(source))``."""
    return list(iter_bounces(source))
