"""smtpcodes.polars: the smtp expression and Series namespaces give smtpcodes.classify's rows,
eagerly, lazily (with the schema known before running) and on the streaming engine."""

from __future__ import annotations

from datetime import timedelta

import pytest

import smtpcodes as sc
from samples import MIXED

pl = pytest.importorskip("polars")
from polars.testing import assert_frame_equal  # noqa: E402

import smtpcodes.polars  # noqa: E402  (registers Expr.smtp and Series.smtp)

TEXTS = MIXED
ENUMS = ["kind", "bounce", "reason", "action", "rule"]
SHORTCUTS = ["reason", "bounce", "action", "code", "status"]


def as_strings(frame):
    return frame.with_columns(pl.col(ENUMS).cast(pl.String))


def expected(texts, **kwargs):
    """smtpcodes.classify's answer as a polars frame, enum columns as strings."""
    return as_strings(sc.classify(texts, **kwargs).to_polars())


def frame(n=1):
    return pl.DataFrame({"id": range(len(TEXTS) * n), "reply": TEXTS * n})


def test_eager_struct_equals_the_batch_api():
    out = frame().select(pl.col("reply").smtp.classify()).unnest("reply")
    assert out.schema == smtpcodes.polars.SCHEMA
    assert_frame_equal(as_strings(out), expected(TEXTS))


@pytest.mark.parametrize("name", SHORTCUTS)
def test_shortcuts_equal_the_batch_api_column(name):
    out = frame().with_columns(getattr(pl.col("reply").smtp, name)().alias(name))
    assert out.columns == ["id", "reply", name]
    assert out.schema[name] == smtpcodes.polars.SCHEMA[name]
    assert out[name].cast(pl.String if name in ENUMS else out[name].dtype).to_list() == sc.classify(TEXTS)[name]


def test_expression_keeps_the_column_name():
    out = frame().select(pl.col("reply").smtp.reason(), pl.col("reply").smtp.code().alias("code"))
    assert out.columns == ["reply", "code"]


def test_lazy_schema_is_known_without_running(monkeypatch):
    calls = []
    monkeypatch.setattr(smtpcodes.polars, "_frame", lambda *a: calls.append(a) or pytest.fail("ran"))
    lf = frame().lazy().with_columns(
        reason=pl.col("reply").smtp.reason(),
        code=pl.col("reply").smtp.code(),
        all=pl.col("reply").smtp.classify(),
    )
    schema = lf.collect_schema()
    assert schema["reason"] == pl.Enum([r.value for r in sc.Reason])
    assert schema["code"] == pl.UInt16
    assert schema["all"] == pl.Struct(smtpcodes.polars.SCHEMA)
    assert calls == []


def test_lazy_query_with_filter_and_group_by():
    lf = (
        frame(50)
        .lazy()
        .with_columns(reason=pl.col("reply").smtp.reason(), action=pl.col("reply").smtp.action())
        .filter(pl.col("action") == "suppress")
        .group_by("reason")
        .agg(pl.len())
        .sort("reason")
    )
    out = lf.collect()
    assert out.to_dicts() == [{"reason": "userunknown", "len": 50}]


def test_streaming_engine_runs_batch_by_batch_with_the_same_result(monkeypatch):
    n = 40_000  # 360,000 rows: several morsels for the streaming engine
    sizes: list[int] = []
    original = smtpcodes.polars._frame

    def counting(series, command, policy):
        sizes.append(len(series))
        return original(series, command, policy)

    monkeypatch.setattr(smtpcodes.polars, "_frame", counting)
    lf = frame(n).lazy().with_columns(all=pl.col("reply").smtp.classify(), reason=pl.col("reply").smtp.reason())
    in_memory = lf.collect(engine="in-memory")
    sizes.clear()
    streamed = lf.collect(engine="streaming")
    assert_frame_equal(streamed, in_memory)
    assert sum(sizes) == 2 * len(TEXTS) * n
    # Evidence that the streaming engine ran the functions itself, on morsels, not on the whole
    # column after falling back to the in-memory engine.
    assert max(sizes) < len(TEXTS) * n
    assert_frame_equal(as_strings(streamed["all"].struct.unnest()), expected(TEXTS * n))


def test_streaming_sink(tmp_path):
    path = tmp_path / "classified.parquet"
    frame(100).lazy().select("id", pl.col("reply").smtp.classify()).unnest("reply").sink_parquet(path)
    back = pl.read_parquet(path)
    assert back.height == len(TEXTS) * 100 and back["reason"].dtype == smtpcodes.polars.SCHEMA["reason"]


@pytest.mark.parametrize(
    "column",
    [
        pl.Series("reply", TEXTS),
        pl.Series("reply", TEXTS, dtype=pl.Categorical),
        pl.Series("reply", [None if t is None else t.encode() for t in TEXTS], dtype=pl.Binary),
        pl.concat([pl.Series("reply", TEXTS[:4]), pl.Series("reply", TEXTS[4:])], rechunk=False),
    ],
    ids=["string", "categorical", "binary", "two-chunks"],
)
def test_input_dtypes(column):
    out = pl.DataFrame(column).select(pl.col("reply").smtp.classify()).unnest("reply")
    assert_frame_equal(as_strings(out), expected(TEXTS))


def test_nulls_empty_and_all_null_columns():
    nulls = pl.DataFrame({"reply": [None, None]})
    assert nulls.schema["reply"] == pl.Null
    out = nulls.select(pl.col("reply").smtp.classify()).unnest("reply")
    assert out["error"].to_list() == ["null", "null"] and out["reason"].to_list() == ["undefined"] * 2
    empty = pl.DataFrame({"reply": []}, schema={"reply": pl.String})
    out = empty.lazy().select(pl.col("reply").smtp.classify()).unnest("reply").collect()
    assert out.height == 0 and out.schema == smtpcodes.polars.SCHEMA


def test_numbers_are_a_type_error():
    with pytest.raises(Exception, match="strings"):
        pl.DataFrame({"reply": [1, 2]}).select(pl.col("reply").smtp.reason())


def test_command_and_policy():
    policy = sc.RetryPolicy(base_delay=60)
    df = pl.DataFrame({"reply": ["450 4.2.0 try later"]})
    out = df.select(pl.col("reply").smtp.classify(policy=policy, command="RCPT")).unnest("reply")
    assert out["retry_delay"].to_list() == [timedelta(seconds=60)]
    assert_frame_equal(as_strings(out), expected(["450 4.2.0 try later"], policy=policy, command="RCPT"))


def test_series_namespace():
    s = pl.Series("reply", TEXTS)
    assert_frame_equal(as_strings(s.smtp.classify()), expected(TEXTS))
    for name in SHORTCUTS:
        column = getattr(s.smtp, name)()
        assert column.name == "reply" and column.dtype == smtpcodes.polars.SCHEMA[name]
        assert column.cast(pl.String if name in ENUMS else column.dtype).to_list() == sc.classify(TEXTS)[name]


def test_schema_enums_hold_every_value_of_the_arrow_dictionaries():
    pa = pytest.importorskip("pyarrow")
    table = pa.table(sc.classify(["550 5.1.1 user unknown"]))
    for name in ENUMS:
        assert list(smtpcodes.polars.SCHEMA[name].categories) == table[name].chunk(0).dictionary.to_pylist(), name
