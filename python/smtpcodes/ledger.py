"""The bounce ledger: remember what every address and destination did, and answer "may I mail
this address?" and "should I slow down for this domain?".

:class:`Ledger` stores events in SQLite (the default: one file, WAL, safe for several
processes on one machine; ``":memory:"`` for tests) or PostgreSQL (``"postgresql://…"``,
through psycopg 3, for senders on many machines). The policy itself (:class:`LedgerPolicy`, the
fold from an address's events to its state, a destination's health) is the Rust core's: the
storage keeps events, and after each write the states of the addresses it touched, computed
from their whole history.

>>> import smtpcodes as sc
>>> ledger = sc.Ledger(":memory:")
>>> r = sc.parse("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown")
>>> ledger.record(r, address="bob@example.com", at=1796601600)
RecordResult(events=1, new=1, addresses=1, skipped=0)
>>> v = ledger.check("Bob@Example.com")
>>> v.send, v.status, v.cause
(False, <AddressStatus.SUPPRESSED: 'suppressed'>, <SuppressionCause.HARD_BOUNCE: 'hard-bounce'>)
>>> ledger.release("bob@example.com", "the user says the mailbox exists again", at=1796605200).send
True

:func:`replay` runs the same policy over a whole history at once (a pyarrow table, a pandas
or polars DataFrame of events), without a database.
"""

from __future__ import annotations

import bisect
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from . import _native
from ._native import AddressState, DestinationHealth, Event, LedgerPolicy
from ._types import AddressStatus, Advice, Reason, SuppressionCause
from .batch import ClassifyResult

if TYPE_CHECKING:  # pragma: no cover
    import pandas  # type: ignore[import-untyped, unused-ignore]
    import polars
    import pyarrow  # type: ignore[import-untyped, unused-ignore]

