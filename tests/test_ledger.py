"""The bounce ledger: events, policy, storage on SQLite and PostgreSQL, replay."""

from __future__ import annotations

import multiprocessing
import pickle
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smtpcodes as sc

T0 = 1796601600  # 2026-12-07T00:00:00Z
DAY = 86400
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bounces"


# ---------------------------------------------------------------------------------------------
# Events


def test_event_normalizes_and_defaults():
    e = sc.Event(" <Bob@Example.COM> ", "bounced", T0, reason="userunknown")
    assert e.address == "bob@example.com"
    assert e.domain == "example.com"
    assert e.kind is sc.EventKind.BOUNCED
    assert e.reason is sc.Reason.USER_UNKNOWN
    assert e.bounce is sc.Bounce.HARD  # the reason's usual type
    assert e.source is sc.EventSource.MANUAL
    assert e.at == datetime(2026, 12, 7, tzinfo=UTC)
    assert e.id.startswith("h:")
    # The same content gives the same id; other content another.
    assert sc.Event("bob@example.com", "bounced", T0, reason="userunknown").id == e.id
    assert sc.Event("bob@example.com", "bounced", T0 + 1, reason="userunknown").id != e.id
    # A deferral is never hard, whatever its reason.
    assert sc.Event("bob@example.com", "deferred", T0, reason="userunknown").bounce is sc.Bounce.SOFT
    assert sc.Event("x@gmail.com", "delivered", T0).provider == "google"


def test_event_is_frozen_hashable_and_picklable():
    e = sc.Event("bob@example.com", "suppressed", T0, id="ev-1", detail="asked by phone", until=T0 + DAY)
    assert pickle.loads(pickle.dumps(e)) == e
    assert hash(pickle.loads(pickle.dumps(e))) == hash(e)
    assert {e, e} == {e}
    with pytest.raises(AttributeError):
        e.kind = "bounced"  # type: ignore[misc]
    d = e.to_dict()
    assert d["id"] == "ev-1" and d["until"] == "2026-12-08T00:00:00+00:00" and d["kind"] == "suppressed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bob", "bounced"), "no '@'"),
        (("", "bounced"), "empty"),
        (("bob@example.com", "bouncd"), "kind \"bouncd\" is not one of"),
        (("bob@example.com", "bounced"), None),
    ],
)
def test_event_errors_say_what_is_wrong(args, message):
    if message is None:
        sc.Event(*args, T0)
        return
    with pytest.raises(ValueError, match=message):
        sc.Event(*args, T0)
    with pytest.raises(ValueError, match="reason"):
        sc.Event("bob@example.com", "bounced", T0, reason="nope")
    with pytest.raises(ValueError, match="empty"):
        sc.Event("bob@example.com", "bounced", T0, id="")


def test_event_from_reply_and_from_bounce():
    r = sc.parse("host mx.example.com[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)")
    e = sc.Event.from_reply(r, "bob@example.com", T0)
    assert (e.kind, e.reason, e.action, e.mx) == (sc.EventKind.DEFERRED, sc.Reason.MAILBOX_FULL, sc.Action.RETRY, "mx.example.com")
    assert e.source is sc.EventSource.REPLY
    report = sc.parse_bounce((EXAMPLES / "postfix-dsn.eml").read_bytes())
    events = sc.Event.from_bounce(report, T0)
    assert len(events) == len(report.recipients) >= 1
    assert events[0].kind is sc.EventKind.BOUNCED and events[0].source is sc.EventSource.BOUNCE
    # Scanning the same bounce again gives the same ids.
    assert [x.id for x in sc.Event.from_bounce(report, T0 + 999)] == [x.id for x in events]


# ---------------------------------------------------------------------------------------------
# Policy


def test_policy_defaults_and_pickling():
    p = sc.LedgerPolicy()
    assert p.soft_bounce_limit == 7
    assert p.soft_bounce_span == timedelta(days=5)
    assert p.hard_bounce_ttl is None and p.complaint_ttl is None
    assert p.window == timedelta(hours=1) and p.min_attempts == 20
    assert (p.throttle_share, p.deferred_share, p.stop_share) == (0.1, 0.3, 0.5)
    assert p.retry == sc.RetryPolicy()
    q = sc.LedgerPolicy(soft_bounce_limit=3, hard_bounce_ttl=timedelta(days=30), retry=sc.RetryPolicy(max_attempts=4))
    assert pickle.loads(pickle.dumps(q)) == q and hash(pickle.loads(pickle.dumps(q))) == hash(q)
    assert q != p
    for bad in ({"soft_bounce_limit": 0}, {"stop_share": 1.5}, {"window": 0}, {"soft_bounce_span": -1}):
        with pytest.raises(ValueError):
            sc.LedgerPolicy(**bad)


