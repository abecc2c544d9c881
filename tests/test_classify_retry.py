"""Bounce type and reason from codes alone, RetryPolicy and decide()."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import date, datetime, timedelta, timezone

import pytest

import smtpcodes as sc
from smtpcodes import Action, Bounce, Reason, RetryPolicy, Scope, registry

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# Classification


@pytest.mark.parametrize(
    ("text", "bounce", "reason"),
    [
        ("550 5.1.1 User unknown", Bounce.HARD, Reason.USER_UNKNOWN),
        ("550 5.1.2 Host unknown", Bounce.HARD, Reason.HOST_UNKNOWN),
        ("552 5.2.2 Mailbox full", Bounce.SOFT, Reason.MAILBOX_FULL),
        ("552 5.3.4 Message too big", Bounce.SOFT, Reason.MESG_TOO_BIG),
        ("550 5.7.26 Unauthenticated email", Bounce.SOFT, Reason.AUTH_FAILURE),
        ("556 5.1.10 Recipient address has null MX", Bounce.HARD, Reason.NOT_ACCEPT),
        ("450 4.1.1 User unknown, try later", Bounce.SOFT, Reason.USER_UNKNOWN),
        ("550 4.2.2 mailbox full", Bounce.SOFT, Reason.MAILBOX_FULL),
        ("250 OK", Bounce.NONE, Reason.DELIVERED),
        ("250 2.0.0 OK", Bounce.NONE, Reason.DELIVERED),
        ("354 go ahead", Bounce.NONE, Reason.DELIVERED),
        ("2.1.5 ok", Bounce.NONE, Reason.DELIVERED),
        ("550 Requested action not taken", Bounce.UNKNOWN, Reason.UNDEFINED),
        ("550 2.1.5 odd", Bounce.UNKNOWN, Reason.UNDEFINED),
        ("5.1.1 unknown", Bounce.HARD, Reason.USER_UNKNOWN),
        ("4.1.1 unknown", Bounce.SOFT, Reason.USER_UNKNOWN),
        ("smtp; 550 5.1.1 x", Bounce.HARD, Reason.USER_UNKNOWN),
    ],
)
def test_bounce_and_reason_from_codes(text, bounce, reason):
    r = sc.parse(text)
    assert r.bounce is bounce
    assert r.reason is reason
    d = r.to_dict()
    assert (d["bounce"], d["reason"]) == (bounce.value, reason.value)


def test_conflicting_reply_keeps_the_status_reason():
    r = sc.parse("550 4.2.2 mailbox full")
    assert r.conflict is True
    assert (r.bounce, r.reason) == (Bounce.SOFT, Reason.MAILBOX_FULL)


@pytest.mark.parametrize("entry", registry.enhanced(), ids=lambda e: e.code)
@pytest.mark.parametrize("code", ["450", "451", "421", "550", ""])
def test_class_4_status_is_never_hard(entry, code):
    text = f"{code} 4.{entry.subject}.{entry.detail} x".strip()
    r = sc.parse(text)
    assert r.bounce is not Bounce.HARD, text
    assert r.retry().suppress is False, text


@pytest.mark.parametrize("entry", registry.enhanced(), ids=lambda e: e.code)
@pytest.mark.parametrize("code", ["450", "451", "421"])
def test_transient_reply_is_never_hard(entry, code):
    # Whatever the status class, a 4xx reply may pass.
    text = f"{code} 5.{entry.subject}.{entry.detail} x"
    assert sc.parse(text).bounce is not Bounce.HARD, text


@pytest.mark.parametrize("entry", registry.enhanced(), ids=lambda e: e.code)
def test_permanent_failure_is_never_a_non_bounce(entry):
    r = sc.parse(f"550 5.{entry.subject}.{entry.detail} x")
    assert r.bounce is not Bounce.NONE
    assert r.reason is not Reason.DELIVERED


# ---------------------------------------------------------------------------------------------
# RetryPolicy


def test_retry_policy_defaults():
    p = RetryPolicy()
    assert p.base_delay == timedelta(seconds=300)
    assert p.max_delay == timedelta(seconds=4000)
    assert p.max_age == timedelta(days=5)
    assert p.max_attempts is None
    assert p.throttle_delay == timedelta(seconds=900)
    for v in (p.base_delay, p.max_delay, p.max_age, p.throttle_delay):
        assert type(v) is timedelta


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("base_delay", 60, timedelta(seconds=60)),
        ("base_delay", 60.0, timedelta(seconds=60)),
        ("base_delay", 0, timedelta(0)),
        ("base_delay", timedelta(minutes=2), timedelta(seconds=120)),
        ("max_delay", 3600, timedelta(hours=1)),
        ("max_delay", timedelta(hours=2), timedelta(hours=2)),
        ("max_age", 86400, timedelta(days=1)),
        ("max_age", timedelta(days=4), timedelta(days=4)),
        ("throttle_delay", 30, timedelta(seconds=30)),
        ("throttle_delay", timedelta(minutes=1), timedelta(seconds=60)),
    ],
)
def test_retry_policy_accepts_numbers_and_timedeltas(field, value, expected):
    p = RetryPolicy(**{field: value})
    assert getattr(p, field) == expected


def test_retry_policy_max_attempts():
    assert RetryPolicy(max_attempts=1).max_attempts == 1
    assert RetryPolicy(max_attempts=10).max_attempts == 10


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_delay": -1},
        {"max_delay": -0.5},
        {"max_age": -86400},
        {"throttle_delay": -1},
        {"max_age": timedelta(seconds=-1)},
        {"base_delay": float("nan")},
        {"max_age": float("inf")},
        {"max_attempts": 0},
        {"base_delay": 5000},
        {"max_delay": 10},
        {"base_delay": 600, "max_delay": 599},
    ],
)
def test_retry_policy_invalid_values(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize("kwargs", [{"base_delay": "300"}, {"max_age": "5 days"}, {"max_attempts": "3"}, {"throttle_delay": [900]}])
def test_retry_policy_wrong_types(kwargs):
    with pytest.raises(TypeError):
        RetryPolicy(**kwargs)


def test_retry_policy_is_keyword_only():
    with pytest.raises(TypeError):
        RetryPolicy(300)  # type: ignore[misc]


@pytest.mark.parametrize("attr", ["base_delay", "max_attempts", "foo"])
def test_retry_policy_is_frozen(attr):
    p = RetryPolicy()
    with pytest.raises(AttributeError):
        setattr(p, attr, 1)


def test_retry_policy_eq_and_hash():
    a = RetryPolicy()
    b = RetryPolicy(base_delay=300, max_delay=timedelta(seconds=4000), max_age=timedelta(days=5), throttle_delay=900)
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    c = RetryPolicy(max_attempts=3)
    assert a != c
    assert len({a, b, c}) == 2


@pytest.mark.parametrize(
    "policy",
    [RetryPolicy(), RetryPolicy(max_attempts=3), RetryPolicy(base_delay=60, max_delay=600, max_age=3600, throttle_delay=5)],
)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_retry_policy_pickle(policy, protocol):
    back = pickle.loads(pickle.dumps(policy, protocol))
    assert type(back) is RetryPolicy
    assert back == policy
    assert hash(back) == hash(policy)
    assert copy.deepcopy(policy) == policy


def test_retry_policy_repr():
    rep = repr(RetryPolicy(max_attempts=3))
    assert rep.startswith("RetryPolicy(")
    for f in ("base_delay=300s", "max_delay=4000s", "max_age=432000s", "max_attempts=3", "throttle_delay=900s"):
        assert f in rep


@pytest.mark.parametrize("attempt", range(1, 10))
def test_backoff(attempt):
    assert RetryPolicy().backoff(attempt) == timedelta(seconds=min(300 * 2 ** (attempt - 1), 4000))


# ---------------------------------------------------------------------------------------------
# decide()


@pytest.mark.parametrize("attempt", range(1, 10))
def test_transient_failure_retries_with_doubling_delay(attempt):
    now = T0 + timedelta(hours=1)
    d = sc.decide(sc.parse("451 4.3.0 Try again later"), attempt=attempt, first_attempt=T0, now=now)
    delay = timedelta(seconds=min(300 * 2 ** (attempt - 1), 4000))
    assert d.action is Action.RETRY
    assert d.delay == delay
    assert d.retry_at == now + delay
    assert d.retry_at.tzinfo is not None
    assert d.suppress is False
    assert d.scope is Scope.MESSAGE


@pytest.mark.parametrize("attempt", [1, 2, 3, 6])
def test_custom_policy_delays(attempt):
    p = RetryPolicy(base_delay=60, max_delay=600)
    d = sc.decide(sc.parse("451 4.3.0 later"), attempt=attempt, first_attempt=T0, now=T0, policy=p)
    assert d.delay == timedelta(seconds=min(60 * 2 ** (attempt - 1), 600))


@pytest.mark.parametrize(
    ("age", "action"),
    [
        (timedelta(0), Action.RETRY),
        (timedelta(days=4, hours=23), Action.RETRY),
        (timedelta(days=5) - timedelta(seconds=1), Action.RETRY),
        (timedelta(days=5), Action.GIVE_UP),
        (timedelta(days=5, seconds=1), Action.GIVE_UP),
        (timedelta(days=30), Action.GIVE_UP),
        (-timedelta(hours=1), Action.RETRY),  # first attempt in the future (clock skew)
    ],
)
def test_max_age(age, action):
    d = sc.decide(sc.parse("451 4.3.0 later"), attempt=2, first_attempt=T0, now=T0 + age)
    assert d.action is action
    if action is Action.GIVE_UP:
        assert d.delay is None and d.retry_at is None
        assert "older" in d.explanation


def test_custom_max_age():
    p = RetryPolicy(max_age=timedelta(hours=1))
    r = sc.parse("451 4.3.0 later")
    assert sc.decide(r, first_attempt=T0, now=T0 + timedelta(minutes=59), policy=p).action is Action.RETRY
    assert sc.decide(r, first_attempt=T0, now=T0 + timedelta(hours=2), policy=p).action is Action.GIVE_UP


@pytest.mark.parametrize(("attempt", "action"), [(1, Action.RETRY), (2, Action.RETRY), (3, Action.GIVE_UP), (4, Action.GIVE_UP)])
def test_max_attempts(attempt, action):
    d = sc.decide(sc.parse("451 4.3.0 later"), attempt=attempt, now=T0, policy=RetryPolicy(max_attempts=3))
    assert d.action is action
    if action is Action.GIVE_UP:
        assert "attempt limit" in d.explanation


def test_no_attempt_limit_by_default():
    # The default policy has no max_attempts: a message whose first attempt is recent is retried
    # however many attempts it took (only its age, or the back-off of its attempts when the
    # first attempt is not given, ends it: test_attempts_alone_end_the_retries).
    assert sc.decide(sc.parse("451 4.3.0 later"), attempt=10_000, first_attempt=T0, now=T0).action is Action.RETRY


@pytest.mark.parametrize(
    ("text", "action", "suppress", "scope"),
    [
        ("550 5.1.1 User unknown", Action.SUPPRESS, True, Scope.ADDRESS),
        ("550 5.1.2 Host unknown", Action.SUPPRESS, True, Scope.ADDRESS),
        ("556 5.1.10 null MX", Action.SUPPRESS, True, Scope.ADDRESS),
        ("550 5.7.26 Unauthenticated", Action.FIX_CONFIG, False, Scope.MESSAGE),
        ("552 5.2.2 Mailbox full", Action.GIVE_UP, False, Scope.MESSAGE),
        ("552 5.3.4 Too big", Action.GIVE_UP, False, Scope.MESSAGE),
        ("550 4.2.2 full", Action.GIVE_UP, False, Scope.MESSAGE),
        ("4.2.2 full", Action.RETRY, False, Scope.MESSAGE),
        ("450 4.1.1 try later", Action.RETRY, False, Scope.MESSAGE),
        ("250 OK", Action.DELIVERED, False, Scope.MESSAGE),
        ("354 go ahead", Action.DELIVERED, False, Scope.MESSAGE),
    ],
)
def test_actions(text, action, suppress, scope):
    for attempt in (1, 5):
        d = sc.decide(sc.parse(text), attempt=attempt, first_attempt=T0, now=T0)
        assert d.action is action
        assert d.suppress is suppress
        assert d.scope is scope
        if action not in (Action.RETRY, Action.THROTTLE):
            assert d.delay is None
            assert d.retry_at is None


def test_suppress_decision_fields():
    d = sc.decide(sc.parse("550 5.1.1 User unknown"), now=T0)
    assert (d.action, d.suppress, d.scope, d.reason, d.bounce) == (
        Action.SUPPRESS, True, Scope.ADDRESS, Reason.USER_UNKNOWN, Bounce.HARD,
    )


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempt_counts_from_one(attempt):
    with pytest.raises((ValueError, OverflowError)):
        sc.decide(sc.parse("451 4.3.0 later"), attempt=attempt)


def test_attempt_zero_is_a_value_error():
    with pytest.raises(ValueError, match="attempt"):
        sc.decide(sc.parse("451 4.3.0 later"), attempt=0)


NAIVE = datetime(2026, 11, 25, 12, 0)


@pytest.mark.parametrize(
    ("first_attempt", "now"),
    [(NAIVE, T0), (T0, NAIVE), (NAIVE, None), ("2026-11-25", T0), (5, T0), (None, "now")],
)
def test_mixed_or_wrong_datetimes_are_type_errors(first_attempt, now):
    with pytest.raises(TypeError):
        sc.decide(sc.parse("451 4.3.0 later"), first_attempt=first_attempt, now=now)


# Regression: decide() once called now.__sub__ / now.__add__ on whatever it was given: a str raised
# AttributeError, an int gave retry_at=NotImplemented, and a date gave retry_at == now.
@pytest.mark.parametrize(
    ("first_attempt", "now"),
    [
        pytest.param(T0, "now", id="str-now"),
        pytest.param(None, 5, id="int-now"),
        pytest.param(None, object(), id="object-now"),
        pytest.param(None, date(2026, 11, 25), id="date-now"),
        pytest.param(date(2026, 11, 20), date(2026, 11, 25), id="dates"),
        pytest.param(date(2026, 11, 20), T0, id="date-first-attempt"),
    ],
)
def test_non_datetimes_are_type_errors(first_attempt, now):
    with pytest.raises(TypeError):
        sc.decide(sc.parse("451 4.3.0 later"), first_attempt=first_attempt, now=now)


def test_naive_datetimes_together_work():
    d = sc.decide(sc.parse("451 4.3.0 later"), first_attempt=NAIVE, now=NAIVE + timedelta(hours=1))
    assert d.retry_at == NAIVE + timedelta(hours=1, seconds=300)


def test_decide_needs_a_reply():
    with pytest.raises(TypeError):
        sc.decide("451 4.3.0 later")  # type: ignore[arg-type]


def test_now_defaults_to_aware_utc():
    before = datetime.now(timezone.utc)
    d = sc.decide(sc.parse("451 4.3.0 later"))
    after = datetime.now(timezone.utc)
    assert d.retry_at.tzinfo is not None
    assert before + d.delay <= d.retry_at <= after + d.delay


@pytest.mark.parametrize(
    "text", ["550 5.1.1 x", "451 4.3.0 x", "250 OK", "552 5.2.2 x", "550 5.7.26 x", "550 4.2.2 x", "5.7.1 x", "4.2.2 x"]
)
def test_reply_retry_equals_decide(text):
    r = sc.parse(text)
    a, b = r.retry(), sc.decide(r)
    assert a.action is b.action
    assert (a.delay, a.suppress, a.scope, a.reason, a.bounce, a.explanation) == (
        b.delay, b.suppress, b.scope, b.reason, b.bounce, b.explanation,
    )


def test_decisions_compare_equal():
    r = sc.parse("451 4.3.0 later")
    a = sc.decide(r, attempt=2, first_attempt=T0, now=T0)
    b = sc.decide(r, attempt=2, first_attempt=T0, now=T0)
    c = sc.decide(r, attempt=3, first_attempt=T0, now=T0)
    assert a == b and hash(a) == hash(b)
    assert a != c


DECISION_KEYS = {"action", "delay", "retry_at", "suppress", "scope", "reason", "bounce", "explanation"}


@pytest.mark.parametrize("text", ["550 5.1.1 x", "451 4.3.0 x", "250 OK", "550 5.7.26 x", "552 5.2.2 x"])
def test_decision_to_dict(text):
    d = sc.decide(sc.parse(text), attempt=2, first_attempt=T0, now=T0)
    out = d.to_dict()
    assert set(out) == DECISION_KEYS
    assert json.loads(json.dumps(out)) == out
    assert out["action"] == d.action.value
    assert out["scope"] == d.scope.value
    assert out["reason"] == d.reason.value
    assert out["bounce"] == d.bounce.value
    assert out["suppress"] is d.suppress
    assert out["explanation"] == d.explanation
    if d.delay is None:
        assert out["delay"] is None and out["retry_at"] is None
    else:
        assert out["delay"] == d.delay.total_seconds()
        assert datetime.fromisoformat(out["retry_at"]) == d.retry_at


def test_decision_to_dict_values():
    d = sc.decide(sc.parse("451 4.3.0 Try again later"), attempt=2, first_attempt=T0, now=T0)
    assert d.to_dict() == {
        "action": "retry",
        "delay": 600,
        "retry_at": "2026-11-25T12:10:00+00:00",
        "suppress": False,
        "scope": "message",
        "reason": "systemerror",
        "bounce": "soft",
        "explanation": d.explanation,
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("550 5.1.1 x", "userunknown"),
        ("451 4.3.0 x", "systemerror"),
        ("250 OK", "delivered"),
        ("552 5.2.2 x", "mailboxfull"),
        ("550 5.7.26 x", "authfailure"),
        ("550 Requested action not taken", "undefined"),
    ],
)
def test_explanation_is_a_sentence_naming_the_reason(text, reason):
    d = sc.decide(sc.parse(text), now=T0)
    e = d.explanation
    assert isinstance(e, str) and e.strip()
    assert e.endswith(".")
    assert reason in e
    assert str(sc.parse(text).code) in e
    assert d.reason.value == reason


def test_retry_explanation_names_the_delay():
    d = sc.decide(sc.parse("451 4.3.0 x"), attempt=3, now=T0)
    assert "1200 s" in d.explanation


def test_decision_repr():
    rep = repr(sc.decide(sc.parse("550 5.1.1 x"), now=T0))
    assert rep.startswith("RetryDecision(")
    assert "SUPPRESS" in rep and "userunknown" in rep


def test_attempts_alone_end_the_retries():
    # Without first_attempt, the back-off of the attempts made is the least age: 112 attempts of
    # the default policy (300 s doubling to 4,000 s) take longer than its 5 days.
    reply = sc.parse("451 4.3.0 Try again later")
    assert sc.decide(reply, attempt=111).action is sc.Action.RETRY
    d = sc.decide(reply, attempt=112)
    assert d.action is sc.Action.GIVE_UP and "112 attempts" in d.explanation
    assert sc.decide(sc.parse("421 4.7.28 unusual rate"), attempt=1000).action is sc.Action.GIVE_UP
    # A known first attempt wins; max_attempts always ends it.
    from datetime import datetime, timezone

    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert sc.decide(reply, attempt=1000, first_attempt=now, now=now).action is sc.Action.RETRY
    d = sc.decide(reply, attempt=3, policy=sc.RetryPolicy(max_attempts=3))
    assert d.action is sc.Action.GIVE_UP and "attempt limit" in d.explanation