__all__ = ["Ledger", "RecordResult", "ReplayResult", "Verdict", "replay"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_normalize = _native._normalize_address
_STATUS = {m.value: m for m in AddressStatus}
_CAUSE = {m.value: m for m in SuppressionCause}
_REASON = {m.value: m for m in Reason}
_SEVERITY = {Advice.STOP: 0, Advice.SLOW_DOWN: 1, Advice.OK: 2}


def _by_name(name: str) -> str:
    """The events' column a destination's name is in: a domain has a dot, a provider id none."""
    return "domain" if "." in name else "provider"


def _dt(micros: int | None) -> datetime | None:
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def _micros(value: datetime | float | None) -> int:
    """Microseconds since the epoch of a datetime (naive: UTC) or seconds; ``None``: now."""
    if value is None:
        return time.time_ns() // 1000
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        d = value - _EPOCH
        return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a datetime or seconds since the epoch, not {type(value).__name__}")
    return round(value * 1_000_000)


class Verdict:
    """The answer of :meth:`Ledger.check`: may the address be mailed, why, since and until
    when, and the events behind it. Frozen, hashable, picklable.

    ``send`` is the answer; ``status`` the address's :class:`AddressStatus`; ``cause`` and
    ``reason`` why it is suppressed; ``since``/``until`` the suppression's span (``until``
    ``None``: until released); ``soft_count`` the soft bounces since the last delivery;
    ``events`` the ids of the events behind the status (:meth:`Ledger.history` has them all);
    ``explanation`` one sentence.
    """

    # One tuple holds the fields, times as microseconds and the event ids as the stored JSON:
    # `check` makes a verdict per call, and turning them into datetimes and a tuple waits until
    # they are read.
    __slots__ = ("_v",)
    _v: tuple[Any, ...]

    def __init__(
        self,
        address: str,
        send: bool,
        status: AddressStatus,
        cause: SuppressionCause | None,
        reason: Reason | None,
        since: datetime | None,
        until: datetime | None,
        soft_count: int,
        events: Sequence[str],
        explanation: str,
    ) -> None:
        us = (None if t is None else _micros(t) for t in (since, until))
        _set_fields(self, (address, send, status, cause, reason, *us, soft_count, json.dumps(list(events)), explanation))

    @property
    def address(self) -> str:
        return self._v[0]  # type: ignore[no-any-return]

    @property
    def send(self) -> bool:
        return self._v[1]  # type: ignore[no-any-return]

    @property
    def status(self) -> AddressStatus:
        return self._v[2]  # type: ignore[no-any-return]

    @property
    def cause(self) -> SuppressionCause | None:
        return self._v[3]  # type: ignore[no-any-return]

    @property
    def reason(self) -> Reason | None:
        return self._v[4]  # type: ignore[no-any-return]

    @property
    def since(self) -> datetime | None:
        return _dt(self._v[5])

    @property
    def until(self) -> datetime | None:
        return _dt(self._v[6])

    @property
    def soft_count(self) -> int:
        return self._v[7]  # type: ignore[no-any-return]

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(json.loads(self._v[8]))

    @property
    def explanation(self) -> str:
        return self._v[9]  # type: ignore[no-any-return]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Verdict is frozen: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Verdict) and self._v == other._v

    def __hash__(self) -> int:
        return hash(self._v)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_verdict_of, (self._v,))

    def __repr__(self) -> str:
        return f"<Verdict {self.address}: {'send' if self.send else 'do not send'} ({self.status.value})>"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601 strings)."""
        since, until = self.since, self.until
        return {
            "address": self.address,
            "send": self.send,
            "status": self.status.value,
            "cause": None if self.cause is None else self.cause.value,
            "reason": None if self.reason is None else self.reason.value,
            "since": None if since is None else since.isoformat(),
            "until": None if until is None else until.isoformat(),
            "soft_count": self.soft_count,
            "events": list(self.events),
            "explanation": self.explanation,
        }

    def _repr_html_(self) -> str:
        from ._html import ledger_verdict

        return ledger_verdict(self)

    @classmethod
    def _of_row(cls, row: Sequence[Any]) -> Verdict:
        # address, status, cause, reason, since, until, soft_count, soft_first, soft_last,
        # last_delivered, last_event, event_count, events, explanation, expired
        status = _STATUS[row[1]]
        cause = row[2]
        reason = row[3]
        return _verdict_of(
            (
                row[0],
                status is AddressStatus.ACTIVE or status is AddressStatus.SOFT_BOUNCING,
                status,
                None if cause is None else _CAUSE[cause],
                None if reason is None else _REASON[reason],
                row[4],
                row[5],
                row[6],
                row[12],
                row[13],
            )
        )

    @classmethod
    def _of_state(cls, state: AddressState) -> Verdict:
        return cls(
            state.address,
            state.can_send,
            state.status,
            state.cause,
            state.reason,
            state.since,
            state.until,
            state.soft_count,
            state.events,
            state.explanation,
        )


#: Sets a Verdict's one slot without going through its (refusing) __setattr__.
_set_fields = Verdict.__dict__["_v"].__set__


def _verdict_of(fields: tuple[Any, ...]) -> Verdict:
    """A Verdict of its stored fields (also what unpickling calls)."""
    v = object.__new__(Verdict)
    _set_fields(v, fields)
    return v


class RecordResult(NamedTuple):
    """What :meth:`Ledger.record` did: ``events`` given, ``new`` ones (the rest were recorded
    before: same id), distinct ``addresses`` whose state was recomputed, and ``skipped`` inputs
    that name no address (a bounce with no recipient, a webhook event without one)."""

    events: int
    new: int
    addresses: int
    skipped: int


# ---------------------------------------------------------------------------------------------
# Schema

#: Schema versions, each with the statements that bring the previous version to it. A ledger
#: opened by a newer smtpcodes migrates forward in one transaction; an older smtpcodes refuses a
#: newer schema.
_MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE smtpcodes_events (
            id TEXT PRIMARY KEY,
            address TEXT NOT NULL,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            bounce TEXT NOT NULL,
            action TEXT,
            source TEXT NOT NULL,
            domain TEXT NOT NULL,
            mx TEXT,
            provider TEXT,
            detail TEXT,
            until BIGINT,
            recorded_at BIGINT NOT NULL
        )""",
        "CREATE INDEX smtpcodes_events_address ON smtpcodes_events (address, at)",
        "CREATE INDEX smtpcodes_events_at ON smtpcodes_events (at)",
        """CREATE TABLE smtpcodes_addresses (
            address TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            cause TEXT,
            reason TEXT,
            since BIGINT,
            until BIGINT,
            soft_count INTEGER NOT NULL,
            soft_first BIGINT,
            soft_last BIGINT,
            last_delivered BIGINT,
            last_event BIGINT,
            event_count INTEGER NOT NULL,
            events TEXT NOT NULL,
            explanation TEXT NOT NULL,
            expired BIGINT
        )""",
        "CREATE INDEX smtpcodes_addresses_status ON smtpcodes_addresses (status)",
    ],
]
SCHEMA_VERSION = len(_MIGRATIONS)

