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
    return _badge(bounce, _BOUNCE_COLOURS)


def _badge(value: Any, colours: dict[str, str]) -> str:
    name = str(getattr(value, "value", value))
    colour = colours.get(name, "#757575")
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


# The ledger's views. Status colours: suppressed red, complained purple, soft-bouncing amber,
# active green; advice: stop red, slow-down amber, ok green.
_STATUS_COLOURS = {
    "suppressed": "#c62828",
    "complained": "#6a1b9a",
    "soft-bouncing": "#ef8f00",
    "active": "#2e7d32",
    "stop": "#c62828",
    "slow-down": "#ef8f00",
    "ok": "#2e7d32",
}


def status_badge(status: Any) -> str:
    """A coloured label for an AddressStatus or Advice value."""
    return _badge(status, _STATUS_COLOURS)


def _time(t: Any) -> str:
    return "—" if t is None else escape(t.isoformat(timespec="seconds"))


def ledger_verdict(v: Any) -> str:
    """A ``Ledger.check`` verdict."""
    return _fields(
        f"Verdict: {'send' if v.send else 'do not send'}",
        [
            ("address", escape(v.address)),
            ("status", status_badge(v.status)),
            ("cause", _value(v.cause)),
            ("reason", _value(v.reason)),
            ("since", _time(v.since)),
            ("until", _time(v.until) if v.until is not None else ("until released" if not v.send else "—")),
            ("soft bounces", str(v.soft_count)),
            ("events", escape(", ".join(v.events)) or "—"),
            ("why", escape(v.explanation)),
        ],
    )


def address_state(s: Any) -> str:
    """An ``AddressState``."""
    return _fields(
        "AddressState",
        [
            ("address", escape(s.address)),
            ("status", status_badge(s.status)),
            ("cause", _value(s.cause)),
            ("reason", _value(s.reason)),
            ("since", _time(s.since)),
            ("until", _time(s.until)),
            ("soft bounces", f"{s.soft_count} ({_time(s.soft_first)} to {_time(s.soft_last)})" if s.soft_count else "0"),
            ("last delivered", _time(s.last_delivered)),
            ("events", f"{s.event_count} ({escape(', '.join(s.events))})" if s.events else str(s.event_count)),
            ("why", escape(s.explanation)),
        ],
    )


def destination_health(h: Any) -> str:
    """A ``DestinationHealth``."""
    rows = [
        ("destination", _value(h.destination)),
        ("advice", status_badge(h.advice)),
        (
            "attempts",
            f"{h.attempts}: {h.delivered} delivered, {h.deferred} deferred, {h.bounced} bounced; "
            f"{h.throttled} throttled, {h.blocked} blocked, {h.policy} policy, {h.unavailable} unavailable",
        ),
    ]
    if h.pause is not None:
        rows.append(("pause, then at most", f"{_duration(h.pause)}, {h.rate_per_hour} per hour"))
    if h.until is not None:
        rows.append(("stop until", _time(h.until)))
    rows.append(("why", "<br>".join(escape(r) for r in h.reasons) or "—"))
    return _fields("DestinationHealth", rows)


def event(e: Any) -> str:
    """A ledger ``Event``."""
    return _fields(
        "Event",
        [
            ("address", escape(e.address)),
            ("at", _time(e.at)),
            ("kind", _value(e.kind)),
            ("reason", _value(e.reason)),
            ("bounce", bounce_badge(e.bounce)),
            ("action", _value(e.action)),
            ("source", _value(e.source)),
            ("mx / provider", f"{_value(e.mx)} / {_value(e.provider)}"),
            ("detail", escape(_shorten(e.detail)) if e.detail else "—"),
            ("id", escape(e.id)),
        ],
    )


def replay_result(result: Any) -> str:
    """A ``replay`` result: its first rows, statuses coloured, and the count of each status."""
    names = [n for n in result.columns if n != "events"]
    n = len(result)
    shown = {name: result.column(name, HTML_ROWS) for name in names}
    rows = []
    for i in range(min(n, HTML_ROWS)):
        rows.append(
            [
                status_badge(shown[name][i])
                if name == "status" and shown[name][i] is not None
                else _value(shown[name][i])
                if shown[name][i] is not None
                else ""
                for name in names
            ]
        )
    tally = ", ".join(f"{status_badge(k)} {v}" for k, v in Counter(result.column("status")).most_common() if k)
    more = f" (first {HTML_ROWS} shown)" if n > HTML_ROWS else ""
    return f"<div><b>ReplayResult</b>: {n} addresses{more}; {tally}{table(names, rows)}</div>"


def ledger_summary(ledger: Any) -> str:
    """A ledger: its addresses by status, the suppressed ones (first rows), and the
    destinations that need slowing down or stopping."""
    verdicts = list(ledger)
    counts = Counter(v.status.value for v in verdicts)
    tally = ", ".join(f"{status_badge(k)} {v}" for k, v in counts.most_common()) or "no addresses"
    suppressed = [v for v in verdicts if not v.send][:HTML_ROWS]
    sup = table(
        ["address", "status", "cause", "reason", "since", "until"],
        [
            [escape(v.address), status_badge(v.status), _value(v.cause), _value(v.reason), _time(v.since), _time(v.until)]
            for v in suppressed
        ],
        caption="suppressed",
    )
    troubled = [h for h in ledger.destinations() if h.advice.value != "ok"]
    dest = (
        table(
            ["destination", "advice", "attempts", "why"],
            [[_value(h.destination), status_badge(h.advice), str(h.attempts), escape("; ".join(h.reasons))] for h in troubled],
            caption="destinations to slow down or stop (last window)",
        )
        if troubled
        else ""
    )
    return f"<div><b>Ledger</b> ({escape(ledger.backend)}): {len(verdicts)} addresses; {tally}{sup if suppressed else ''}{dest}</div>"


def plot_health(name: str, healths: Sequence[Any], ax: Any = None) -> Any:
    """Stacked bars of a destination's attempts per step (delivered, deferred, throttled,
    blocked and policy refusals), the steps it was told to slow down or stop shaded."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("Ledger.plot() needs matplotlib: pip install 'smtpcodes[plot]'") from exc
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    xs = [h.at for h in healths]
    width = (xs[1] - xs[0]) * 0.8 if len(xs) > 1 else 0.03
    bottom = [0] * len(healths)
    series = [
        ("delivered", "#2e7d32", [h.delivered for h in healths]),
        ("deferred (other)", "#90a4ae", [max(0, h.deferred - h.throttled) for h in healths]),
        ("throttled", "#ef8f00", [h.throttled for h in healths]),
        ("blocked / policy", "#c62828", [h.blocked + h.policy for h in healths]),
    ]
    for label, colour, values in series:
        ax.bar(xs, values, bottom=bottom, width=width, color=colour, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for h, x in zip(healths, xs, strict=True):
        if h.advice.value != "ok":
            ax.axvspan(x - width / 2, x + width / 2, color=_STATUS_COLOURS[h.advice.value], alpha=0.12, linewidth=0)
    ax.set_title(f"{name}: attempts per window (shaded: slow down or stop)")
    ax.set_ylabel("attempts")
    ax.legend(loc="upper left", fontsize="small")
    return ax
