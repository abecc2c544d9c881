"""smtpcodes.strategies: everything generated parses and round-trips; replies(reason=…) keeps its word."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smtpcodes as sc
from smtpcodes import Reason, ReplyKind
from smtpcodes import strategies as sst

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@pytest.mark.parametrize("style", sst.STYLES)
def test_reply_texts_parse(style):
    @SETTINGS
    @given(sst.reply_texts(style))
    def check(text):
        r = sc.parse(text)
        assert r.code is not None
        if style == "postfix":
            assert (r.remote_mta is not None, r.smtp_command) == (True, "RCPT TO")

    check()


@pytest.mark.parametrize("kind", [ReplyKind.POSITIVE_COMPLETION, ReplyKind.TRANSIENT_NEGATIVE, ReplyKind.PERMANENT_NEGATIVE, None])
def test_replies_round_trip(kind):
    @SETTINGS
    @given(sst.replies(kind))
    def check(r):
        assert sc.parse(str(r)) == r
        if kind is not None:
            assert r.kind is kind

    check()


def _reasons_with_sources() -> list[Reason]:
    out = []
    for reason in Reason:
        has_rule = any(v == reason.value and phrases and not cmds for _, v, phrases, *_rest, cmds, _p, _s in sc._native._rules())
        has_status = any(
            sc.Reply(code=550, status=sc.EnhancedStatus(5, e.subject, e.detail)).explain().status_reason is reason
            for e in sc.registry.enhanced()
            if not e.deprecated
        )
        if has_rule or has_status:
            out.append(reason)
    return out


@pytest.mark.parametrize("reason", _reasons_with_sources())
def test_replies_by_reason(reason):
    @SETTINGS
    @given(sst.replies(reason=reason))
    def check(r):
        assert r.reason is reason
        assert sc.parse(str(r)) == r

    check()


def test_enhanced_statuses():
    @SETTINGS
    @given(sst.enhanced_statuses(4, registered=False))
    def check(s):
        assert s.klass == 4
        assert sc.EnhancedStatus(str(s)) == s

    check()


def test_registered_with_hypothesis():
    @SETTINGS
    @given(st.from_type(sc.Reply), st.from_type(sc.EnhancedStatus))
    def check(r, s):
        assert isinstance(r, sc.Reply) and isinstance(s, sc.EnhancedStatus)

    check()


def test_bounce_emails_parse_back():
    @SETTINGS
    @given(sst.bounce_emails())
    def check(case):
        raw, expected = case
        report = sc.parse_bounce(raw)
        assert report.format == "rfc3464"
        got = [(r.address, r.reply) for r in report.recipients]
        assert [a for a, _ in got] == [a for a, _ in expected]
        for (_, reply), (_, want) in zip(got, expected):
            assert reply is not None
            assert (reply.code, reply.status, reply.text) == (want.code, want.status, want.text)

    check()
