"""The batch API and the frozen objects used from 8 threads at once give what one thread gets.

The module declares ``gil_used = false`` (src/python/mod.rs says why that is safe). With the
GIL these tests check that the parts run with it released (``classify``, ``parse_bounce``,
``parse_bounces``: ``py.detach`` around the core and rayon's threads) can overlap; on a
free-threaded CPython (built from the sdist) they run truly in parallel, with no GIL at all.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest

import smtpcodes as sc

T = TypeVar("T")
THREADS = 8
HERE = Path(__file__).resolve().parent
EMAILS = sorted((HERE / "data" / "bounces").glob("*.eml")) + sorted((HERE.parent / "examples" / "bounces").glob("*.eml"))
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)

REPLIES: list[Any] = [
    "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown",
    "452 4.2.2 Mailbox full",
    "host mx.example.com[192.0.2.1] said: 421 4.7.0 Try again later (in reply to RCPT TO command)",
    "554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "250 2.0.0 Ok: queued",
    b"smtp; 550 5.7.1 Message rejected",
    bytearray(b"451 4.3.0 Temporary failure"),
    "garbage",
    "",
    None,
    42,
    "mailbox full",
    "550 4.2.2 mailbox full",
]


def at_once(fn: Callable[[int], T]) -> list[T]:
    """`fn(i)` on THREADS threads that start together (a barrier), each result in order."""
    barrier = threading.Barrier(THREADS)

    def run(i: int) -> T:
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def many(n: int) -> list[Any]:
    """`n` values: the replies above repeated, every third one made unique (queue ids)."""
    values = [REPLIES[i % len(REPLIES)] for i in range(n)]
    return [f"{v} id={i}" if isinstance(v, str) and i % 3 == 0 else v for i, v in enumerate(values)]


@pytest.mark.parametrize("n", [len(REPLIES), 5000, 20000], ids=["small", "parallel-chunks", "pipelined"])
def test_classify_a_shared_list(n):
    # 5000 rows: classified in parallel chunks; 20000: read a chunk at a time while rayon's
    # threads classify the chunks before (batch.rs, run_objects). The same list object for all.
    values = many(n)
    alone = sc.classify(values).to_pylist()
    assert len(alone) == n
    results = at_once(lambda i: sc.classify(values).to_pylist())
    assert all(r == alone for r in results)


def test_classify_own_inputs_with_policies_and_arrow():
    pa = pytest.importorskip("pyarrow")
    policies = [sc.RetryPolicy(max_attempts=i + 1) for i in range(THREADS)]
    inputs = [many(3000 + 500 * i) for i in range(THREADS)]
    arrays = [pa.array([v if isinstance(v, str) or v is None else None for v in vals], pa.string()) for vals in inputs]
    alone = [
        (sc.classify(vals, policy=p).to_pylist(), sc.classify(arr, command="RCPT").to_pylist())
        for vals, arr, p in zip(inputs, arrays, policies, strict=True)
    ]
    together = at_once(
        lambda i: (sc.classify(inputs[i], policy=policies[i]).to_pylist(), sc.classify(arrays[i], command="RCPT").to_pylist())
    )
    assert together == alone


def test_parse_bounce_and_parse_bounces():
    raws = [p.read_bytes() for p in EMAILS]
    paths = [str(p) for p in EMAILS]

    def work(i: int) -> tuple[list[Any], list[Any], list[Any]]:
        reports = []
        for raw in raws:
            try:
                reports.append(sc.parse_bounce(raw).to_dict())
            except sc.BounceParseError as e:
                reports.append(e.kind)
        # Bytes and paths, mixed, in different orders per thread: each row keeps its index.
        order = raws[i:] + raws[:i]
        return reports, sc.parse_bounces(order * 4).to_pylist(), sc.parse_bounces(paths * 3).to_pylist()

    alone = [work(i) for i in range(THREADS)]
    assert at_once(work) == alone


def test_frozen_objects_shared_by_threads():
    replies = [sc.parse(r) for r in REPLIES if isinstance(r, str | bytes) and sc.try_parse(r) is not None]
    # Fresh objects: each one's classification (a OnceLock) is first worked out by 8 threads
    # at once.
    fresh = [sc.parse(str(r)) for r in replies]
    policy = sc.RetryPolicy(max_attempts=5)
    decisions = [sc.decide(r, attempt=2, first_attempt=T0, now=T0, policy=policy) for r in replies]
    reports = [sc.parse_bounce(p.read_bytes()) for p in EMAILS if p.name not in ("plain.eml",)]

    def look(i: int) -> list[Any]:
        out: list[Any] = []
        for r in fresh:
            out.append((r.reason, r.bounce, r.kind, r.status, str(r)))
        for r in replies:
            copy = pickle.loads(pickle.dumps(r))
            out.append((r.code, r.status, r.text, r.lines, r.remote_mta, r.smtp_command, r.conflict, r.category))
            out.append((hash(r) == hash(copy), r == copy, r == replies[(replies.index(r) + 1) % len(replies)]))
            out.append((r.retry().action, r.explain().to_dict(), r.to_dict()))
            if r.status is not None:
                st = pickle.loads(pickle.dumps(r.status))
                out.append((st == r.status, hash(st) == hash(r.status), st.title, st.klass, st < "5.9.9"))
        for d in decisions:
            out.append((d.action, d.delay, d.retry_at, d.suppress, d.scope, d.reason, d.bounce, d.explanation))
            out.append((hash(d), d == d, d.to_dict()))
        for rep in reports:
            copy = pickle.loads(pickle.dumps(rep))
            out.append((rep.format, rep.kind, rep.reporting_mta, rep.original, len(rep), copy == rep))
            out.append(
                [(r.address, r.status, r.reason, r.bounce, r.reply, r.decision.action if r.decision else None) for r in rep.recipients]
            )
        out.append((hash(policy), pickle.loads(pickle.dumps(policy)) == policy, policy.backoff(i + 1)))
        return out

    alone = look(0)
    results = at_once(look)
    for i, r in enumerate(results):
        # Everything but the policy's back-off (which depends on i) is the same for every thread.
        assert r[:-1] == alone[:-1]
        assert r[-1] == (hash(policy), True, policy.backoff(i + 1))


def test_a_list_changed_while_classify_reads_it_is_an_error_or_a_result_never_a_crash():
    # Free-threaded Python lets another thread change the list while classify reads it; with
    # the GIL the change lands before or after. Either way: rows for the values read, or the
    # RuntimeError that says the list changed.
    values = many(20000)
    stop = threading.Event()

    def mutate() -> None:
        while not stop.is_set():
            values.append("550 5.1.1 late")
            values.pop()

    t = threading.Thread(target=mutate)
    t.start()
    try:
        for _ in range(5):
            try:
                result = sc.classify(values)
            except RuntimeError as e:
                assert "the list changed" in str(e)
            else:
                assert len(result) in (20000, 20001)
    finally:
        stop.set()
        t.join()
