"""smtpcodes.spark: the mapInArrow function on pyarrow batches (always), and through a real local
SparkSession when pyspark and Java are there (pyspark is not in the test extra: it is large)."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from datetime import timedelta

import pytest

import smtpcodes as sc
from samples import MIXED
from smtpcodes.batch import COLUMNS

pa = pytest.importorskip("pyarrow")
from smtpcodes.spark import DDL, classify_batches, spark_schema  # noqa: E402

TEXTS = MIXED


def expected_rows(texts, **kwargs):
    """smtpcodes.classify's rows in the Spark recipe's types (delay in seconds)."""
    rows = sc.classify(texts, **kwargs).to_pylist()
    for row in rows:
        delay = row["retry_delay"]
        row["retry_delay"] = None if delay is None else int(delay / timedelta(seconds=1))
    return rows


def batches(n, size=len(TEXTS)):
    for i in range(n):
        yield pa.record_batch({"id": pa.array(range(i * size, (i + 1) * size), pa.int64()), "reply": TEXTS[:size]})


def test_each_batch_gets_the_classify_columns_in_spark_types():
    out = list(classify_batches(batches(3)))
    assert len(out) == 3
    for batch in out:
        assert batch.column_names == ["id", "reply", *COLUMNS]
        assert batch.column("id").to_pylist() == list(range(batch.column("id")[0].as_py(), batch.column("id")[0].as_py() + len(TEXTS)))
        assert batch.column("reply").to_pylist() == TEXTS
        rows = batch.select(list(COLUMNS)).to_pylist()
        assert rows == expected_rows(TEXTS)
    types = {f.name: f.type for f in out[0].schema}
    assert types["code"] == pa.int32() and types["retry_delay"] == pa.int64() and types["suppress"] == pa.bool_()
    assert all(types[n] == pa.string() for n in ("status", "kind", "bounce", "reason", "action", "rule", "error"))
    assert not any(pa.types.is_dictionary(t) or pa.types.is_duration(t) or pa.types.is_unsigned_integer(t) for t in types.values())


def test_empty_and_large_string_batches_and_other_column_names():
    empty = pa.record_batch({"text": pa.array([], pa.large_string())})
    big = pa.record_batch({"text": pa.array(TEXTS, pa.large_string())})
    out = list(classify_batches([empty, big], column="text"))
    assert out[0].num_rows == 0 and out[0].column_names == ["text", *COLUMNS]
    assert out[1].schema.field("reason").type == pa.large_string()
    assert out[1].select(list(COLUMNS)).to_pylist() == expected_rows(TEXTS)


def test_policy_and_command_through_partial():
    policy = sc.RetryPolicy(base_delay=60)
    fn = functools.partial(classify_batches, policy=policy, command="RCPT")
    (out,) = fn(iter([pa.record_batch({"reply": ["450 4.2.0 try later", "550 x"]})]))
    assert out.select(list(COLUMNS)).to_pylist() == expected_rows(["450 4.2.0 try later", "550 x"], policy=policy, command="RCPT")
    assert out.column("retry_delay").to_pylist()[0] == 60


def test_a_clashing_input_column_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="already has column.*error.*rename"):
        next(classify_batches([pa.record_batch({"reply": ["550 x"], "error": [1]})]))


def test_ddl_lists_the_columns():
    assert [part.split()[0] for part in DDL.split(", ")] == list(COLUMNS)


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("pyspark needs Java")
    from pyspark.sql import SparkSession

    # The Python workers must import smtpcodes: run them with this interpreter.
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("smtpcodes-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_map_in_arrow_on_a_local_spark_session(spark):
    texts = TEXTS * 50
    df = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "id long, reply string").repartition(3)
    policy = sc.RetryPolicy(base_delay=60)
    out = df.mapInArrow(functools.partial(classify_batches, policy=policy), spark_schema(df.schema))
    assert out.columns == ["id", "reply", *COLUMNS]
    rows = sorted((r.asDict() for r in out.collect()), key=lambda r: r["id"])
    assert [r["id"] for r in rows] == list(range(len(texts)))
    assert [{k: r[k] for k in COLUMNS} for r in rows] == expected_rows(texts, policy=policy)
    # The DDL string works as the schema too.
    out = df.select("reply").mapInArrow(classify_batches, f"reply string, {DDL}")
    assert out.filter("reason = 'userunknown'").count() == 50