_EVENT_COLUMNS = "id, address, at, kind, reason, bounce, action, source, domain, mx, provider, detail, until"
_STATE_COLUMNS = (
    "address, status, cause, reason, since, until, soft_count, soft_first, soft_last, "
    "last_delivered, last_event, event_count, events, explanation, expired"
)
_HISTORY = "address, at, kind, id, reason, bounce, action, until"


class _Backend:
    """What differs between SQLite and PostgreSQL: connections, placeholders, locking."""

    param: ClassVar[str] = "?"
    name: ClassVar[str] = ""

    def sql(self, text: str) -> str:
        return text if self.param == "?" else text.replace("?", self.param)

    def begin(self, conn: Any) -> None:
        raise NotImplementedError

    def lock_addresses(self, cur: Any, addresses: list[str]) -> None:
        """Serialises writers of the same addresses (SQLite's write lock already does)."""

    def history(self, cur: Any, addresses: list[str]) -> list[tuple[Any, ...]]:
        raise NotImplementedError


class _SQLite(_Backend):
    name = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path

    def connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are this module's (BEGIN IMMEDIATE takes the write
        # lock at once, so two writers never both read a history and then race to write).
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=60.0, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 60000")
        if self.path != ":memory:":
            # WAL: readers never wait for the writer, and several processes may share the file
            # (https://sqlite.org/wal.html); NORMAL sync is durable across application crashes.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def begin(self, conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def history(self, cur: Any, addresses: list[str]) -> list[tuple[Any, ...]]:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS smtpcodes_touched (address TEXT PRIMARY KEY)")
        cur.execute("DELETE FROM smtpcodes_touched")
        cur.executemany("INSERT OR IGNORE INTO smtpcodes_touched VALUES (?)", ((a,) for a in addresses))
        cur.execute(
            f"SELECT {', '.join('e.' + c.strip() for c in _HISTORY.split(','))} FROM smtpcodes_events e "
            "JOIN smtpcodes_touched t ON t.address = e.address"
        )
        rows = cur.fetchall()
        cur.execute("DELETE FROM smtpcodes_touched")
        return rows


class _Postgres(_Backend):
    name = "postgresql"
    param = "%s"
    #: The advisory lock space of the ledger's address buckets (pg_advisory_xact_lock(key, bucket)).
    LOCK_KEY = 0x5C0D

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def connect(self) -> Any:
        try:
            import psycopg
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError(
                "a PostgreSQL ledger needs psycopg 3: pip install 'smtpcodes[postgresql]'"
            ) from e
        return psycopg.connect(self.dsn, autocommit=True)

    def begin(self, conn: Any) -> None:
        conn.execute("BEGIN")

    def lock_addresses(self, cur: Any, addresses: list[str]) -> None:
        # Writers of the same address must not both read its history before either writes its
        # state. A transaction locks the buckets (1024, by hashtext) of its addresses, in order,
        # so that two writers never deadlock and the lock table stays small.
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s, b) FROM "
            "(SELECT DISTINCT hashtext(a) & 1023 AS b FROM unnest(%s::text[]) AS a ORDER BY 1) AS s",
            (self.LOCK_KEY, addresses),
        )

    def history(self, cur: Any, addresses: list[str]) -> list[tuple[Any, ...]]:
        cur.execute(f"SELECT {_HISTORY} FROM smtpcodes_events WHERE address = ANY(%s)", (addresses,))
        return list(cur.fetchall())


def _backend(target: str | os.PathLike[str]) -> _SQLite | _Postgres:
    text = os.fspath(target)
    if text.startswith(("postgresql://", "postgres://")) or (
        "=" in text and any(k in text for k in ("host=", "dbname=", "user="))
    ):
        return _Postgres(text)
    return _SQLite(text)


# ---------------------------------------------------------------------------------------------
# The ledger


