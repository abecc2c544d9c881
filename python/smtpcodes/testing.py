"""Assertion helpers for test suites that check SMTP replies and retry decisions.

>>> import smtpcodes
>>> from smtpcodes.testing import assert_reply
>>> assert_reply(smtpcodes.parse("550 5.1.1 User unknown"), code=550, status="5.1.1", reason="userunknown")
"""

from __future__ import annotations

from typing import Any

import smtpcodes

_FIELDS = ("code", "status", "text", "kind", "category", "bounce", "reason", "remote_mta", "smtp_command")


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, smtpcodes.EnhancedStatus):
        return actual == str(expected)
    return bool(actual == expected)


def reply_differences(reply: smtpcodes.Reply, **expected: Any) -> list[str]:
    """The fields of ``reply`` that differ from ``expected``, one readable line each.

    >>> reply_differences(smtpcodes.parse("452 4.2.2 full"), code=452, bounce="hard")
    ["bounce: expected 'hard', got <Bounce.SOFT: 'soft'>"]
    """
    unknown = set(expected) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown Reply field(s) {sorted(unknown)}; known: {', '.join(_FIELDS)}")
    out = []
    for name, want in expected.items():
        got = getattr(reply, name)
        if not _same(got, want):
            out.append(f"{name}: expected {want!r}, got {got!r}")
    return out


def assert_reply(reply: smtpcodes.Reply, **expected: Any) -> None:
    """Asserts that ``reply`` has the given field values (``code``, ``status``, ``text``,
    ``kind``, ``category``, ``bounce``, ``reason``, ``remote_mta``, ``smtp_command``); enum
    fields compare with members or their values, ``status`` with a string.

    >>> assert_reply(smtpcodes.parse("421 4.7.0 Try later"), code=421, bounce="soft")
    """
    if not isinstance(reply, smtpcodes.Reply):
        raise TypeError(f"assert_reply() takes a smtpcodes.Reply, not {type(reply).__name__}")
    diffs = reply_differences(reply, **expected)
    if diffs:
        raise AssertionError(f"{reply!r} differs:\n  " + "\n  ".join(diffs))
