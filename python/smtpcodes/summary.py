"""What a batch of replies or bounces adds up to: counts by reason, bounce type and action.

``summarize(result)`` groups the rows of a :class:`~smtpcodes.ClassifyResult` (or of a pandas or
polars DataFrame with its columns) and counts them, biggest group first, with each group's share
of all rows. A result of :func:`~smtpcodes.parse_bounces` is also counted by recipient domain,
with the same hard/soft breakdown. Pure Python: pandas is needed only for ``to_pandas()`` and
matplotlib only for ``plot()`` (``pip install 'smtpcodes[plot]'``).

>>> import smtpcodes as sc
>>> s = sc.summarize(sc.classify(["550 5.1.1 User unknown", "550 5.1.1 No such user", "452 4.2.2 Mailbox full"]))
>>> print(s)
Summary of 3 rows, 2 groups by reason, bounce, action
reason       bounce  action    count  share
userunknown  hard    suppress      2  66.7%
mailboxfull  soft    retry         1  33.3%
>>> s.rows[0]
{'reason': 'userunknown', 'bounce': 'hard', 'action': 'suppress', 'count': 2, 'share': 0.6666666666666666}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from . import _html
from ._types import Bounce
from .batch import ClassifyResult

if TYPE_CHECKING:  # pragma: no cover
    import pandas  # type: ignore[import-untyped, unused-ignore]
    from matplotlib.axes import Axes

__all__ = ["Summary", "summarize"]

#: What ``summarize`` groups by unless told otherwise: why, how bad, what to do.
GROUP_BY = ("reason", "bounce", "action")
#: The bounce types counted per recipient domain, in this order.
BOUNCES = tuple(b.value for b in Bounce)
#: Rows shown by ``repr()`` and in a notebook; ``str()`` and ``rows`` have them all.
SHOWN_ROWS = 40


class Summary:
    """Counts of rows grouped by some columns, biggest group first.

    ``rows`` holds one dict per group: the grouped columns' values, ``count`` and ``share`` (of
    all rows, 0 to 1). ``domains`` is the same for recipient domains (with a count per bounce
    type) when the summarized rows had a ``recipient`` column, else ``None``.

    >>> import smtpcodes as sc
    >>> s = sc.summarize(sc.classify(["421 4.7.0 Try again later", "250 Ok"]), by="bounce")
    >>> len(s), s.total, s.columns
    (2, 2, ('bounce', 'count', 'share'))
    >>> [(r["bounce"], r["count"]) for r in s]
    [('none', 1), ('soft', 1)]
    """

    __slots__ = ("_columns", "by", "domains", "rows", "title", "total")

    def __init__(
        self,
        rows: list[dict[str, Any]],
        *,
        by: Sequence[str],
        total: int,
        columns: Sequence[str] | None = None,
        domains: Summary | None = None,
        title: str = "Summary",
    ) -> None:
        self.rows = rows
        self.by = tuple(by)
        self.total = total
        self.domains = domains
        self.title = title
        self._columns = tuple(columns) if columns is not None else (*self.by, "count", "share")

    @property
    def columns(self) -> tuple[str, ...]:
        """The keys of each row, in order."""
        return self._columns

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Summary):
            return NotImplemented
        return (self.by, self.total, self.rows, self.domains) == (other.by, other.total, other.rows, other.domains)

    __hash__ = None  # type: ignore[assignment]  # mutable rows

    def to_pylist(self) -> list[dict[str, Any]]:
        """One dict per group (copies)."""
        return [dict(r) for r in self.rows]

    def to_pandas(self) -> pandas.DataFrame:
        """A pandas DataFrame, one row per group (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.to_pylist(), columns=list(self.columns))

    # -- text -------------------------------------------------------------------------------

    def _heading(self) -> str:
        groups = "group" if len(self) == 1 else "groups"
        return f"{self.title} of {self.total} rows, {len(self)} {groups} by {', '.join(self.by)}"

    def _text(self, limit: int | None) -> str:
        lines = [self._heading()]
        if self.rows:
            lines += _text_table(self.columns, self.rows[:limit])
        if limit is not None and len(self) > limit:
            lines.append(f"… {len(self) - limit} more")
        if self.domains is not None:
            lines += ["", self.domains._text(limit)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text(None)

    def __repr__(self) -> str:
        return self._text(SHOWN_ROWS)

    def _repr_html_(self) -> str:
        cells = [[_cell(name, row[name]) for name in self.columns] for row in self.rows[:SHOWN_ROWS]]
        more = f" (first {SHOWN_ROWS} shown)" if len(self) > SHOWN_ROWS else ""
        groups = "group" if len(self) == 1 else "groups"
        heading = f"<b>{escape(self.title)}</b> of {self.total} rows, {len(self)} {groups} by {escape(', '.join(self.by))}{more}"
        out = f"<div>{heading}{_html.table(self.columns, cells)}</div>"
        if self.domains is not None:
            out += self.domains._repr_html_()
        return out

    # -- chart ------------------------------------------------------------------------------

    def plot(self, ax: Axes | None = None, top: int = 15) -> Axes:
        """A horizontal bar chart of the ``top`` reasons by count, each bar split by bounce type
        (hard red, soft amber, as in the notebook tables); returns the matplotlib Axes.

        Needs matplotlib (``pip install 'smtpcodes[plot]'``) and a summary grouped by
        ``reason`` (the default); without ``bounce`` in ``by`` the bars are grey.
        """
        if "reason" not in self.by:
            raise ValueError(f"plot() draws counts per reason; this summary is grouped by {', '.join(self.by)}")
        try:
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
        except ImportError as exc:
            raise ImportError(
                "Summary.plot() needs matplotlib: pip install 'smtpcodes[plot]' (or pip install matplotlib)"
            ) from exc
        per_reason: Counter[str] = Counter()
        per_bounce: Counter[tuple[str, str]] = Counter()
        for row in self.rows:
            reason = _label(row["reason"])
            per_reason[reason] += row["count"]
            per_bounce[reason, _label(row.get("bounce"))] += row["count"]
        reasons = [r for r, _ in sorted(per_reason.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.9 + 0.32 * max(len(reasons), 1)), layout="constrained")
        left = dict.fromkeys(reasons, 0)
        seen = {b for _, b in per_bounce}
        for bounce in [*BOUNCES, *sorted(seen - set(BOUNCES))]:
            segments = [(y, r) for y, r in enumerate(reasons) if per_bounce[r, bounce]]
            if not segments:
                continue
            widths = [per_bounce[r, bounce] for _, r in segments]
            ax.barh(
                [y for y, _ in segments],
                widths,
                left=[left[r] for _, r in segments],
                color=_html._BOUNCE_COLOURS.get(bounce, "#757575"),
                label=bounce,
                height=0.7,
            )
            for (_, r), w in zip(segments, widths, strict=True):
                left[r] += w
        for y, reason in enumerate(reasons):
            ax.annotate(
                str(per_reason[reason]),
                (per_reason[reason], y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize="small",
            )
        ax.set_yticks(range(len(reasons)), reasons)
        ax.invert_yaxis()  # biggest at the top
        ax.set_xlabel("rows")
        if reasons:
            ax.set_xlim(0, max(per_reason[r] for r in reasons) * 1.08)  # room for the count labels
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        shown = f"top {len(reasons)} of {len(per_reason)} reasons" if len(per_reason) > len(reasons) else "reasons"
        ax.set_title(f"{shown} of {self.total} rows", loc="left", fontsize="medium")
        if "bounce" in self.by and reasons:
            ax.legend(title="bounce", loc="best", fontsize="small", frameon=False)
        return ax


def summarize(result: Any, *, by: str | Sequence[str] = GROUP_BY) -> Summary:
    """Counts the rows of a batch result grouped by the ``by`` columns, biggest group first.

    ``result`` is a :class:`~smtpcodes.ClassifyResult` (from :func:`~smtpcodes.classify` or
    :func:`~smtpcodes.parse_bounces`) or a pandas or polars DataFrame with its columns. When it
    has a ``recipient`` column, ``Summary.domains`` counts recipients by domain (the part after
    the last ``@``, lower-cased) with a column per bounce type.

    >>> import smtpcodes as sc
    >>> r = sc.classify(["550 5.1.1 User unknown", "421 4.7.0 Try later", "550 5.1.1 Unknown user"])
    >>> [(row["reason"], row["count"]) for row in sc.summarize(r, by="reason").rows]
    [('userunknown', 2), ('securityerror', 1)]
    """
    names = (by,) if isinstance(by, str) else tuple(by)
    if not names:
        raise ValueError("summarize() needs at least one column to group by")
    available = _column_names(result)
    for name in names:
        if name not in available:
            raise KeyError(f"no column {name!r} to group by; the columns are {', '.join(available)}")
    columns = [_column(result, name) for name in names]
    total = len(columns[0])
    counts = Counter(zip(*columns, strict=True))
    rows = [
        {**dict(zip(names, key, strict=True)), "count": n, "share": n / total}
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], _sort_key(kv[0])))
    ]
    domains = None
    if "recipient" in available and "bounce" in available:
        domains = _by_domain(_column(result, "recipient"), _column(result, "bounce"))
    return Summary(rows, by=names, total=total, domains=domains)


