"""smtpcodes' pytest plugin, loaded automatically when smtpcodes is installed (disable it with
``-p no:smtpcodes``): readable assertion output for replies and retry decisions, and the
``smtp_server`` fixture, a real SMTP server whose replies a test scripts (it needs aiosmtpd:
``pip install 'smtpcodes[pytest]'``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

import smtpcodes

if TYPE_CHECKING:
    from smtpcodes.smtp_server import ScriptedSMTPServer


def _describe(obj: Any) -> list[str]:
    if isinstance(obj, smtpcodes.Reply):
        d = obj.to_dict()
        return [f"  {k}: {d[k]!r}" for k in ("code", "status", "text", "bounce", "reason", "remote_mta", "smtp_command")]
    if isinstance(obj, smtpcodes.RetryDecision):
        d = obj.to_dict()
        return [f"  {k}: {v!r}" for k, v in d.items()]
    return [f"  {obj!r}"]


def pytest_assertrepr_compare(op: str, left: Any, right: Any) -> list[str] | None:
    """Field-by-field output when two replies or two retry decisions compare unequal; the
    lines that differ start with ``!``.

    >>> a, b = smtpcodes.parse("550 5.1.1 User unknown"), smtpcodes.parse("550 5.1.2 User unknown")
    >>> print("\\n".join(pytest_assertrepr_compare("==", a, b)[:3]))
    Reply == Reply failed:
      code: 550  |  code: 550
    ! status: '5.1.1'  |  status: '5.1.2'
    """
    kinds = (smtpcodes.Reply, smtpcodes.RetryDecision)
    if op != "==" or not isinstance(left, kinds) or not isinstance(right, kinds):
        return None
    lines = [f"{type(left).__name__} == {type(right).__name__} failed:"]
    ld, rd = _describe(left), _describe(right)
    for a, b in zip(ld, rd):
        marker = "  " if a == b else "! "
        lines.append(f"{marker}{a.strip()}  |  {b.strip()}")
    return lines


@pytest.fixture
def smtp_server() -> Iterator[ScriptedSMTPServer]:
    """A real SMTP server on 127.0.0.1 and a free port, running for the test and stopped after
    it (pass or fail): a :class:`smtpcodes.smtp_server.ScriptedSMTPServer`. It accepts
    everything unless scripted, and records sessions, envelopes and messages::

        def test_unknown_user(smtp_server):
            smtp_server.reply("RCPT", "550 5.1.1 User unknown", recipient="bob@example.com")
            with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
                with pytest.raises(smtplib.SMTPRecipientsRefused):
                    client.sendmail("alice@example.com", ["bob@example.com"], b"hi")
            assert smtp_server.envelopes[0].accepted_rcpts == []
    """
    from smtpcodes.smtp_server import ScriptedSMTPServer

    server = ScriptedSMTPServer()
    try:
        server.start()
    except ImportError as error:
        missing = f"{error.__cause__ or error}"
    else:
        missing = ""
    if missing:  # failing outside the except block keeps the report to this one line
        pytest.fail(f"the smtp_server fixture needs aiosmtpd ({missing}): pip install 'smtpcodes[pytest]'", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