class Ledger:
    """Events over time, stored, with each address's state kept current.

    ``target`` is a SQLite path (``":memory:"`` for a throwaway one) or a PostgreSQL DSN
    (``"postgresql://user@host/db"``). ``policy`` is the :class:`LedgerPolicy`; a ledger
    opened with another policy than the one its states were computed with recomputes them.

    One ``Ledger`` may be shared by threads (a lock serialises its connection); several
    processes may open the same SQLite file or PostgreSQL database at once.

    >>> import smtpcodes as sc
    >>> with sc.Ledger(":memory:") as ledger:
    ...     _ = ledger.record(sc.Event("amy@example.com", "complained", 1796601600))
    ...     print(ledger.check("amy@example.com").explanation)
    Do not send: the recipient complained at 2026-12-07T00:00:00Z.
    """

    def __init__(self, target: str | os.PathLike[str] = ":memory:", *, policy: LedgerPolicy | None = None) -> None:
        self.policy = policy if policy is not None else LedgerPolicy()
        self._backend = _backend(target)
        self._conn = self._backend.connect()
        self._lock = threading.RLock()
        self._check_sql = self._sql(f"SELECT {_STATE_COLUMNS} FROM smtpcodes_addresses WHERE address = ?")
        self._migrate()

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._backend.name

    # -- plumbing -------------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        return self._backend.sql(text)

    def _transaction(self) -> _Transaction:
        return _Transaction(self)

    def _migrate(self) -> None:
        with self._transaction() as cur:
            if isinstance(self._backend, _Postgres):
                cur.execute("SELECT pg_advisory_xact_lock(%s, -1)", (_Postgres.LOCK_KEY,))
            cur.execute("CREATE TABLE IF NOT EXISTS smtpcodes_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            cur.execute(self._sql("SELECT value FROM smtpcodes_meta WHERE key = ?"), ("schema_version",))
            row = cur.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"this ledger has schema version {version}; this smtpcodes knows up to {SCHEMA_VERSION}: upgrade smtpcodes"
                )
            for statements in _MIGRATIONS[version:]:
                for statement in statements:
                    cur.execute(statement)
            self._set_meta(cur, "schema_version", str(SCHEMA_VERSION))
            cur.execute(self._sql("SELECT value FROM smtpcodes_meta WHERE key = ?"), ("policy",))
            row = cur.fetchone()
            # Every field of the policy (and of its retry policy), as its pickle gives them.
            fingerprint = repr(sorted(self.policy.__reduce__()[1][1].items()))
            if row is None or row[0] != fingerprint:
                if row is not None:
                    self._rebuild(cur)
                self._set_meta(cur, "policy", fingerprint)

    def _set_meta(self, cur: Any, key: str, value: str) -> None:
        cur.execute(
            self._sql(
                "INSERT INTO smtpcodes_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            (key, value),
        )

    def _rebuild(self, cur: Any) -> int:
        cur.execute("SELECT DISTINCT address FROM smtpcodes_events")
        addresses = [r[0] for r in cur.fetchall()]
        self._backend.lock_addresses(cur, addresses)
        self._refresh(cur, addresses, _micros(None))
        return len(addresses)

    def rebuild(self) -> int:
        """Recomputes every address's state from its events (after a policy change, a schema
        migration, or events written by other means); returns the number of addresses."""
        with self._transaction() as cur:
            return self._rebuild(cur)

    def _refresh(self, cur: Any, addresses: list[str], now: int) -> None:
        if not addresses:
            return
        rows = self._backend.history(cur, addresses)
        states = _native._fold_rows(rows, self.policy, now)
        cur.executemany(
            self._sql(
                f"INSERT INTO smtpcodes_addresses ({_STATE_COLUMNS}) VALUES ({', '.join('?' * 15)}) "
                "ON CONFLICT (address) DO UPDATE SET "
                + ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _STATE_COLUMNS.split(",")[1:])
            ),
            states,
        )

    def close(self) -> None:
        """Closes the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Ledger {self.backend}>"

    # -- writing ----------------------------------------------------------------------------

    def record(
        self,
        items: Any,
        *,
        address: str | None = None,
        addresses: Sequence[str | None] | None = None,
        at: datetime | float | None = None,
    ) -> RecordResult:
        """Records events, in one transaction, and updates the states of their addresses.

        ``items`` is an :class:`Event` or an iterable of them; a :class:`Reply` (with
        ``address``); ``from_exception``'s ``{recipient: Reply}``; a :class:`BounceReport`; a webhook ``BounceEvent``; the result of
        :func:`parse_bounces`; or the result of :func:`classify` with ``addresses`` (one per
        row). ``at`` is when events without a time of their own happened (default: now).
        An event already recorded (same id) counts once: a webhook delivered twice, a mailbox
        scanned twice.

        >>> import smtpcodes as sc
        >>> ledger = sc.Ledger()
        >>> result = sc.classify(["452 4.2.2 Mailbox full", "250 2.0.0 OK"])
        >>> ledger.record(result, addresses=["amy@example.com", "bob@example.com"], at=1796601600)
        RecordResult(events=2, new=2, addresses=2, skipped=0)
        >>> ledger.record(result, addresses=["amy@example.com", "bob@example.com"], at=1796601600).new
        0
        """
        rows, skipped = self._rows(items, address=address, addresses=addresses, at=at)
        return self._write(rows, skipped)

    def _rows(
        self,
        items: Any,
        *,
        address: str | None,
        addresses: Sequence[str | None] | None,
        at: datetime | float | None,
    ) -> tuple[list[tuple[Any, ...]], int]:
        from . import webhooks
        from ._native import BounceReport, Reply

        when = _micros(at)
        if isinstance(items, Event):
            return [items._row()], 0
        if isinstance(items, Reply):
            if address is None:
                raise TypeError("record(reply) needs the address the reply was about: record(reply, address=...)")
            return [Event.from_reply(items, address, when / 1_000_000)._row()], 0
        if isinstance(items, BounceReport):
            events = Event.from_bounce(items, when / 1_000_000)
            return [e._row() for e in events], len(items.recipients) - len(events)
        if isinstance(items, webhooks.BounceEvent):
            event = Event.from_webhook(items, when / 1_000_000)
            return ([event._row()], 0) if event is not None else ([], 1)
        if isinstance(items, ClassifyResult):
            if "event_id" in items.columns:
                return _native._bounce_event_rows(items._columns, when)
            if addresses is None:
                raise TypeError("record(classify(...)) needs the address of each row: record(result, addresses=[...])")
            return _classified_rows(items, addresses, when)
        if isinstance(items, Mapping):
            # from_exception's {recipient: Reply} of a refused send.
            return [Event.from_reply(reply, rcpt, when / 1_000_000)._row() for rcpt, reply in items.items()], 0
        if isinstance(items, str | bytes):
            raise TypeError("record() takes events, replies, bounce reports or batch results, not a string")
        rows: list[tuple[Any, ...]] = []
        skipped = 0
        for item in items:
            r, s = self._rows(item, address=address, addresses=None, at=at)
            rows.extend(r)
            skipped += s
        return rows, skipped

    def _write(self, rows: list[tuple[Any, ...]], skipped: int) -> RecordResult:
        if not rows:
            return RecordResult(0, 0, 0, skipped)
        now = _micros(None)
        touched = sorted({r[1] for r in rows})
        insert = self._sql(
            f"INSERT INTO smtpcodes_events ({_EVENT_COLUMNS}, recorded_at) VALUES ({', '.join('?' * 14)}) "
            "ON CONFLICT (id) DO NOTHING"
        )
        with self._transaction() as cur:
            self._backend.lock_addresses(cur, touched)
            cur.executemany(insert, [(*r, now) for r in rows])
            # sqlite3 and psycopg both sum the rows an executemany changed: ignored repeats are 0.
            new = cur.rowcount
            self._refresh(cur, touched, now)
        return RecordResult(len(rows), new, len(touched), skipped)

    def suppress(
        self, address: str, why: str, *, until: datetime | float | None = None, at: datetime | float | None = None
    ) -> Verdict:
        """Suppresses an address by hand (until ``until``, else until released), with the
        reason kept in its history."""
        event = Event(address, "suppressed", _micros(at) / 1_000_000, detail=why, until=until)
        self.record(event)
        return self.check(event.address)

    def release(self, address: str, why: str, *, by: str | None = None, at: datetime | float | None = None) -> Verdict:
        """Lifts an address's suppression, audited: the release is an event of its history,
        with ``why`` (and ``by``, who released it)."""
        if not why.strip():
            raise ValueError("release() needs a reason: it is kept in the address's history")
        detail = why if by is None else f"{why} (released by {by})"
        event = Event(address, "released", _micros(at) / 1_000_000, detail=detail)
        self.record(event)
        return self.check(event.address)

    # -- reading ----------------------------------------------------------------------------

    def check(self, address: str, *, now: datetime | float | None = None) -> Verdict:
        """May ``address`` be mailed now (or at ``now``)? One indexed read.

        >>> import smtpcodes as sc
        >>> sc.Ledger().check("new@example.com").explanation
        'Send: no event names this address.'
        """
        key = _normalize(address)
        with self._lock:
            row = self._conn.execute(self._check_sql, (key,)).fetchone()
        if row is None:
            return Verdict(key, True, AddressStatus.ACTIVE, None, None, None, None, 0, (), "Send: no event names this address.")
        until = row[5]
        if until is not None and until <= _micros(now):
            # The suppression has ended since the state was stored: the history says what now.
            return Verdict._of_state(self.state(key, now=now))
        return Verdict._of_row(row)

    def state(self, address: str, *, now: datetime | float | None = None) -> AddressState:
        """The address's full :class:`AddressState`, computed from its history at ``now``."""
        key = _normalize(address)
        with self._lock:
            cur = self._conn.execute(self._sql(f"SELECT {_HISTORY} FROM smtpcodes_events WHERE address = ?"), (key,))
            rows = cur.fetchall()
        return _native._state_from_rows(key, rows, self.policy, _micros(now))

    def history(self, address: str) -> list[Event]:
        """Every event of ``address``, oldest first."""
        key = _normalize(address)
        with self._lock:
            cur = self._conn.execute(
                self._sql(f"SELECT {_EVENT_COLUMNS} FROM smtpcodes_events WHERE address = ? ORDER BY at, kind, id"), (key,)
            )
            rows = cur.fetchall()
        return [Event._from_row(tuple(r)) for r in rows]

    def suppressed(self, *, now: datetime | float | None = None) -> list[Verdict]:
        """Every address that must not be mailed now, most recently suppressed first."""
        t = _micros(now)
        with self._lock:
            cur = self._conn.execute(
                self._sql(
                    f"SELECT {_STATE_COLUMNS} FROM smtpcodes_addresses WHERE status IN ('suppressed', 'complained') "
                    "AND (until IS NULL OR until > ?) ORDER BY since DESC, address"
                ),
                (t,),
            )
            rows = cur.fetchall()
        return [Verdict._of_row(r) for r in rows]

    def __iter__(self) -> Iterator[Verdict]:
        """Every address's verdict (from the stored states)."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {_STATE_COLUMNS} FROM smtpcodes_addresses ORDER BY address").fetchall()
        return iter([Verdict._of_row(r) for r in rows])

    def __len__(self) -> int:
        """The number of addresses with events."""
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM smtpcodes_addresses").fetchone()[0])

    def destinations(self, *, now: datetime | float | None = None, by: str = "domain") -> list[DestinationHealth]:
        """The health of every destination with attempts in the policy's window: by recipient
        ``"domain"``, by ``"provider"`` (Gmail, Microsoft … behind many domains) or by receiving
        host (``"mx"``, where the reply or the bounce named it). Worst first."""
        if by not in ("domain", "provider", "mx"):
            raise ValueError(f"by must be 'domain', 'provider' or 'mx', not {by!r}")
        t = _micros(now)
        groups: dict[str, list[tuple[Any, ...]]] = {}
        for name, *rest in self._attempts(by, None, t - self._window_us, t):
            groups.setdefault(name, []).append(tuple(rest))
        out = [_native._health_rows(name, g, self.policy, t) for name, g in groups.items()]
        out.sort(key=lambda h: (_SEVERITY[h.advice], -h.attempts, h.destination or ""))
        return out

    def destination(self, name: str, *, now: datetime | float | None = None) -> DestinationHealth:
        """The health of one destination: a domain (``"gmail.com"``) or a provider id (``"google"``)."""
        t = _micros(now)
        rows = [r[1:] for r in self._attempts(_by_name(name), name.lower(), t - self._window_us, t)]
        return _native._health_rows(name.lower(), rows, self.policy, t)

    def health_over_time(
        self, name: str, *, start: datetime | float, end: datetime | float | None = None, step: timedelta | float = 3600
    ) -> list[DestinationHealth]:
        """A destination's health at each ``step`` from ``start`` to ``end``: for a plot."""
        step_us = int((step.total_seconds() if isinstance(step, timedelta) else step) * 1_000_000)
        if step_us <= 0:
            raise ValueError("step must be positive")
        t, stop = _micros(start), _micros(end)
        rows = [r[1:] for r in self._attempts(_by_name(name), name.lower(), t - self._window_us, stop)]
        ats = [r[0] for r in rows]  # in time order: each step's window is a slice
        out = []
        while t <= stop:
            part = rows[bisect.bisect_right(ats, t - self._window_us) : bisect.bisect_right(ats, t)]
            out.append(_native._health_rows(name.lower(), part, self.policy, t))
            t += step_us
        return out

    @property
    def _window_us(self) -> int:
        return int(self.policy.window.total_seconds() * 1_000_000)

    def _attempts(self, by: str, name: str | None, after: int, upto: int) -> list[tuple[Any, ...]]:
        """(destination, at, kind, id, reason, action) of the delivery attempts in (after, upto],
        by ``by`` (a column: domain, provider or mx), of one destination ``name`` or all, in time
        order."""
        where = f"{by} = ?" if name is not None else f"{by} IS NOT NULL"
        params = (name, after, upto) if name is not None else (after, upto)
        with self._lock:
            return self._conn.execute(
                self._sql(
                    f"SELECT {by}, at, kind, id, reason, action FROM smtpcodes_events WHERE {where} AND at > ? AND at <= ? "
                    "AND kind IN ('delivered', 'deferred', 'bounced') ORDER BY at"
                ),
                params,
            ).fetchall()

    def plot(self, name: str, *, start: datetime | float, end: datetime | float | None = None, step: float = 3600) -> Any:
        """A matplotlib chart of a destination's attempts and troubles over time (needs the
        ``plot`` extra); returns the ``Axes``."""
        from ._html import plot_health

        return plot_health(name, self.health_over_time(name, start=start, end=end, step=step))

    def _repr_html_(self) -> str:
        from ._html import ledger_summary

        return ledger_summary(self)

    # -- suppression lists --------------------------------------------------------------------

    def import_suppressions(self, source: Any, format: str | None = None, *, at: datetime | float | None = None) -> RecordResult:
        """Records a suppression list exported by SES, SendGrid, Mailgun or Postmark (see
        :func:`smtpcodes.read_suppressions`): each address becomes an event of its history
        (a complaint, an unsubscribe, a hard bounce or a manual suppression) at the list's
        time, else ``at``."""
        from .suppressions import read_suppressions

        when = _micros(at)
        events = []
        for rec in read_suppressions(source, format=format):
            created = _micros(rec.created) if rec.created is not None else when
            kind, reason = _IMPORT_KINDS.get(str(rec.reason), ("suppressed", None))
            events.append(
                Event(
                    rec.address,
                    kind,
                    created / 1_000_000,
                    reason=reason,
                    source="import",
                    detail=rec.detail or f"imported from {rec.source_format or 'a suppression list'}",
                )
            )
        return self.record(events)

    def export_suppressions(
        self, format: str, file: Any = None, *, now: datetime | float | None = None, kinds: Iterable[str] | None = None
    ) -> str | None:
        """Writes the suppressed addresses in a service's CSV layout (``format``: one of
        ``smtpcodes.suppressions.FORMATS``, such as ``"postmark"``, ``"ses_import"`` or
        ``"sendgrid_bounces"``); returns the text when no ``file`` is given. ``kinds`` keeps
        only the addresses of those :class:`SuppressionKind` values (``"bounce"``,
        ``"complaint"`` …): the lists of SendGrid and Mailgun each hold one kind."""
        from .suppressions import SuppressionKind, SuppressionRecord, write_suppressions

        as_kind = {
            SuppressionCause.HARD_BOUNCE: SuppressionKind.BOUNCE,
            SuppressionCause.SOFT_BOUNCES: SuppressionKind.BOUNCE,
            SuppressionCause.MAILBOX_FULL: SuppressionKind.BOUNCE,
            SuppressionCause.COMPLAINT: SuppressionKind.COMPLAINT,
            SuppressionCause.UNSUBSCRIBED: SuppressionKind.UNSUBSCRIBE,
            SuppressionCause.MANUAL: SuppressionKind.MANUAL,
        }
        records = [
            SuppressionRecord(
                address=v.address,
                reason=as_kind[v.cause or SuppressionCause.MANUAL],
                created=v.since,
                detail=v.reason.value if v.reason is not None else None,
                source_format=None,
            )
            for v in self.suppressed(now=now)
        ]
        if kinds is not None:
            keep = {SuppressionKind(k) for k in kinds}
            records = [r for r in records if r.reason in keep]
        return write_suppressions(records, format, file)


