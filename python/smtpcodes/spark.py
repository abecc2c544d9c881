"""Spark: classify a column of a Spark DataFrame with ``mapInArrow``, batch by batch.

:func:`classify_batches` takes an iterator of pyarrow RecordBatches (what Spark gives a
``mapInArrow`` function), classifies one column of each with :func:`smtpcodes.classify`, and
yields each batch with the classify columns added after its own. The columns are in types Spark
reads: the enum columns as plain strings (Spark does not read Arrow dictionaries), ``code`` as a
32-bit int (Spark has no unsigned integers) and ``retry_delay`` as whole seconds in a 64-bit int
(not an Arrow duration). :func:`spark_schema` is the matching Spark schema::

    from smtpcodes.spark import classify_batches, spark_schema

    classified = df.mapInArrow(classify_batches, spark_schema(df.schema))

This module needs only pyarrow (pyspark only for :func:`spark_schema`), so the function can be
tried without Spark:

>>> import pyarrow as pa
>>> from smtpcodes.spark import classify_batches
>>> batch = pa.record_batch({"id": [1, 2], "reply": ["550 5.1.1 user unknown", None]})
>>> out = next(classify_batches([batch]))
>>> out.column_names[:4], out.column("reason").to_pylist(), out.column("error").to_pylist()
(['id', 'reply', 'code', 'status'], ['userunknown', 'undefined'], [None, 'null'])
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .batch import COLUMNS
from .batch import classify as _classify

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow  # type: ignore[import-untyped, unused-ignore]

    from ._native import RetryPolicy

__all__ = ["DDL", "classify_batches", "spark_schema"]

#: The columns :func:`classify_batches` adds, in Spark's DDL (``retry_delay`` in seconds).
DDL = (
    "code int, status string, kind string, bounce string, reason string, action string, "
    "suppress boolean, retry_delay bigint, rule string, error string"
)


def _refuse_clashes(names: Iterable[str]) -> None:
    clash = sorted(set(names) & set(COLUMNS))
    if clash:
        raise ValueError(f"the input already has column(s) {', '.join(clash)}: rename or drop them before classify_batches")


def classify_batches(
    batches: Iterable[pyarrow.RecordBatch],
    column: str = "reply",
    *,
    command: str | None = None,
    policy: RetryPolicy | None = None,
) -> Iterator[pyarrow.RecordBatch]:
    """Yields each batch with the columns of :func:`smtpcodes.classify` for its ``column`` added
    (see the module's docstring for their types); one row per input row, in order.

    ``column`` names the column of reply texts (string, large string or binary); ``command`` and
    ``policy`` are passed to :func:`smtpcodes.classify`. Bind them with ``functools.partial``
    for ``mapInArrow``. Strings come out as large strings when ``column`` is one (Spark's
    ``spark.sql.execution.arrow.useLargeVarTypes``), else as strings.

    >>> import functools
    >>> import pyarrow as pa
    >>> import smtpcodes
    >>> classify = functools.partial(classify_batches, column="text", policy=smtpcodes.RetryPolicy(base_delay=60))
    >>> out = next(classify(iter([pa.record_batch({"text": ["450 4.2.0 try later"]})])))
    >>> out.column("retry_delay").to_pylist(), out.schema.field("code").type
    ([60], DataType(int32))
    """
    import pyarrow as pa

    for batch in batches:
        _refuse_clashes(batch.schema.names)
        texts = batch.column(column)
        string = pa.large_string() if pa.types.is_large_string(texts.type) else pa.string()
        table = pa.table(_classify(texts, command=command, policy=policy))
        converted = []
        for name in COLUMNS:
            values = table.column(name).combine_chunks()
            if pa.types.is_dictionary(values.type) or pa.types.is_string(values.type):
                values = values.cast(string)
            elif name == "code":
                values = values.cast(pa.int32())
            elif name == "retry_delay":
                values = values.cast(pa.duration("s")).cast(pa.int64())
            converted.append(values)
        yield pa.RecordBatch.from_arrays([*batch.columns, *converted], names=[*batch.schema.names, *COLUMNS])


def spark_schema(input_schema: Any) -> Any:
    """The Spark schema of :func:`classify_batches`' output for an input of ``input_schema``
    (a ``pyspark.sql.types.StructType``, such as ``df.schema``): its fields, then :data:`DDL`'s."""
    types = importlib.import_module("pyspark.sql.types")
    added = [
        types.StructField("code", types.IntegerType()),
        *(types.StructField(name, types.StringType()) for name in ("status", "kind", "bounce", "reason", "action")),
        types.StructField("suppress", types.BooleanType()),
        types.StructField("retry_delay", types.LongType()),
        types.StructField("rule", types.StringType()),
        types.StructField("error", types.StringType()),
    ]
    _refuse_clashes(input_schema.fieldNames())
    return types.StructType([*input_schema.fields, *added])
