"""Benchmark of the bounce ledger, each figure beside a baseline measured in the same run
(these machines are shared and noisy: compare the ratios, not the seconds).

- ``record``: events/s of ``Ledger.record(parse_bounces(...))`` into a fresh SQLite file (WAL),
  against the floor of the same rows written by a bare ``sqlite3`` ``executemany`` into the
  same events table (no state kept). The emails are DSNs generated from one template with
  distinct recipients, message ids and dates (``--events`` of them, 5 per address); parsing
  them is not timed.
- ``check``: microseconds per ``Ledger.check(address)`` on that file, against a bare indexed
  ``SELECT`` of the same row through ``sqlite3``.
- ``writers``: ``--writers`` processes each record ``--per-writer`` events (batches of 50) for
  the same 500 addresses into one SQLite file (and into PostgreSQL when ``--postgresql DSN`` is
  given) at once; then the events stored against those sent (lost: the difference) and every
  address's stored state against the state its stored history gives.
- ``replay``: events/s of ``smtpcodes.replay`` over a pyarrow table of ``--replay`` events
  (4 per address), against pyarrow's own ``group_by(address).aggregate(at max, kind count)``
  over the same table (a hash aggregation, the least any per-address fold has to do).

    python benches/ledger.py [--events 100000] [--replay 4000000] [--checks 100000]
                             [--writers 8] [--per-writer 2000] [--postgresql DSN]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

import pyarrow as pa

import smtpcodes as sc

TEMPLATE = (
    "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
    "To: sender@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
    "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n"
    "Arrival-Date: {date}\r\n\r\nFinal-Recipient: rfc822; {rcpt}\r\nAction: {action}\r\nStatus: {status}\r\n"
    "Remote-MTA: dns; mx.{domain}\r\nDiagnostic-Code: smtp; {reply}\r\n\r\n"
    "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: sender@example.com\r\nTo: {rcpt}\r\n"
    "Message-ID: <m{n}@example.com>\r\n\r\n--B--\r\n"
)
REPLIES = [
    ("failed", "5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"),
    ("delayed", "4.2.2", "452 4.2.2 Mailbox full"),
    ("failed", "5.7.1", "554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org"),
    ("delayed", "4.7.0", "421 4.7.0 Too many connections, slow down"),
    ("failed", "5.2.2", "552 5.2.2 Mailbox quota exceeded"),
]
DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "example.net", "example.org"]


def emails(n: int) -> list[bytes]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        addr = i // 5
        domain = DOMAINS[addr % len(DOMAINS)]
        rcpt = f"user{addr}@{domain}"
        action, status, reply = REPLIES[rng.randrange(len(REPLIES))]
        day = 1 + i % 28
        date = f"Tue, {day} Dec 2026 {i % 24:02}:{i % 60:02}:00 +0000"
        out.append(
            TEMPLATE.format(
                date=date, rcpt=rcpt, action=action, status=status, domain=domain, reply=reply.format(rcpt=rcpt), n=i
            ).encode()
        )
    return out


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_record(n: int, repeat: int, tmp: Path) -> tuple[Path, list[str]]:
    result = sc.parse_bounces(emails(n))
    rows, _ = sc._native._bounce_event_rows(result._columns, 0)
    addresses = sorted({r[1] for r in rows})
    counter = iter(range(10**6))

    def ours() -> None:
        path = tmp / f"ledger-{next(counter)}.sqlite"
        with sc.Ledger(str(path)) as ledger:
            ledger.record(result)

    def floor() -> None:
        path = tmp / f"floor-{next(counter)}.sqlite"
        sc.Ledger(str(path)).close()  # the same schema and indexes
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO smtpcodes_events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING",
            [(*r, 0) for r in rows],
        )
        conn.execute("COMMIT")
        conn.close()

    t_ours, t_floor = best(ours, repeat), best(floor, repeat)
    print(f"record: {len(rows):,} events of parse_bounces() into SQLite")
    print(f"  Ledger.record      {len(rows) / t_ours:>12,.0f} events/s  ({t_ours:.3f} s)")
    print(f"  bare executemany   {len(rows) / t_floor:>12,.0f} events/s  ({t_floor:.3f} s)")
    print(f"  ratio              {t_ours / t_floor:>12.2f}x the floor's time (target: >= 50,000 events/s)")
    path = tmp / "check.sqlite"
    with sc.Ledger(str(path)) as ledger:
        ledger.record(result)
    return path, addresses


def bench_check(path: Path, addresses: list[str], checks: int, repeat: int) -> None:
    rng = random.Random(1)
    picks = [rng.choice(addresses) for _ in range(checks)]
    ledger = sc.Ledger(str(path))
    conn = sqlite3.connect(path)
    query = "SELECT * FROM smtpcodes_addresses WHERE address = ?"

    def ours() -> None:
        check = ledger.check
        for a in picks:
            check(a)

    def floor() -> None:
        execute = conn.execute
        for a in picks:
            execute(query, (a,)).fetchone()

    t_ours, t_floor = best(ours, repeat), best(floor, repeat)
    print(f"check: {checks:,} checks of {len(addresses):,} addresses")
    print(f"  Ledger.check       {t_ours / checks * 1e6:>12.2f} us per call")
    print(f"  bare SELECT        {t_floor / checks * 1e6:>12.2f} us per call")
    print(f"  ratio              {t_ours / t_floor:>12.2f}x (target: <= 20 us)")
    ledger.close()


def bench_replay(n: int, repeat: int) -> None:
    per = 4
    kinds = ["deferred", "bounced", "delivered", "bounced"]
    reasons = ["mailboxfull", "undefined", None, "userunknown"]
    addresses = [f"user{i // per}@{DOMAINS[(i // per) % 5]}" for i in range(n)]
    table = pa.table(
        {
            "address": addresses,
            "at": pa.array([1_796_601_600_000_000 + i * 1_000_000 for i in range(n)], pa.timestamp("us", "UTC")),
            "kind": pa.array([kinds[i % per] for i in range(n)]).dictionary_encode(),
            "reason": pa.array([reasons[i % per] for i in range(n)]).dictionary_encode(),
            "id": [f"e{i}" for i in range(n)],
        }
    )
    now = 1_796_601_600 + n

    def ours() -> None:
        sc.replay(table, now=now)

    def floor() -> None:
        table.group_by("address").aggregate([("at", "max"), ("kind", "count")])

    t_ours, t_floor = best(ours, repeat), best(floor, repeat)
    print(f"replay: {n:,} events of {n // per:,} addresses, {os.cpu_count()} cores")
    print(f"  smtpcodes.replay   {n / t_ours:>12,.0f} events/s  ({t_ours:.3f} s)")
    print(f"  pyarrow group_by   {n / t_floor:>12,.0f} events/s  ({t_floor:.3f} s)")
    print(f"  ratio              {t_ours / t_floor:>12.2f}x pyarrow's time (target: >= 2,000,000 events/s)")


def _writer(target: str, worker: int, n: int) -> None:
    with sc.Ledger(target) as ledger:
        for start in range(0, n, 50):
            ledger.record(
                [
                    sc.Event(f"user{i % 500}@example.com", "bounced" if i % 3 else "delivered", 1_796_601_600 + i,
                             reason="mailboxfull", id=f"w{worker}-{i}")
                    for i in range(start, min(n, start + 50))
                ]
            )


def bench_writers(target: str, writers: int, per: int) -> None:
    import multiprocessing

    sc.Ledger(target).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(target, w, per)) for w in range(writers)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t
    failed = sum(1 for p in procs if p.exitcode != 0)
    with sc.Ledger(target) as ledger:
        stored = 0
        mismatched = 0
        for a in range(500):
            history = ledger.history(f"user{a}@example.com")
            stored += len(history)
            expected = sc.address_state(history)
            got = ledger.check(f"user{a}@example.com")
            mismatched += (got.status, got.soft_count) != (expected.status, expected.soft_count)
    sent = writers * per
    print(f"writers ({ledger.backend}): {writers} processes x {per:,} events at once, {failed} failed, {elapsed:.1f} s")
    print(f"  events sent {sent:,}, stored {stored:,}, lost {sent - stored:,}; states not matching their history: {mismatched}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--checks", type=int, default=100_000)
    ap.add_argument("--replay", type=int, default=4_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--per-writer", type=int, default=2000)
    ap.add_argument("--postgresql", default=None, help="a PostgreSQL DSN for the writers' test too")
    args = ap.parse_args()
    print(f"smtpcodes {sc.__version__}, SQLite {sqlite3.sqlite_version}, pyarrow {pa.__version__}")
    with tempfile.TemporaryDirectory() as d:
        path, addresses = bench_record(args.events, args.repeat, Path(d))
        bench_check(path, addresses, args.checks, args.repeat)
        if args.writers:
            bench_writers(str(Path(d) / "writers.sqlite"), args.writers, args.per_writer)
            if args.postgresql:
                bench_writers(args.postgresql, args.writers, args.per_writer)
    bench_replay(args.replay, args.repeat)


if __name__ == "__main__":
    main()