class _Transaction:
    """``with ledger._transaction() as cur``: one transaction under the ledger's lock."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __enter__(self) -> Any:
        self.ledger._lock.acquire()
        try:
            self.ledger._backend.begin(self.ledger._conn)
            self.cur = self.ledger._conn.cursor()
        except BaseException:
            self.ledger._lock.release()
            raise
        return self.cur

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self.ledger._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            self.ledger._lock.release()


def _classified_rows(result: ClassifyResult, addresses: Sequence[str | None], at: int) -> tuple[list[tuple[Any, ...]], int]:
    if len(addresses) != len(result):
        raise ValueError(f"record() got {len(addresses)} addresses for {len(result)} rows")
    codes, statuses = result.column("code"), result.column("status")
    reasons, bounces, actions, delays = (
        result.column("reason"),
        result.column("bounce"),
        result.column("action"),
        result.column("retry_delay"),
    )
    rows = []
    skipped = 0
    for i, address in enumerate(addresses):
        action = actions[i]
        if address is None or action is None:
            skipped += 1
            continue
        kind = _native._event_kind(codes[i], action, delays[i] is not None)
        detail = " ".join(str(x) for x in (codes[i], statuses[i]) if x is not None) or None
        event = Event(
            address,
            kind,
            at / 1_000_000,
            reason=reasons[i],
            bounce=bounces[i],
            action=action,
            source="reply",
            detail=detail,
        )
        rows.append(event._row())
    return rows, skipped


# What an imported suppression list's kinds (smtpcodes.SuppressionKind) become: (event kind,
# reason). A bounce list's address is suppressed as a hard bounce (reason `suppressed`: it is on
# the service's list); SendGrid's invalid emails are addresses that are not ones; a block
# (SendGrid's blocks: the receiving server refused the sender for now) is a bounce for a reason
# that counts against the destination and never suppresses the address.
_IMPORT_KINDS: dict[str, tuple[str, str | None]] = {
    "bounce": ("bounced", "suppressed"),
    "invalid": ("bounced", "userunknown"),
    "blocked": ("bounced", "blocked"),
    "complaint": ("complained", None),
    "unsubscribe": ("unsubscribed", None),
    "manual": ("suppressed", None),
}


# ---------------------------------------------------------------------------------------------
# replay


class ReplayResult(ClassifyResult):
    """One row per address of a :func:`replay`: ``address``, ``status``, ``can_send``,
    ``cause``, ``reason``, ``since``, ``until``, ``soft_count``, ``last_delivered``,
    ``last_event``, ``events`` (the ids behind the status), ``rows`` (its input rows) and
    ``error`` (the first row of the address that could not be read). Arrow-backed, like
    :class:`ClassifyResult`: ``to_pandas()``, ``to_polars()``, ``to_arrow()``, ``to_pylist()``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<ReplayResult: {len(self)} addresses; columns {', '.join(self.columns)}>"

    def _repr_html_(self) -> str:
        from ._html import replay_result

        return replay_result(self)