def _by_domain(recipients: list[Any], bounces: list[Any]) -> Summary:
    total = len(recipients)
    counts: dict[str | None, Counter[str]] = {}
    for recipient, bounce in zip(recipients, bounces, strict=True):
        domain = _domain(recipient)
        counts.setdefault(domain, Counter())[_label(bounce)] += 1
    extra = [b for b in sorted({b for c in counts.values() for b in c}) if b not in BOUNCES]
    kinds = [*BOUNCES, *extra]
    rows = []
    for domain, c in sorted(counts.items(), key=lambda kv: (-kv[1].total(), _sort_key((kv[0],)))):
        n = c.total()
        rows.append({"domain": domain, "count": n, "share": n / total, **{k: c[k] for k in kinds}})
    return Summary(
        rows,
        by=("domain",),
        total=total,
        columns=("domain", "count", "share", *kinds),
        title="Recipient domains",
    )


def _domain(recipient: Any) -> str | None:
    """The domain of an address: after the last ``@``, lower-cased; ``None`` without one."""
    if not isinstance(recipient, str) or "@" not in recipient:
        return None
    return recipient.rpartition("@")[2].strip().rstrip(">").lower() or None


# -- reading columns ----------------------------------------------------------------------------


def _column_names(result: Any) -> tuple[str, ...]:
    columns = getattr(result, "column_names", None) or getattr(result, "columns", None)  # pyarrow, others
    if columns is None:
        raise TypeError(
            f"summarize() takes a ClassifyResult or a DataFrame with its columns, not {type(result).__name__}"
        )
    return tuple(str(c) for c in columns)


