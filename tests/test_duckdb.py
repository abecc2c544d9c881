"""DuckDB reads a batch result through the Arrow PyCapsule stream (``__arrow_c_stream__``), as
the README says: by variable name in SQL, or with ``duckdb.from_arrow``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import smtpcodes as sc
from samples import MIXED

duckdb = pytest.importorskip("duckdb")

BOUNCES = Path(__file__).parent / "data" / "bounces"


def test_sql_over_a_classify_result_gives_its_rows() -> None:
    result = sc.classify(MIXED * 3)
    query = duckdb.sql("SELECT * FROM result")
    names = [d[0] for d in query.description]
    assert names == list(sc.batch.COLUMNS)
    got = query.fetchall()
    want = result.to_pylist()
    assert len(got) == len(want) == len(MIXED) * 3
    assert [dict(zip(names, row, strict=True)) for row in got] == want
    # Arrow duration[s] reads back as an interval, the same timedelta to_pylist gives.
    assert any(isinstance(w["retry_delay"], timedelta) for w in want)


def test_group_by_and_from_arrow() -> None:
    result = sc.classify(MIXED * 100)
    counts = dict(duckdb.sql("SELECT reason, count(*) FROM result GROUP BY reason").fetchall())
    assert counts["userunknown"] == 100 and sum(counts.values()) == len(MIXED) * 100
    suppress = sum(1 for r in sc.classify(MIXED).to_pylist() if r["action"] == "suppress")
    assert suppress > 0
    rel = duckdb.from_arrow(result)
    assert rel.filter("action = 'suppress'").count("*").fetchone() == (100 * suppress,)


def test_bounce_rows_by_recipient_domain() -> None:
    bounces = sc.parse_bounces(sorted(BOUNCES.glob("*.eml")))
    rows = duckdb.sql(
        "SELECT split_part(recipient, '@', 2) AS domain, count(*) FROM bounces "
        "WHERE recipient IS NOT NULL GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert sum(n for _, n in rows) == sum(1 for r in bounces.to_pylist() if r["recipient"] is not None)