def replay(
    events: pyarrow.Table | pandas.DataFrame | polars.DataFrame | Iterable[Event] | Any,
    *,
    policy: LedgerPolicy | None = None,
    now: datetime | float | None = None,
) -> ReplayResult:
    """Each address's state after a whole history of events, without a database: one row per
    address, in the order of their first events, folded in parallel by the Rust core.

    ``events`` is a table (pyarrow, pandas, polars, anything with ``__arrow_c_stream__``) with
    the columns ``address``, ``at`` (a timestamp, or int64 microseconds since the epoch) and
    ``kind`` (``EventKind`` values), and optionally ``id``, ``reason``, ``bounce``, ``action``
    and ``until``; or an iterable of :class:`Event`. Rows without an ``id`` are all distinct
    events; rows with one count once per id.

    >>> import smtpcodes as sc
    >>> import pyarrow as pa
    >>> t = pa.table({"address": ["a@example.com", "b@example.com", "a@example.com"],
    ...               "at": pa.array([1796601600_000000] * 3, pa.timestamp("us", "UTC")),
    ...               "kind": ["bounced", "delivered", "delivered"],
    ...               "reason": ["userunknown", None, None]})
    >>> r = sc.replay(t, now=1796605200)
    >>> r["address"], r["status"], r["cause"]
    (['a@example.com', 'b@example.com'], ['suppressed', 'active'], ['hard-bounce', None])
    """
    table: Any = events
    if not hasattr(events, "__arrow_c_stream__"):
        if type(events).__module__.startswith("pandas"):
            import pyarrow as pa

            table = pa.Table.from_pandas(events, preserve_index=False)
        else:
            table = _events_table(events)
    return ReplayResult(_native._replay(table, policy, now if now is None else _micros(now) / 1_000_000))


def _events_table(events: Iterable[Event]) -> Any:
    import pyarrow as pa

    rows = [e._row() for e in events]
    columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(13)]
    return pa.table(
        {
            "id": pa.array(columns[0], pa.string()),
            "address": pa.array(columns[1], pa.string()),
            "at": pa.array(columns[2], pa.int64()),
            "kind": pa.array(columns[3], pa.string()),
            "reason": pa.array(columns[4], pa.string()),
            "bounce": pa.array(columns[5], pa.string()),
            "action": pa.array(columns[6], pa.string()),
            "until": pa.array(columns[12], pa.int64()),
        }
    )
