"""polars: the ``smtp`` expression and Series namespaces.

``import smtpcodes.polars`` registers ``Expr.smtp`` and ``Series.smtp``:
``pl.col("reply").smtp.reason()``, ``.bounce()``, ``.action()``, ``.code()``, ``.status()``
and ``.classify()`` (a struct of every column of :func:`smtpcodes.classify`). They run
:func:`smtpcodes.classify` on each batch of the column (``map_batches``: the Rust core reads the
Arrow buffers, no Python per row) and declare their dtypes, so a lazy query knows its schema
before it runs; they are elementwise, so the streaming engine runs them batch by batch.

The enum columns are ``pl.Enum`` of every value the core knows (in its order), ``code``
``UInt16``, ``retry_delay`` ``Duration("ms")``. Null, empty and unparseable values give a row
(``error`` set) like everywhere else. The column must hold strings (``String``,
``Categorical``, ``Binary`` or all nulls).

>>> import polars as pl
>>> import smtpcodes.polars
>>> df = pl.DataFrame({"reply": ["550 5.1.1 user unknown", None, "452 4.2.2 Mailbox full"]})
>>> out = df.lazy().with_columns(
...     reason=pl.col("reply").smtp.reason(),
...     action=pl.col("reply").smtp.action(),
... ).collect()
>>> out["reason"].to_list(), out["action"].to_list()
(['userunknown', 'undefined', 'mailboxfull'], ['suppress', None, 'retry'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from .batch import classify as _classify

if TYPE_CHECKING:  # pragma: no cover
    from ._native import RetryPolicy

__all__ = ["SCHEMA", "SmtpExpr", "SmtpSeries"]


def _schema() -> pl.Schema:
    # The enum columns as pl.Enum of every value the core knows, in the order of the Arrow
    # dictionaries (which carry every value).
    result = _classify(["550 5.1.1 user unknown"])
    sample = pl.DataFrame(result)
    return pl.Schema(
        {
            name: dtype if (values := result.categories(name)) is None else pl.Enum(values)
            for name, dtype in sample.schema.items()
        }
    )


#: The columns of ``.smtp.classify()``'s struct and their dtypes.
SCHEMA: pl.Schema = _schema()


def _frame(series: pl.Series, command: str | None, policy: RetryPolicy | None) -> pl.DataFrame:
    if series.dtype == pl.Null:
        series = series.cast(pl.String)
    return pl.DataFrame(_classify(series, command=command, policy=policy)).cast(SCHEMA)


def _column(series: pl.Series, name: str, command: str | None, policy: RetryPolicy | None) -> pl.Series:
    return _frame(series, command, policy).get_column(name).alias(series.name)


def _struct(series: pl.Series, command: str | None, policy: RetryPolicy | None) -> pl.Series:
    return _frame(series, command, policy).to_struct(series.name)


@pl.api.register_expr_namespace("smtp")
class SmtpExpr:
    """``Expr.smtp``: columns of :func:`smtpcodes.classify` for a column of reply texts, as
    expressions (registered by ``import smtpcodes.polars``). Each method takes the
    ``command`` the replies answered and a :class:`smtpcodes.RetryPolicy`.
    """

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def _map(self, name: str, command: str | None, policy: RetryPolicy | None) -> pl.Expr:
        return self._expr.map_batches(
            lambda s: _column(s, name, command, policy),
            return_dtype=SCHEMA[name],
            is_elementwise=True,
        )

    def classify(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Expr:
        """A struct of every column (``.struct.unnest()`` spreads them).

        >>> import polars as pl
        >>> import smtpcodes.polars
        >>> df = pl.DataFrame({"reply": ["421 4.7.0 Try again later", "garbage"]})
        >>> out = df.select(pl.col("reply").smtp.classify()).unnest("reply")
        >>> out.columns == list(smtpcodes.batch.COLUMNS)
        True
        >>> out["code"].to_list(), out["error"].str.starts_with("expected").to_list()
        ([421, None], [None, True])
        """
        return self._expr.map_batches(
            lambda s: _struct(s, command, policy),
            return_dtype=pl.Struct(SCHEMA),
            is_elementwise=True,
        )

    def reason(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Expr:
        """Why each reply failed (Sisimai's names), a ``pl.Enum``.

        >>> import polars as pl
        >>> import smtpcodes.polars
        >>> pl.select(pl.lit("550 5.7.1 blocked by spamhaus").smtp.reason()).item()
        'blocked'
        """
        return self._map("reason", command, policy)

    def bounce(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Expr:
        """``hard``, ``soft``, ``none`` or ``unknown``, a ``pl.Enum``."""
        return self._map("bounce", command, policy)

    def action(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Expr:
        """What to do after a first attempt (``retry``, ``suppress`` …; null when the value is
        not a reply), a ``pl.Enum``."""
        return self._map("action", command, policy)

    def code(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Expr:
        """The reply code (``UInt16``; null when there is none)."""
        return self._map("code", command, policy)

    def status(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Expr:
        """The enhanced status code as text (``"5.1.1"``; null when there is none)."""
        return self._map("status", command, policy)


@pl.api.register_series_namespace("smtp")
class SmtpSeries:
    """``Series.smtp``: the same as ``Expr.smtp``, on a Series.

    >>> import polars as pl
    >>> import smtpcodes.polars
    >>> pl.Series("reply", ["550 5.1.1 user unknown", None]).smtp.bounce().to_list()
    ['hard', 'unknown']
    """

    def __init__(self, series: pl.Series) -> None:
        self._series = series

    def classify(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.DataFrame:
        """Every column, as a DataFrame."""
        return _frame(self._series, command, policy)

    def reason(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Series:
        """See :meth:`SmtpExpr.reason`."""
        return _column(self._series, "reason", command, policy)

    def bounce(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Series:
        """See :meth:`SmtpExpr.bounce`."""
        return _column(self._series, "bounce", command, policy)

    def action(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Series:
        """See :meth:`SmtpExpr.action`."""
        return _column(self._series, "action", command, policy)

    def code(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Series:
        """See :meth:`SmtpExpr.code`."""
        return _column(self._series, "code", command, policy)

    def status(self, command: str | None = None, policy: RetryPolicy | None = None) -> pl.Series:
        """See :meth:`SmtpExpr.status`."""
        return _column(self._series, "status", command, policy)

