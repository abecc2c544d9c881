"""Many replies at once: columnar results for lists, Arrow, pandas and polars.

``classify(values)`` reads a list (or any iterable) of ``str``/``bytes``/``None``, a pyarrow
Array or ChunkedArray (utf8, large_utf8, utf8_view, binary, dictionary), a polars Series, a
pandas Series, or anything with the Arrow PyCapsule interface, and returns a
:class:`ClassifyResult` with exactly one row per input, in order. Bad rows never raise: they get
``error`` set (and, when their words say something, a reason and bounce type from the words
alone). The Rust core does the work with the GIL released, in parallel over chunks of large
inputs.

``parse_bounces(items)`` does the same for bounce emails (``bytes`` or paths): one row per
recipient, with the ``index`` and ``source`` of the email it came from.

>>> import smtpcodes
>>> result = smtpcodes.classify(["550 5.1.1 <bob@example.com>: user unknown", None, "452 4.2.2 Mailbox full"])
>>> len(result)
3
>>> result["reason"]
['userunknown', 'undefined', 'mailboxfull']
>>> result["action"]
['suppress', None, 'retry']
>>> result["error"]
[None, 'null', None]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from . import _native

if TYPE_CHECKING:  # pragma: no cover
    import pandas  # type: ignore[import-untyped, unused-ignore]
    import polars
    import pyarrow  # type: ignore[import-untyped, unused-ignore]

    from ._native import RetryPolicy

__all__ = ["ClassifyResult", "classify", "parse_bounces"]

#: The columns of :func:`classify`'s result.
COLUMNS = ("code", "status", "kind", "bounce", "reason", "action", "suppress", "retry_delay", "rule", "error")
#: The columns of :func:`parse_bounces`'s result.
BOUNCE_COLUMNS = (
    "index",
    "source",
    "format",
    "report_kind",
    "recipient",
    "dsn_action",
    *COLUMNS,
    "diagnostic",
    "event_id",
    "event_kind",
    "event_at",
    "remote_mta",
    "provider",
)


class ClassifyResult:
    """Columns of classified replies (or bounce recipients), one row per input.

    The columns, in order: ``code`` (uint16), ``status`` (``"5.1.1"``), ``kind``
    (``PERMANENT_NEGATIVE`` …: the ``ReplyKind`` member's name, as ``Reply.to_dict()`` gives it),
    ``bounce`` (hard/soft/none/unknown), ``reason`` (Sisimai's names), ``action`` (the first retry decision: retry, throttle, give_up, suppress,
    fix_config, delivered), ``suppress``, ``retry_delay`` (a duration), ``rule`` (the id of the
    text rule that matched), ``error`` (why the row holds no reply, else null). Enum columns are
    Arrow dictionaries: categoricals in pandas and polars.

    It speaks the Arrow PyCapsule interface (``__arrow_c_stream__``), so ``pyarrow.table(r)``,
    ``polars.DataFrame(r)`` and DuckDB read it without copying; ``to_pandas()``,
    ``to_polars()``, ``to_arrow()``, ``to_pylist()`` and ``r["reason"]`` give the usual forms.
    """

    __slots__ = ("_columns",)

    def __init__(self, columns: _native._Columns) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return f"<ClassifyResult: {len(self)} rows; columns {', '.join(self.columns)}>"

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self._columns.names)

    def column(self, name: str, limit: int | None = None) -> list[Any]:
        """One column as a list (``retry_delay`` as ``timedelta``), its first ``limit`` values when
        given; ``KeyError`` for an unknown name."""
        return self._columns.column(name, limit)

    def categories(self, name: str) -> list[str] | None:
        """Every value the enum column ``name`` (kind, bounce, reason, action, rule) can take, in
        the order of its Arrow dictionary; ``None`` for other columns.

        >>> classify([]).categories("bounce")
        ['hard', 'soft', 'none', 'unknown']
        """
        return self._columns.categories(name)

    def __getitem__(self, name: str) -> list[Any]:
        return self.column(name)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_pylist())

    def to_pydict(self) -> dict[str, list[Any]]:
        """``{column: values}``."""
        return {name: self.column(name) for name in self.columns}

    def to_pylist(self) -> list[dict[str, Any]]:
        """One dict per row."""
        data = self.to_pydict()
        names = list(data)
        return [dict(zip(names, row, strict=True)) for row in zip(*data.values(), strict=True)]

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The Arrow PyCapsule stream interface (the columns are not copied)."""
        return self._columns.__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self) -> object:
        return self._columns.__arrow_c_schema__()

    def to_arrow(self) -> pyarrow.Table:
        """A ``pyarrow.Table`` (needs pyarrow)."""
        import pyarrow as pa

        return pa.table(self)

    def to_pandas(self) -> pandas.DataFrame:
        """A pandas DataFrame: enum columns categorical, ``retry_delay`` a timedelta (through
        pyarrow when it is installed, else from Python lists)."""
        import pandas as pd

        try:
            import pyarrow  # noqa: F401
        except ImportError:
            frame = pd.DataFrame(self.to_pydict())
            for name in ("kind", "bounce", "reason", "action", "rule"):
                if name in frame:
                    frame[name] = frame[name].astype("category")
            return frame
        import pyarrow as pa

        # Nullable integers and booleans stay integers and booleans (not float64 / object).
        nullable = {pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(), pa.bool_(): pd.BooleanDtype()}
        return self.to_arrow().to_pandas(types_mapper=nullable.get)

    def to_polars(self) -> polars.DataFrame:
        """A polars DataFrame (read through the Arrow stream, without copying)."""
        import polars as pl

        return pl.DataFrame(self)

    def _repr_html_(self) -> str:
        from . import _html

        return _html.columns(self)

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        # Pickled as a pyarrow table (Arrow's own serialisation), for Dask, Spark and
        # multiprocessing; unpickling reads it back without copying.
        return (_from_arrow, (self.to_arrow(),))