def test_address_state_over_events():
    events = [sc.Event("bob@example.com", "bounced", T0 + d * DAY, bounce="soft", id=f"s{d}") for d in range(7)]
    s = sc.address_state(events, now=T0 + 7 * DAY)
    assert (s.status, s.cause, s.can_send, s.soft_count) == (
        sc.AddressStatus.SUPPRESSED,
        sc.SuppressionCause.SOFT_BOUNCES,
        False,
        7,
    )
    assert s.events == tuple(f"s{d}" for d in range(7))
    assert "soft-bounced 7 times" in s.explanation
    with pytest.raises(ValueError, match="one address"):
        sc.address_state([events[0], sc.Event("amy@example.com", "delivered", T0)])
    with pytest.raises(TypeError):
        sc.address_state(["not an event"])


def test_destination_health():
    now = T0
    events = [sc.Event(f"u{i}@example.com", "bounced", now - i, reason="blocked") for i in range(15)]
    events += [sc.Event(f"v{i}@example.com", "delivered", now - i) for i in range(10)]
    h = sc.destination_health(events, now=now)
    assert h.advice is sc.Advice.STOP
    assert (h.attempts, h.blocked, h.delivered) == (25, 15, 10)
    assert h.until == datetime.fromtimestamp(now + 3600, UTC)
    assert any("blocked or refused by policy" in r for r in h.reasons)
    assert h.to_dict()["advice"] == "stop"


# ---------------------------------------------------------------------------------------------
# Storage, on both backends


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "bounces.sqlite")
    return request.getfixturevalue("postgresql_db")


@pytest.fixture
def ledger(target):
    with sc.Ledger(target) as ledger:
        yield ledger


def test_record_check_release(ledger):
    r = sc.parse("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown")
    result = ledger.record(r, address="bob@example.com", at=T0)
    assert result == sc.RecordResult(events=1, new=1, addresses=1, skipped=0)
    assert ledger.record(r, address="bob@example.com", at=T0).new == 0  # idempotent
    v = ledger.check("BOB@example.com")
    assert not v.send
    assert (v.status, v.cause, v.reason) == (sc.AddressStatus.SUPPRESSED, sc.SuppressionCause.HARD_BOUNCE, sc.Reason.USER_UNKNOWN)
    assert v.since == datetime.fromtimestamp(T0, UTC) and v.until is None
    assert len(v.events) == 1
    assert [x.address for x in ledger.suppressed()] == ["bob@example.com"]
    released = ledger.release("bob@example.com", "mailbox recreated", by="support", at=T0 + 60)
    assert released.send and released.status is sc.AddressStatus.ACTIVE
    history = ledger.history("bob@example.com")
    assert [e.kind for e in history] == [sc.EventKind.BOUNCED, sc.EventKind.RELEASED]
    assert history[1].detail == "mailbox recreated (released by support)"
    assert ledger.suppressed() == []
    with pytest.raises(ValueError, match="reason"):
        ledger.release("bob@example.com", " ")
    assert ledger.check("nobody@example.com").explanation == "Send: no event names this address."
    assert len(ledger) == 1


def test_suppression_expires_at_check_time(ledger):
    ledger.suppress("amy@example.com", "asked us to pause", until=T0 + DAY, at=T0)
    assert not ledger.check("amy@example.com", now=T0 + 10).send
    later = ledger.check("amy@example.com", now=T0 + DAY)
    assert later.send and "ended" in later.explanation
    assert ledger.suppressed(now=T0 + DAY) == []


