"""HTML views for Jupyter (``_repr_html_``): compact tables, hard bounces red, soft amber.

Only inline styles: notebook front ends drop ``<style>`` blocks in some trust settings. Every
value that came from a mail server is escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import timedelta
from html import escape
from typing import Any

# Colours readable on light and dark notebook themes.
_BOUNCE_COLOURS = {"hard": "#c62828", "soft": "#ef8f00", "none": "#2e7d32", "unknown": "#757575"}
_TABLE = 'style="border-collapse:collapse;font-size:0.9em;text-align:left"'
_CELL = 'style="padding:2px 8px;vertical-align:top;text-align:left"'
_HEAD = 'style="padding:2px 8px;text-align:left;border-bottom:1px solid #999"'


def _value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, timedelta):
        return _duration(v)
    return escape(str(getattr(v, "value", v)))


def _duration(d: timedelta) -> str:
    s = int(d.total_seconds())
    for unit, n in (("d", 86400), ("h", 3600), ("min", 60)):
        if s >= n and s % n == 0:
            return f"{s // n} {unit}"
    return f"{s} s"


def bounce_badge(bounce: Any) -> str:
    """A coloured label for a Bounce value ("hard", "soft" …)."""
    name = str(getattr(bounce, "value", bounce))
    colour = _BOUNCE_COLOURS.get(name, "#757575")
    return (
        f'<span style="background:{colour};color:#fff;border-radius:3px;padding:0 5px;'
        f'font-size:0.85em">{escape(name)}</span>'
    )


def _fields(title: str, rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th {_CELL}>{escape(k)}</th><td {_CELL}>{v}</td></tr>" for k, v in rows)
    return f"<div><b>{escape(title)}</b><table {_TABLE}>{body}</table></div>"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str = "") -> str:
    """An HTML table of already escaped cells."""
    head = "".join(f"<th {_HEAD}>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td {_CELL}>{c}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption style=\"text-align:left\">{escape(caption)}</caption>" if caption else ""
    return f"<table {_TABLE}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def reply(r: Any) -> str:
    """Reply: code, status, text, then what it means and what to do."""
    d = r.retry()
    return _fields(
        "Reply",
        [
            ("code", _value(r.code)),
            ("status", _value(r.status)),
            ("text", f"<code>{escape(r.text)}</code>"),
            ("kind", _value(r.kind)),
            ("bounce", bounce_badge(r.bounce)),
            ("reason", _value(r.reason)),
            ("description", escape(r.description)),
            ("decision", _decision_line(d)),
        ],
    )


def _decision_line(d: Any) -> str:
    out = f"<b>{_value(d.action)}</b>"
    if d.delay is not None:
        out += f" in {_duration(d.delay)}"
    if d.suppress:
        out += " (suppress the address)"
    return out


def decision(d: Any) -> str:
    """RetryDecision: action, delay, scope, and why."""
    return _fields(
        "RetryDecision",
        [
            ("action", f"<b>{_value(d.action)}</b>"),
            ("delay", _value(d.delay)),
            ("suppress", _value(d.suppress)),
            ("scope", _value(d.scope)),
            ("bounce", bounce_badge(d.bounce)),
            ("reason", _value(d.reason)),
            ("why", escape(d.explanation)),
        ],
    )


def bounce_report(report: Any) -> str:
    """BounceReport: the format and sending MTA, one row per recipient, the original message."""
    meta = [f"format <b>{escape(report.format)}</b>"]
    if report.reporting_mta:
        meta.append(f"reported by {escape(report.reporting_mta)}")
    if report.feedback_type:
        meta.append(f"feedback type {escape(report.feedback_type)}")
    rows = []
    for r in report.recipients:
        code = r.reply.code if r.reply is not None else None
        d = r.decision
        rows.append(
            [
                escape(r.address),
                _value(r.action),
                _value(r.status),
                _value(code),
                bounce_badge(r.bounce),
                _value(r.reason),
                _decision_line(d) if d is not None else "—",
                escape(_shorten(r.diagnostic_text or "")),
            ]
        )
    recipients = table(["recipient", "action", "status", "code", "bounce", "reason", "decision", "diagnostic"], rows)
    original = report.original
    orig = ""
    shown = [(k, original.get(k)) for k in ("message_id", "from", "to", "subject") if original.get(k)]
    shown += list((original.get("x_headers") or {}).items())
    if shown:
        orig = "<div>original message: " + "; ".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in shown) + "</div>"
    return f"<div><b>BounceReport</b> ({', '.join(meta)}){recipients}{orig}</div>"


def _shorten(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


#: Rows a batch result shows in a notebook.
HTML_ROWS = 20


def columns(result: Any) -> str:
    """A batch result: its first rows, bounce types coloured, and the counts of bounce types."""
    names = list(result.columns)
    n = len(result)
    # Only the rows shown are turned into Python objects (a result can hold millions).
    shown = {name: result.column(name, HTML_ROWS) for name in names}
    rows = []
    for i in range(min(n, HTML_ROWS)):
        row = []
        for name in names:
            v = shown[name][i]
            row.append(bounce_badge(v) if name == "bounce" else _value(v) if v is not None else "")
        rows.append(row)
    tally = ", ".join(f"{bounce_badge(k)} {v}" for k, v in Counter(result.column("bounce")).most_common())
    more = f" (first {HTML_ROWS} shown)" if n > HTML_ROWS else ""
    return f"<div><b>ClassifyResult</b>: {n} rows{more}; {tally}{table(names, rows)}</div>"