def _from_arrow(table: Any) -> ClassifyResult:
    return ClassifyResult(_native._Columns._from_arrow(table))


def _values(values: Any) -> Any:
    """What the core reads: Arrow objects and lists as they are, a pandas Series as a list or
    its Arrow array, anything else as an iterable."""
    if type(values).__module__.startswith("pandas") and getattr(values, "dtype", None) == object:
        # pandas >= 3 Series speak Arrow too, but infer one type for an object column and
        # raise on mixed values (42, b"…"); as a list each value is one row, bad ones included.
        return values.to_list()
    if hasattr(values, "__arrow_c_stream__") or hasattr(values, "__arrow_c_array__") or isinstance(values, list):
        return values
    module = type(values).__module__
    if module.startswith("pandas"):
        array = getattr(values, "array", None)
        if array is not None and hasattr(array, "__arrow_c_array__"):
            return array  # ArrowExtensionArray (string[pyarrow] …)
        if hasattr(values, "to_list"):
            return values.to_list()
    return values


def classify(
    values: Iterable[str | bytes | None] | Any,
    *,
    command: str | None = None,
    policy: RetryPolicy | None = None,
) -> ClassifyResult:
    """Classifies many reply texts; one row per input, in order, bad rows included.

    ``command`` is the SMTP command the replies answered (``"RCPT"`` …), used when a reply does
    not say; ``policy`` the :class:`RetryPolicy` for the ``action`` and ``retry_delay`` columns
    (attempt 1). A single ``str`` is a ``TypeError`` (use :func:`smtpcodes.parse`), as is an
    Arrow column of numbers.

    >>> r = classify(["421 4.7.0 Try again later", "garbage", "", b"550 5.7.1 blocked by spamhaus"])
    >>> r["code"], r["reason"]
    ([421, None, None, 550], ['securityerror', 'undefined', 'undefined', 'blocked'])
    >>> r["error"][1].startswith("expected a 3-digit reply code"), r["error"][2]
    (True, 'empty')
    """
    return ClassifyResult(_native._classify(_values(values), command, policy))


def parse_bounces(items: Iterable[bytes | str | os.PathLike[str]], *, policy: RetryPolicy | None = None) -> ClassifyResult:
    """Reads many bounce emails (``bytes``, or paths to read); one row per recipient.

    The columns are ``index`` (the input's position), ``source`` (its path), ``format``,
    ``report_kind`` (the report's :class:`ReportKind` value: bounce, delay, delivery, feedback,
    autoreply), ``recipient``, ``dsn_action`` (the report's Action field), the columns of
    :func:`classify`, and ``diagnostic``. An input with no recipient to report (not a bounce,
    unreadable) gives one row with ``error`` set. Files are read and parsed in parallel with the
    GIL released. For mbox files use :func:`smtpcodes.iter_bounces`.
    """
    if isinstance(items, (bytes, str, os.PathLike)):
        raise TypeError("parse_bounces() takes many emails (a list of bytes or paths); for one use parse_bounce()")
    return ClassifyResult(_native._parse_bounces(list(items), policy))