def test_record_batches_of_every_kind(ledger):
    # A parse_bounces result: one event per recipient, at the report's own dates.
    bounces = sc.parse_bounces(sorted(EXAMPLES.glob("*.eml")))
    result = ledger.record(bounces, at=T0)
    assert result.events + result.skipped == len(bounces)
    assert result.new == result.events > 0
    assert ledger.record(bounces, at=T0).new == 0  # the same mailbox scanned twice
    # A classify result with its addresses.
    classified = sc.classify(["452 4.2.2 Mailbox full", "250 2.0.0 OK", None])
    r = ledger.record(classified, addresses=["amy@example.com", "cy@example.com", "dan@example.com"], at=T0)
    assert (r.events, r.skipped) == (2, 1)
    assert ledger.history("amy@example.com")[0].kind is sc.EventKind.DEFERRED
    with pytest.raises(ValueError, match="addresses"):
        ledger.record(classified, addresses=["a@example.com"])
    with pytest.raises(TypeError):
        ledger.record(classified)
    with pytest.raises(TypeError):
        ledger.record("550 5.1.1 nope")
    # A bounce report object and a list of events.
    report = sc.parse_bounce((EXAMPLES / "postfix-dsn.eml").read_bytes())
    assert ledger.record(report, at=T0).new == 0
    assert ledger.record([sc.Event("eve@example.com", "unsubscribed", T0)]).new == 1
    # from_exception's {recipient: Reply} of a refused send.
    import smtplib

    refused = sc.from_exception(smtplib.SMTPRecipientsRefused({"fay@example.com": (550, b"5.1.1 User unknown")}))
    assert ledger.record(refused, at=T0).new == 1
    assert ledger.check("fay@example.com").cause is sc.SuppressionCause.HARD_BOUNCE
    assert ledger.check("eve@example.com").cause is sc.SuppressionCause.UNSUBSCRIBED


def test_destinations(ledger):
    now = T0
    events = [sc.Event(f"u{i}@gmail.com", "deferred", now - i, reason="ratelimited") for i in range(10)]
    events += [sc.Event(f"v{i}@gmail.com", "delivered", now - i) for i in range(20)]
    events += [sc.Event(f"w{i}@example.org", "delivered", now - i) for i in range(3)]
    ledger.record(events)
    health = ledger.destinations(now=now)
    assert [h.destination for h in health] == ["gmail.com", "example.org"]
    assert health[0].advice is sc.Advice.SLOW_DOWN and health[1].advice is sc.Advice.OK
    by_provider = ledger.destinations(now=now, by="provider")
    assert [h.destination for h in by_provider] == ["google"]
    assert ledger.destination("google", now=now).attempts == 30
    assert ledger.destinations(now=now, by="mx") == []  # no event named its receiving host
    with pytest.raises(ValueError, match="by must be"):
        ledger.destinations(by="country")
    assert ledger.destination("nowhere.example", now=now).attempts == 0
    over_time = ledger.health_over_time("gmail.com", start=now - 7200, end=now, step=3600)
    assert [h.attempts for h in over_time] == [0, 0, 30]


def test_policy_change_rebuilds_states(target):
    with sc.Ledger(target) as ledger:
        ledger.record([sc.Event("amy@example.com", "bounced", T0 + d * DAY, reason="mailboxfull", id=f"m{d}") for d in range(4)])
        # Mailbox full for 3 days: below the 5-day limit.
        assert ledger.check("amy@example.com").status is sc.AddressStatus.SOFT_BOUNCING
    strict = sc.LedgerPolicy(retry=sc.RetryPolicy(suppress_full_after=2 * DAY))
    with sc.Ledger(target, policy=strict) as ledger:
        assert ledger.check("amy@example.com").cause is sc.SuppressionCause.MAILBOX_FULL
        assert ledger.rebuild() == 1


