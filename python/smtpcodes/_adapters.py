"""Replies from where sending code meets them: smtplib and aiosmtplib exceptions and results.

``from_exception`` turns what a client raised (or returned) into a ``Reply``, or a
``{recipient: Reply}`` dict when several recipients were refused; ``decide`` takes either, so a
retry loop is short::

    try:
        smtp.send_message(msg)
    except smtplib.SMTPException as exc:
        decision = smtpcodes.decide(smtpcodes.from_exception(exc), attempt=n)

Django's ``send_mail`` raises smtplib's exceptions, so the same lines work there. A broken or
refused connection has no SMTP reply: it becomes a reply without a code whose enhanced status
says what happened (RFC 3463 §3.5: X.4.1 no answer from host, X.4.2 bad connection, X.4.3
routing server failure), which ``decide`` retries as a transient network failure.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from smtpcodes import _native
from smtpcodes._native import Reply, RetryDecision, RetryPolicy
from smtpcodes._types import ParseError


def _text(message: Any) -> str:
    if isinstance(message, bytes | bytearray):
        return bytes(message).decode("utf-8", "replace")
    return str(message)


def _network(status: str, exc: BaseException) -> Reply:
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    return Reply(status=status, lines=[detail])


def _reply(code: Any, message: Any, exc: BaseException | None = None) -> Reply:
    """A reply from a client's (code, message) pair; codes outside 200-599 (smtplib's -1 when
    no reply could be read) mean the connection failed."""
    text = _text(message).strip()
    if not isinstance(code, int) or not 200 <= code <= 599:
        return _network("4.4.2", exc if exc is not None else ConnectionError(text))
    try:
        return _native.parse(f"{code} {text}" if text else str(code))
    except ParseError:
        pass
    try:
        return Reply(code=code, lines=[" ".join(text.split())])
    except ParseError:
        return Reply(code=code)


def _pair(value: Any) -> tuple[Any, Any]:
    """(code, message) from smtplib's tuples or aiosmtplib's SMTPResponse."""
    if hasattr(value, "code") and hasattr(value, "message"):
        return value.code, value.message
    if isinstance(value, tuple) and len(value) == 2:
        return value[0], value[1]
    raise TypeError(f"expected a (code, message) pair or an SMTPResponse, not {type(value).__name__}")


def from_exception(exc: Any) -> Reply | dict[str, Reply]:
    """The reply in an smtplib or aiosmtplib exception (or aiosmtplib's send result).

    - ``SMTPRecipientsRefused`` (both libraries), aiosmtplib's send result ``(errors, message)``
      and a ``{recipient: (code, message)}`` mapping give ``{recipient: Reply}``;
    - ``SMTPResponseException`` and its subclasses give the ``Reply`` of ``.smtp_code`` and
      ``.smtp_error`` (smtplib) or ``.code`` and ``.message`` (aiosmtplib);
    - ``SMTPServerDisconnected``, ``ConnectionError``, timeouts and DNS errors give a reply
      without a code and with status 4.4.1, 4.4.2 or 4.4.3, which ``decide`` retries.

    Anything else raises ``TypeError``.

    >>> import smtplib, smtpcodes
    >>> smtpcodes.from_exception(smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"))
    Reply(code=554, status='5.7.1', text='Message rejected as spam')
    >>> refused = smtplib.SMTPRecipientsRefused({"bob@example.com": (550, b"5.1.1 User unknown")})
    >>> smtpcodes.from_exception(refused)["bob@example.com"].reason
    <Reason.USER_UNKNOWN: 'userunknown'>
    >>> smtpcodes.from_exception(smtplib.SMTPServerDisconnected("Connection unexpectedly closed")).status
    EnhancedStatus('4.4.2')
    """
    # Several recipients refused: smtplib keeps a dict, aiosmtplib a list of SMTPRecipientRefused.
    recipients = getattr(exc, "recipients", None)
    if isinstance(exc, BaseException) and recipients is not None:
        if isinstance(recipients, Mapping):
            return {str(addr): _reply(*_pair(v), exc) for addr, v in recipients.items()}
        if isinstance(recipients, list | tuple):
            out: dict[str, Reply] = {}
            for item in recipients:
                out[str(getattr(item, "recipient", ""))] = _reply(getattr(item, "code", None), getattr(item, "message", ""), exc)
            return out
    # aiosmtplib's send() result: (errors, message); a mapping of refused recipients.
    if isinstance(exc, tuple) and len(exc) == 2 and isinstance(exc[0], Mapping):
        return {str(addr): _reply(*_pair(v)) for addr, v in exc[0].items()}
    if isinstance(exc, Mapping):
        return {str(addr): _reply(*_pair(v)) for addr, v in exc.items()}
    if not isinstance(exc, BaseException):
        raise TypeError(f"from_exception() takes an smtplib/aiosmtplib exception or send result, not {type(exc).__name__}")
    # A reply carried by the exception.
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error, exc)
    code = getattr(exc, "code", None)
    if isinstance(code, int) and hasattr(exc, "message"):
        return _reply(code, exc.message, exc)
    # No reply: the connection failed.
    if isinstance(exc, socket.gaierror):
        return _network("4.4.3", exc)  # RFC 3463 X.4.3: directory (DNS) server failure
    if isinstance(exc, ConnectionRefusedError) or type(exc).__name__ in ("SMTPConnectError", "SMTPConnectTimeoutError"):
        return _network("4.4.1", exc)  # RFC 3463 X.4.1: no answer from host
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
        return _network("4.4.2", exc)  # RFC 3463 X.4.2: bad connection (dropped, timed out)
    if type(exc).__name__ in ("SMTPServerDisconnected", "SMTPTimeoutError", "SMTPReadTimeoutError"):
        return _network("4.4.2", exc)
    raise TypeError(f"{type(exc).__name__} carries no SMTP reply and is not a connection failure: {exc}")


def decide(
    reply: Reply | Mapping[str, Reply],
    attempt: int = 1,
    first_attempt: datetime | None = None,
    now: datetime | None = None,
    policy: RetryPolicy | None = None,
) -> Any:
    """What to do with a reply, or with each reply of a ``{recipient: Reply}`` dict (as
    ``from_exception`` returns for refused recipients), on attempt number ``attempt``.

    ``first_attempt`` and ``now`` are datetimes (``now`` defaults to the current UTC time); a
    transient failure older than ``policy.max_age`` is given up, and always at
    ``policy.max_attempts`` when it is set. Without ``first_attempt``, the back-off delays of the
    attempts made so far are the least time that has passed, so a loop that only counts attempts
    still ends (at attempt 112 with the default policy); the decision's ``explanation`` says which
    limit ended it. Returns a ``RetryDecision``, or a ``{recipient: RetryDecision}`` dict.

    >>> import smtpcodes
    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    >>> d = smtpcodes.decide(smtpcodes.parse("451 4.3.0 Try again later"), attempt=2, first_attempt=t0, now=t0)
    >>> d.action, d.delay, d.retry_at.isoformat()
    (<Action.RETRY: 'retry'>, datetime.timedelta(seconds=600), '2026-11-25T12:10:00+00:00')
    >>> smtpcodes.decide({"bob@example.com": smtpcodes.parse("550 5.1.1 User unknown")})["bob@example.com"].action
    <Action.SUPPRESS: 'suppress'>
    >>> smtpcodes.decide(smtpcodes.parse("451 4.3.0 Try again later"), attempt=1000).action
    <Action.GIVE_UP: 'give_up'>
    """
    if isinstance(reply, Mapping):
        return {addr: _native.decide(r, attempt, first_attempt, now, policy) for addr, r in reply.items()}
    return _native.decide(reply, attempt, first_attempt, now, policy)


__all__ = ["RetryDecision", "decide", "from_exception"]