def _column(result: Any, name: str) -> list[Any]:
    """One column as a list with missing values as ``None`` (pandas gives NaN and NA)."""
    if isinstance(result, ClassifyResult):
        values = result.column(name)
    else:
        series = result[name]
        to_list = getattr(series, "to_list", None) or getattr(series, "to_pylist", None)  # pandas, polars; pyarrow
        values = to_list() if to_list is not None else list(series)
    return [None if _missing(v) else v for v in values]


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v  # NaN
    return type(v).__name__ in ("NAType", "NaTType")


def _label(v: Any) -> str:
    """A value as a chart label or bounce name: enum values by value, ``None`` as ``"—"``."""
    if v is None:
        return "—"
    return str(getattr(v, "value", v))


def _sort_key(key: Iterable[Any]) -> tuple[tuple[bool, str], ...]:
    # Ties in count: alphabetical, missing values last.
    return tuple((v is None, _label(v)) for v in key)


def _cell(name: str, v: Any) -> str:
    if name == "bounce" and v is not None:
        return _html.bounce_badge(v)
    if name == "share":
        return f"{v:.1%}"
    if name == "count" or name in BOUNCES:
        return f'<span style="font-variant-numeric:tabular-nums">{v}</span>'
    return _html._value(v)


def _text_value(name: str, v: Any) -> str:
    if name == "share":
        return f"{v:.1%}"
    if v is None:
        return "—"
    if name != "count" and name not in BOUNCES:
        return _html._duration(v) if hasattr(v, "total_seconds") else _label(v)
    return str(v)


def _text_table(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[str]:
    cells = [[_text_value(c, row[c]) for c in columns] for row in rows]
    numeric = [c in ("count", "share") or c in BOUNCES for c in columns]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    return [line(columns), *(line(r) for r in cells)]