def test_newer_schema_is_refused(tmp_path):
    path = str(tmp_path / "l.sqlite")
    sc.Ledger(path).close()
    import sqlite3

    with sqlite3.connect(path) as c:
        c.execute("UPDATE smtpcodes_meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(RuntimeError, match="schema version 999"):
        sc.Ledger(path)


_kinds = st.sampled_from(["delivered", "deferred", "bounced", "complained", "unsubscribed", "suppressed", "released"])
_reasons = st.sampled_from(["userunknown", "mailboxfull", "blocked", "ratelimited", "undefined"])
_events = st.lists(
    st.builds(
        lambda who, kind, reason, day, n: sc.Event(
            f"user{who}@example.com", kind, T0 + day * DAY, reason=reason if kind in ("bounced", "deferred") else None, id=f"e{who}-{n}-{kind}-{reason}-{day}"
        ),
        st.integers(0, 3),
        _kinds,
        _reasons,
        st.integers(0, 12),
        st.integers(0, 5),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=_events, seed=st.integers(0, 2**32))
def test_recording_in_any_order_and_twice_gives_the_policys_state(events, seed, tmp_path_factory):
    now = T0 + 13 * DAY
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    path = tmp_path_factory.mktemp("prop") / "l.sqlite"
    with sc.Ledger(str(path)) as ledger:
        half = len(shuffled) // 2
        ledger.record(shuffled[:half])
        ledger.record(shuffled[half:] + shuffled[: half // 2])  # some recorded twice
        for address in {e.address for e in events}:
            mine = [e for e in events if e.address == address]
            expected = sc.address_state(mine, now=now)
            got = ledger.check(address, now=now)
            assert (got.status, got.cause, got.soft_count, got.events) == (
                expected.status,
                expected.cause,
                expected.soft_count,
                expected.events,
            )


def _writer(path: str, worker: int, n: int, batch: int) -> None:
    with sc.Ledger(path) as ledger:
        for start in range(0, n, batch):
            ledger.record(
                [
                    sc.Event(f"user{i % 50}@example.com", "deferred", T0 + i, reason="mailboxfull", id=f"w{worker}-{i}")
                    for i in range(start, min(n, start + batch))
                ]
            )


@pytest.mark.parametrize("writers", [4])
def test_concurrent_writers_lose_nothing(target, writers):
    """Several processes record events for the same addresses at once: every event lands, and
    every address's stored state is the one its whole history gives."""
    n, batch = 300, 25
    sc.Ledger(target).close()  # create the schema once
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(target, w, n, batch)) for w in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with sc.Ledger(target) as ledger:
        histories = {f"user{a}@example.com": ledger.history(f"user{a}@example.com") for a in range(50)}
        total = sum(len(h) for h in histories.values())
        assert total == writers * n, f"{writers * n - total} events lost"
        for address, history in histories.items():
            expected = sc.address_state(history)
            assert ledger.check(address).soft_count == expected.soft_count
            assert ledger.state(address).event_count == len(history)


# ---------------------------------------------------------------------------------------------
# replay


def _history():
    events = [sc.Event("bob@example.com", "bounced", T0, reason="userunknown", id="b1")]
    events += [sc.Event("amy@example.com", "bounced", T0 + d * DAY, bounce="soft", id=f"a{d}") for d in range(7)]
    events += [sc.Event("cy@example.com", "delivered", T0, id="c1"), sc.Event("cy@example.com", "complained", T0 + 1, id="c2")]
    return events


def test_replay_agrees_with_address_state():
    events = _history()
    result = sc.replay(events, now=T0 + 10 * DAY)
    assert result["address"] == ["bob@example.com", "amy@example.com", "cy@example.com"]
    for row in result.to_pylist():
        mine = [e for e in events if e.address == row["address"]]
        s = sc.address_state(mine, now=T0 + 10 * DAY)
        assert row["status"] == s.status.value
        assert row["cause"] == (s.cause.value if s.cause else None)
        assert tuple(row["events"]) == s.events
        assert row["rows"] == len(mine)
    assert "ReplayResult: 3 addresses" in repr(result)


def test_replay_reads_pyarrow_pandas_and_polars():
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    rows = [e.to_dict() for e in _history()]
    table = pa.table(
        {
            "address": [r["address"] for r in rows],
            "at": pa.array([datetime.fromisoformat(r["at"]) for r in rows], pa.timestamp("ms", "UTC")),
            "kind": pa.array([r["kind"] for r in rows]).dictionary_encode(),
            "reason": [r["reason"] for r in rows],
            "id": [r["id"] for r in rows],
        }
    )
    expected = sc.replay(_history(), now=T0 + 10 * DAY).to_pylist()
    for data in (table, table.to_pandas(), pl.from_arrow(table)):
        got = sc.replay(data, now=T0 + 10 * DAY).to_pylist()
        assert [(r["address"], r["status"], r["events"]) for r in got] == [
            (r["address"], r["status"], r["events"]) for r in expected
        ]
    frame = sc.replay(table, now=T0 + 10 * DAY).to_pandas()
    assert list(frame["status"]) == ["suppressed", "suppressed", "complained"]
    assert isinstance(pd.DataFrame(frame), pd.DataFrame)


def test_replay_reports_bad_rows_and_needs_columns():
    pa = pytest.importorskip("pyarrow")
    t = pa.table(
        {
            "address": ["a@example.com", "not an address", None],
            "at": pa.array([T0 * 1_000_000] * 3, pa.int64()),
            "kind": ["bounced", "bounced", "delivered"],
        }
    )
    r = sc.replay(t, now=T0).to_pylist()
    assert [x["address"] for x in r] == ["a@example.com", "not an address", ""]
    assert r[1]["status"] is None and "not an email address" in r[1]["error"]
    assert "address is missing" in r[2]["error"]
    with pytest.raises(ValueError, match='needs a column "kind"'):
        sc.replay(pa.table({"address": ["a@example.com"], "at": [1]}))
    with pytest.raises(TypeError, match="timestamp"):
        sc.replay(pa.table({"address": ["a@example.com"], "at": ["yesterday"], "kind": ["bounced"]}))


# ---------------------------------------------------------------------------------------------
# Suppression lists, the CLI, notebooks


def test_import_and_export_suppression_lists(ledger):
    postmark = (
        "EmailAddress,SuppressionReason,Origin,CreatedAt\n"
        "bob@example.com,HardBounce,Recipient,2026-12-01T10:00:00+00:00\n"
        "amy@example.com,SpamComplaint,Recipient,2026-12-02T10:00:00+00:00\n"
        "cy@example.com,ManualSuppression,Recipient,2026-12-03T10:00:00+00:00\n"
    )
    result = ledger.import_suppressions(postmark)
    assert (result.events, result.new) == (3, 3)
    assert ledger.import_suppressions(postmark).new == 0  # the same list twice
    assert ledger.check("bob@example.com").cause is sc.SuppressionCause.HARD_BOUNCE
    assert ledger.check("amy@example.com").status is sc.AddressStatus.COMPLAINED
    assert ledger.check("cy@example.com").cause is sc.SuppressionCause.UNSUBSCRIBED
    assert ledger.check("bob@example.com").since == datetime(2026, 12, 1, 10, tzinfo=UTC)
    out = ledger.export_suppressions("postmark")
    assert out is not None
    back = sc.read_suppressions(out, format="postmark")
    assert sorted((r.address, r.reason.value) for r in back) == [
        ("amy@example.com", "complaint"),
        ("bob@example.com", "bounce"),
        ("cy@example.com", "unsubscribe"),
    ]
    # A service's list holds one kind: choose it.
    text = ledger.export_suppressions("sendgrid_bounces", kinds=["bounce"])
    assert text is not None and text.splitlines()[1].startswith("bob@example.com,")
    # A block never suppresses the address.
    blocks = "email,created,status,reason\ndan@example.com,1764583200,4.7.1,blocked by policy\n"
    ledger.import_suppressions(blocks, format="sendgrid_blocks")
    assert ledger.check("dan@example.com").send


def test_cli_scan_into_a_ledger_and_ledger_commands(tmp_path, capsys):
    from smtpcodes import cli

    path = str(tmp_path / "b.sqlite")
    assert cli.main(["scan", str(EXAMPLES), "--ledger", path, "--format", "jsonl"]) == 0
    err = capsys.readouterr().err
    assert f"ledger {path}: " in err and " new, " in err
    assert cli.main(["ledger", "--ledger", path, "check", "bob@example.net"]) == cli.DO_NOT_SEND
    assert "hard-bounced" in capsys.readouterr().out
    assert cli.main(["ledger", "--ledger", path, "check", "--json", "nobody@example.com"]) == 0
    assert '"send": true' in capsys.readouterr().out
    assert cli.main(["ledger", "--ledger", path, "suppressed", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "address,status,cause,reason,since,until,explanation"
    assert "bob@example.net" in out
    assert cli.main(["ledger", "--ledger", path, "suppressed", "--format", "jsonl"]) == 0
    assert all(line.startswith("{") for line in capsys.readouterr().out.splitlines())
    assert cli.main(["ledger", "--ledger", path, "destinations"]) == 0
    assert cli.main(["ledger", "--ledger", path, "history", "bob@example.net"]) == 0
    assert '"kind": "bounced"' in capsys.readouterr().out
    assert cli.main(["ledger", "--ledger", path, "release", "bob@example.net", "--why", "typo fixed"]) == 0
    assert cli.main(["ledger", "--ledger", path, "check", "bob@example.net"]) == 0
    assert cli.main(["ledger", "--ledger", path, "export", "--format", "ses_import", "--kind", "complaint"]) == 0
    assert cli.main(["ledger", "--ledger", path, "check", "not-an-address"]) == 1


def test_notebook_views(tmp_path):
    ledger = sc.Ledger()
    now = T0
    events = [sc.Event(f"u{i}@gmail.com", "bounced", now - i * 60, reason="blocked") for i in range(15)]
    events += [sc.Event(f"v{i}@gmail.com", "delivered", now - i * 60) for i in range(10)]
    ledger.record(events)
    ledger.record(sc.parse("550 5.1.1 <bob@example.org>: unknown <script>"), address="bob@example.org", at=now)
    html = ledger._repr_html_()
    assert "suppressed" in html and "gmail.com" not in html  # the window ended long ago
    assert "&lt;script&gt;" in ledger.history("bob@example.org")[0]._repr_html_()
    for obj in (ledger.check("bob@example.org"), ledger.state("bob@example.org"), sc.destination_health(events, now=now), sc.replay(events, now=now)):
        assert obj._repr_html_().startswith("<div>")
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = ledger.plot("gmail.com", start=now - 6 * 3600, end=now, step=1800)
    assert len(ax.patches) > 0


def _webhook(payload):
    from smtpcodes import webhooks

    return webhooks.parse(payload)


def test_webhook_events_become_ledger_events(ledger):
    sendgrid = [
        {"email": "bob@example.com", "timestamp": T0, "event": "bounce", "sg_event_id": "sg-1", "type": "bounce",
         "reason": "550 5.1.1 The email account that you tried to reach does not exist", "status": "5.1.1"},
        {"email": "amy@example.com", "timestamp": T0, "event": "spamreport", "sg_event_id": "sg-2"},
        {"email": "cy@example.com", "timestamp": T0, "event": "unsubscribe", "sg_event_id": "sg-3"},
        {"email": "dan@example.com", "timestamp": T0, "event": "group_unsubscribe", "sg_event_id": "sg-4", "asm_group_id": 7},
        {"email": "eve@example.com", "timestamp": T0, "event": "open", "sg_event_id": "sg-5"},
        {"email": "fay@example.com", "timestamp": T0, "event": "delivered", "sg_event_id": "sg-6", "response": "250 OK"},
    ]
    events = _webhook(sendgrid)
    made = [sc.Event.from_webhook(e) for e in events]
    assert [m.kind.value if m else None for m in made] == ["bounced", "complained", "unsubscribed", None, None, "delivered"]
    assert made[0].id == "sg-1" and made[0].source is sc.EventSource.WEBHOOK and made[0].at == datetime.fromtimestamp(T0, UTC)
    result = ledger.record(events)
    assert (result.events, result.new, result.skipped) == (4, 4, 2)
    assert ledger.record(events).new == 0  # the webhook delivered again
    assert ledger.check("bob@example.com").cause is sc.SuppressionCause.HARD_BOUNCE
    assert ledger.check("amy@example.com").status is sc.AddressStatus.COMPLAINED
    assert ledger.check("cy@example.com").cause is sc.SuppressionCause.UNSUBSCRIBED
    assert ledger.check("dan@example.com").send
    # Postmark's subscription change and Mailgun's unsubscribe.
    postmark = {"RecordType": "SubscriptionChange", "MessageID": "m-9", "Recipient": "gil@example.com",
                "ChangedAt": "2026-12-07T00:00:00Z", "SuppressSending": True, "SuppressionReason": "ManualSuppression"}
    mailgun = {"event-data": {"event": "unsubscribed", "id": "mg-1", "timestamp": T0, "recipient": "hal@example.com"}}
    for payload, address in ((postmark, "gil@example.com"), (mailgun, "hal@example.com")):
        [e] = _webhook(payload)
        made_one = sc.Event.from_webhook(e)
        assert made_one is not None and made_one.kind is sc.EventKind.UNSUBSCRIBED, (payload, e)


def test_verdicts_are_frozen_values():
    ledger = sc.Ledger()
    ledger.suppress("amy@example.com", "asked to pause", until=T0 + DAY, at=T0)
    v = ledger.check("amy@example.com", now=T0)
    assert (v.send, v.cause, v.since, v.until) == (False, sc.SuppressionCause.MANUAL, datetime.fromtimestamp(T0, UTC), datetime.fromtimestamp(T0 + DAY, UTC))
    assert pickle.loads(pickle.dumps(v)) == v and hash(pickle.loads(pickle.dumps(v))) == hash(v)
    with pytest.raises(AttributeError):
        v.send = True  # type: ignore[misc]
    same = sc.Verdict(v.address, v.send, v.status, v.cause, v.reason, v.since, v.until, v.soft_count, v.events, v.explanation)
    assert same == v
    assert v.to_dict()["until"] == "2026-12-08T00:00:00+00:00"
