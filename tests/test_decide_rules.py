"""The retry rules of DESIGN §3 / issue 4, end to end through the full classifier."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import pytest

import smtpcodes as sc
from smtpcodes import Action, Scope

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def decide(text: str, *, attempt: int = 1, age: timedelta | None = None, policy: sc.RetryPolicy | None = None):
    first = None if age is None else T0 - age
    return sc.decide(sc.parse(text), attempt=attempt, first_attempt=first, now=T0, policy=policy)


@pytest.mark.parametrize(
    ("reply", "action", "scope", "suppress"),
    [
        ("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown", Action.SUPPRESS, Scope.ADDRESS, True),
        ("550 5.1.2 Host unknown", Action.SUPPRESS, Scope.ADDRESS, True),
        ("250 2.0.0 OK", Action.DELIVERED, Scope.MESSAGE, False),
        # The destination takes nothing without TLS: the fix is the sending host's, for all of it.
        ("530 5.7.0 Must issue a STARTTLS command first", Action.FIX_CONFIG, Scope.DESTINATION, False),
        ("550 5.7.26 Unauthenticated email is not accepted", Action.FIX_CONFIG, Scope.MESSAGE, False),
        ("554 5.7.1 <x@example.org>: Relay access denied", Action.FIX_CONFIG, Scope.MESSAGE, False),
        ("500 5.5.2 Syntax error, command unrecognized", Action.FIX_CONFIG, Scope.MESSAGE, False),
        (
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            Action.GIVE_UP,
            Scope.DESTINATION,
            False,
        ),
        ("421 4.7.0 Too many connections from your IP", Action.THROTTLE, Scope.DESTINATION, False),
        (
            "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints",
            Action.THROTTLE,
            Scope.DESTINATION,
            False,
        ),
        (
            "451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation.",
            Action.THROTTLE,
            Scope.DESTINATION,
            False,
        ),
        ("451 4.3.0 Temporary local problem", Action.RETRY, Scope.MESSAGE, False),
    ],
)
def test_the_rules_to_get_right(reply, action, scope, suppress):
    d = decide(reply)
    assert (d.action, d.scope, d.suppress) == (action, scope, suppress), d.explanation


def test_greylisting_retries_after_the_greylisting_delay():
    d = decide("450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html")
    assert d.action is Action.RETRY
    assert d.delay == timedelta(seconds=300)
    assert "greylisting" in d.explanation
    p = sc.RetryPolicy(greylist_delay=timedelta(minutes=2))
    assert decide("450 4.2.0 Greylisted, please try again", policy=p).delay == timedelta(minutes=2)


def test_mailbox_full_retries_then_suppresses():
    assert decide("452 4.2.2 Mailbox full", age=timedelta(hours=3)).action is Action.RETRY
    d = decide("452 4.2.2 Mailbox full", attempt=20, age=timedelta(days=5))
    assert (d.action, d.suppress, d.scope) == (Action.SUPPRESS, True, Scope.ADDRESS)
    p = sc.RetryPolicy(suppress_full_after=timedelta(days=10))
    assert decide("452 4.2.2 Mailbox full", age=timedelta(days=6), policy=p).action is Action.GIVE_UP


def test_the_servers_own_delay_is_used():
    d = decide("451 4.7.1 Please try again in 10 minutes")
    assert d.delay == timedelta(minutes=10)
    assert d.retry_at == T0 + timedelta(minutes=10)
    assert decide("421 4.7.28 Too many messages, retry after 120 seconds").delay == timedelta(seconds=120)


def test_any_transient_failure_past_the_maximum_age_gives_up():
    assert decide("451 4.3.0 later", age=timedelta(days=5, seconds=1)).action is Action.GIVE_UP


def test_policy_fields_have_documented_defaults_and_pickle():
    p = sc.RetryPolicy()
    assert (p.greylist_delay, p.suppress_full_after) == (timedelta(seconds=300), timedelta(days=5))
    q = sc.RetryPolicy(greylist_delay=60, suppress_full_after=timedelta(days=30))
    assert pickle.loads(pickle.dumps(q)) == q
    assert "greylist_delay=60s" in repr(q)
    with pytest.raises(ValueError):
        sc.RetryPolicy(greylist_delay=-1)


def test_microsoft_server_busy_tokens_throttle():
    d = decide("451 4.7.500 Server busy. Please try again later from [203.0.113.10]. (S77714) [BL6PEPF0001AB50.namprd04.prod.outlook.com]")
    assert (d.action, d.scope, d.reason) == (Action.THROTTLE, Scope.DESTINATION, sc.Reason.RATE_LIMITED)
