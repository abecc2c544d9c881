"""hypothesis strategies for SMTP replies and enhanced status codes.

Every value they generate is accepted by ``smtpcodes.parse`` and round-trips: a generated reply
text parses, and ``parse(str(reply)) == reply`` for a generated ``Reply``. They are registered
with hypothesis (through its entry point) so ``st.from_type(smtpcodes.Reply)`` works.

>>> from hypothesis import given
>>> from smtpcodes import strategies as sst
>>> @given(sst.replies(reason=smtpcodes.Reason.MAILBOX_FULL))
... def test_full(reply):
...     assert reply.reason is smtpcodes.Reason.MAILBOX_FULL
>>> test_full()
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from hypothesis import assume
from hypothesis import strategies as st

import smtpcodes
from smtpcodes import _native
from smtpcodes._native import EnhancedStatus, Reply
from smtpcodes._types import Reason, ReplyKind

Style: TypeAlias = Literal["plain", "multiline", "dsn", "exchange", "postfix"]
STYLES: tuple[Style, ...] = ("plain", "multiline", "dsn", "exchange", "postfix")

# Basic codes defined by an RFC (data/reply_codes.toml), by kind.
_CODES = tuple(r.code for r in smtpcodes.registry.replies())
# Words for reply text: letters and punctuation that cannot be read as a code, a status or a
# wrapper, so that the generated text never changes what the reply means.
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)
_TEXT = st.lists(_WORD, min_size=0, max_size=8).map(" ".join)


def reply_codes(kind: ReplyKind | None = None) -> st.SearchStrategy[int]:
    """Basic reply codes defined by an RFC, optionally of one ``kind``.

    >>> from hypothesis import given
    >>> @given(reply_codes(ReplyKind.TRANSIENT_NEGATIVE))
    ... def test(code):
    ...     assert code // 100 == 4
    >>> test()
    """
    codes = [c for c in _CODES if kind is None or c // 100 == int(kind)]
    return st.sampled_from(codes)


def enhanced_statuses(klass: int | None = None, *, registered: bool | None = None) -> st.SearchStrategy[EnhancedStatus]:
    """Enhanced status codes (RFC 3463 §2): registered ones (``registered=True``), any valid
    ``class.subject.detail`` (``registered=False``: subject and detail 0-999), or a mix.

    >>> from hypothesis import given
    >>> @given(enhanced_statuses(5, registered=True))
    ... def test(status):
    ...     assert status.klass == 5 and status.registered
    >>> test()
    """
    classes = [klass] if klass is not None else [2, 4, 5]
    entries = [e for e in smtpcodes.registry.enhanced() if not e.deprecated]
    known = st.builds(
        lambda c, e: EnhancedStatus(c, e.subject, e.detail), st.sampled_from(classes), st.sampled_from(entries)
    )
    anything = st.builds(
        EnhancedStatus, st.sampled_from(classes), st.integers(0, 999), st.integers(0, 999)
    )
    if registered is True:
        return known
    if registered is False:
        return anything
    return st.one_of(known, anything)


def _rules_for(reason: Reason) -> list[tuple[str, list[str], list[int], int | None, list[str]]]:
    out = []
    for _id, value, phrases, _regex, codes, klass, statuses, commands, _prio, _src in _native._rules():
        if value == reason.value and phrases and not commands:
            out.append((_id, phrases, codes, klass, statuses))
    return out


@st.composite
def _reply_for_reason(draw: st.DrawFn, reason: Reason) -> Reply:
    if reason is Reason.DELIVERED:
        return draw(_plain_reply(ReplyKind.POSITIVE_COMPLETION))
    rules = _rules_for(reason)
    # From a text rule: its phrase in the text, with a code and status its constraints allow.
    use_rule: bool = draw(st.booleans())
    if rules and use_rule:
        _id, phrases, codes, klass, statuses = draw(st.sampled_from(rules))
        phrase = draw(st.sampled_from(phrases))
        if statuses:
            pattern = draw(st.sampled_from(statuses))
            c, s, d = pattern.split(".")
            cls = int(c) if c != "X" else (klass or draw(st.sampled_from([4, 5])))
            status: EnhancedStatus | None = EnhancedStatus(cls, int(s), int(d))
        else:
            status = None
        if codes:
            code = draw(st.sampled_from(codes))
        else:
            first = klass or (status.klass if status is not None else draw(st.sampled_from([4, 5])))
            code = draw(reply_codes(ReplyKind(int(first))))
        if status is not None and int(status.klass) != code // 100:
            status = None if not statuses else status
        text = f"{draw(_TEXT)} {phrase} {draw(_TEXT)}".strip()
        reply = Reply(code=code, status=status, lines=[text])
    else:
        # From the status table: a registered status whose reason this is.
        entries = [
            e for e in smtpcodes.registry.enhanced()
            if not e.deprecated and _status_reason(e.subject, e.detail) is reason
        ]
        assume(entries)
        e = draw(st.sampled_from(entries))
        cls = draw(st.sampled_from([4, 5]))
        reply = Reply(code=draw(reply_codes(ReplyKind(cls))), status=EnhancedStatus(cls, e.subject, e.detail), lines=[draw(_TEXT)])
    assume(reply.reason is reason)
    return reply


def _status_reason(subject: int, detail: int) -> Reason | None:
    r = smtpcodes.Reply(code=550, status=EnhancedStatus(5, subject, detail)).explain().status_reason
    return r


@st.composite
def _plain_reply(draw: st.DrawFn, kind: ReplyKind | None) -> Reply:
    code = draw(reply_codes(kind))
    status = draw(st.none() | enhanced_statuses(code // 100 if code // 100 != 3 else 2, registered=True))
    lines = draw(st.lists(_TEXT.filter(bool), min_size=1, max_size=4))
    return Reply(code=code, status=status, lines=lines)


def replies(kind: ReplyKind | None = None, *, reason: Reason | None = None) -> st.SearchStrategy[Reply]:
    """``Reply`` objects: any (a code of ``kind``, an optional matching status, 1-4 lines), or
    ones whose classified ``reason`` is ``reason`` (built from the text rules and the status
    table, so they look like what servers send for it).

    >>> from hypothesis import given
    >>> @given(replies(ReplyKind.PERMANENT_NEGATIVE))
    ... def test(r):
    ...     assert r.is_permanent and smtpcodes.parse(str(r)) == r
    >>> test()
    """
    if reason is not None:
        strategy = _reply_for_reason(reason)
        if kind is not None:
            strategy = strategy.filter(lambda r: r.kind is kind)
        return strategy
    return _plain_reply(kind)


def reply_texts(style: Style | None = None, kind: ReplyKind | None = None) -> st.SearchStrategy[str]:
    """Reply text as it is found in the wild: ``plain`` (``550 5.1.1 text``), ``multiline``
    (``550-…\\r\\n550 …``), ``dsn`` (``smtp; 550 …``), ``exchange`` (``#5.1.1 smtp;550 …``) or
    ``postfix`` (``host mx[ip] said: 550 … (in reply to RCPT TO command)``). All parse.

    >>> from hypothesis import given
    >>> @given(reply_texts("postfix"))
    ... def test(text):
    ...     assert smtpcodes.parse(text).smtp_command == "RCPT TO"
    >>> test()
    """
    styles = [style] if style is not None else list(STYLES)

    @st.composite
    def build(draw: st.DrawFn) -> str:
        r = draw(_plain_reply(kind))
        code = r.code
        assert code is not None  # _plain_reply always has a code
        how = draw(st.sampled_from(styles))
        wire = str(r)
        if how == "plain":
            return str(Reply(code=r.code, status=r.status, lines=[" ".join(r.lines)]))
        if how == "multiline":
            return wire
        one_line = str(Reply(code=r.code, status=r.status, lines=[" ".join(r.lines)]))
        if how == "dsn":
            return f"{draw(st.sampled_from(['smtp; ', 'SMTP;', 'smtp;']))}{one_line}"
        if how == "exchange":
            status = r.status or EnhancedStatus(code // 100 if code // 100 in (2, 4, 5) else 5, 0, 0)
            return f"#{status} smtp;{one_line}"
        host = draw(st.sampled_from(["mx.example.com[192.0.2.1]", "mail.example.org[198.51.100.7]"]))
        return f"host {host} said: {one_line} (in reply to RCPT TO command)"

    return build()


_LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


@st.composite
def _dsn(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, Reply]]]:
    recipients = draw(
        st.lists(
            st.tuples(_LOCAL.map(lambda u: f"{u}@example.net"), replies(ReplyKind.PERMANENT_NEGATIVE) | replies(ReplyKind.TRANSIENT_NEGATIVE)),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        )
    )
    eol = draw(st.sampled_from(["\r\n", "\n"]))
    boundary = "=_" + draw(_LOCAL)
    groups = []
    expected = []
    for address, reply in recipients:
        status = reply.status or EnhancedStatus(reply.kind.value if reply.kind.value in (4, 5) else 5, 0, 0)
        action = "failed" if reply.is_permanent else "delayed"
        one_line = " ".join(reply.lines)
        diagnostic = f"smtp; {reply.code} {reply.status or ''} {one_line}".replace("  ", " ").rstrip()
        groups.append(eol.join([
            f"Final-Recipient: rfc822; {address}",
            f"Action: {action}",
            f"Status: {status}",
            f"Diagnostic-Code: {diagnostic}",
        ]))
        # The report's Status fills in a status the reply itself does not carry.
        expected.append((address, Reply(code=reply.code, status=status, lines=[one_line])))
    head = eol.join([
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>",
        "To: sender@example.com",
        "Subject: Undelivered Mail Returned to Sender",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain",
        "",
        "Your message could not be delivered.",
        "",
        f"--{boundary}",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example.org",
        "",
    ])
    body = head + eol + (eol + eol).join(groups) + eol + eol + f"--{boundary}--" + eol
    return body.encode(), expected


def bounce_emails() -> st.SearchStrategy[tuple[bytes, list[tuple[str, Reply]]]]:
    """Standard delivery status notifications (RFC 3464) with 1-3 failed or delayed
    recipients, CRLF or LF line ends, as ``(email_bytes, [(address, reply), …])``: what
    ``parse_bounce`` must find in them.

    >>> from hypothesis import given
    >>> @given(bounce_emails())
    ... def test(case):
    ...     raw, expected = case
    ...     report = smtpcodes.parse_bounce(raw)
    ...     assert [(r.address, r.reply.code) for r in report.recipients] == [(a, x.code) for a, x in expected]
    >>> test()
    """
    return _dsn()


__all__ = ["STYLES", "bounce_emails", "enhanced_statuses", "replies", "reply_codes", "reply_texts"]
