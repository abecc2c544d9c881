"""Bounce reports from an mbox: one report per bounce email in it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from smtpcodes._native import BounceReport, parse_bounce
from smtpcodes._types import BounceParseError

# An mbox message starts at a line "From " at the start of the file or after a line end.
_FROM_LINE = re.compile(rb"(?:\A|(?<=\n))From [^\r\n]*\r?\n")


def _messages(data: bytes) -> Iterator[bytes]:
    starts = [m.start() for m in _FROM_LINE.finditer(data)]
    if not starts:
        if data.strip():
            yield data
        return
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        chunk = data[start:end]
        # mboxrd: ">From " at a line start was a "From " line in the message body.
        yield re.sub(rb"(?m)^>(>*From )", rb"\1", chunk)


def iter_bounces(source: str | os.PathLike[str] | bytes) -> Iterator[BounceReport]:
    """The bounce reports in an mbox (a path, or its bytes), in order. Messages that are not
    bounces (or not emails) are skipped.

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
    data = source if isinstance(source, bytes) else open(source, "rb").read()  # noqa: SIM115
    for raw in _messages(data):
        try:
            yield parse_bounce(raw)
        except BounceParseError:
            continue


def parse_mbox(source: str | os.PathLike[str] | bytes) -> list[BounceReport]:
    """Every bounce report in an mbox (a path, or its bytes): ``list(iter_bounces(source))``."""
    return list(iter_bounces(source))
