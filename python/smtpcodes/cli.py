"""The ``smtpcodes`` command: explain SMTP replies, scan bounce emails.

``smtpcodes explain "550 5.1.1 User unknown"`` prints the code and its meaning, the enhanced
status with its title and description, the kind, bounce type, reason and retry decision.
Replies come from the arguments, or from standard input one per line when there are none (or
the only one is ``-``). ``--json`` prints one JSON object per reply; ``--lang fr`` gives French
texts. A reply that cannot be parsed gets a one-line error on stderr and exit status 2.

``smtpcodes scan PATH...`` reads bounce emails from files, directories (recursively), mbox files
and maildirs, in parallel, and prints one row per recipient (``--format table|csv|jsonl``) and a
summary (counts per kind of report, reason, bounce type and action) on stderr. Emails that are
not reports are counted and skipped; unreadable files and non-emails are reported on stderr, skipped, and make
the exit status 1. A file that starts with a ``From `` line is an mbox (LF or CRLF lines);
symbolic links named on the command line and links to files are followed, links to
directories met while walking a directory are not (as ``grep -r`` does: no loops, nothing read
twice). Each row names its file as given (relative stays relative), ``#n`` for the n-th
message of an mbox.

JSON lines and CSV go out in UTF-8 whatever the locale's encoding (on Windows, a pipe's is the
ANSI code page, which cannot write most names and diagnostics), CSV with its own CRLF line ends
untranslated; tables and explanations keep the terminal's encoding and escape what it lacks.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import mailbox
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

import smtpcodes
from smtpcodes import _mbox, registry
from smtpcodes.suppressions import FORMATS, SuppressionKind


def _replies_from(args: list[str], stdin: TextIO) -> Iterator[str]:
    if not args or args == ["-"]:
        for line in stdin:
            line = line.rstrip("\r\n")
            if line.strip():
                yield line
    else:
        yield from args


def explanation(reply: smtpcodes.Reply, lang: str = "en") -> dict[str, Any]:
    """Everything ``explain`` shows for one reply, as a JSON-ready dict.

    >>> e = explanation(smtpcodes.parse("452 4.2.2 Mailbox full"))
    >>> e["reason"], e["decision"]["action"]
    ('mailboxfull', 'retry')
    """
    out = reply.to_dict()
    out["input"] = str(reply)
    if reply.code is not None:
        source = next((r.source for r in registry.replies() if r.code == reply.code), None)
        out["code_meaning"] = smtpcodes.describe(reply.code, lang=lang)
        out["code_source"] = source
    st = reply.status
    if st is not None:
        entry = next(
            (e for e in registry.enhanced(lang) if (e.subject, e.detail) == (st.subject, st.detail)),
            None,
        )
        out["status_title"] = st.describe(lang)
        out["status_description"] = entry.description if entry else None
        out["status_reference"] = st.reference
    out["description"] = reply.describe(lang)
    out["reason_description"] = reply.reason.description
    out["why"] = reply.explain().to_dict()
    out["decision"] = reply.retry().to_dict()
    return out


def _plain(e: dict[str, Any], out: TextIO) -> None:
    rows: list[tuple[str, str]] = []
    if e.get("code") is not None:
        src = f" ({e['code_source']})" if e.get("code_source") else ""
        rows.append(("code", f"{e['code']}  {e['code_meaning']}{src}"))
    rows.append(("kind", str(e["kind"]) + (f" / {e['category']}" if e.get("category") else "")))
    if e.get("status"):
        rows.append(("status", f"{e['status']}  {e['status_title']}"))
        if e.get("status_description"):
            ref = f" [{e['status_reference']}]" if e.get("status_reference") else ""
            rows.append(("", f"{e['status_description']}{ref}"))
    if e.get("conflict"):
        rows.append(("conflict", "the basic code and the enhanced status class disagree"))
    if e.get("text"):
        rows.append(("text", e["text"]))
    if e.get("remote_mta"):
        rows.append(("remote mta", e["remote_mta"]))
    if e.get("smtp_command"):
        rows.append(("command", e["smtp_command"]))
    rows.append(("bounce", e["bounce"]))
    rows.append(("reason", f"{e['reason']}: {e['reason_description']}"))
    rows.append(("why", e["why"]["summary"]))
    d = e["decision"]
    delay = f", retry in {d['delay']} s" if d.get("delay") is not None else ""
    rows.append(("decision", f"{d['action'].upper()} ({d['scope']}){delay}: {d['explanation']}"))
    out.write(e["input"] + "\n")
    for k, v in rows:
        out.write(f"  {k:<10}  {v}\n")


def _rich(e: dict[str, Any], console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    colour = {"hard": "red", "soft": "yellow", "none": "green"}.get(e["bounce"], "magenta")
    t = Table(show_header=False, box=None, pad_edge=False, title=f"[bold]{e['input']}[/]", title_justify="left")
    t.add_column(style="dim", no_wrap=True)
    t.add_column()
    if e.get("code") is not None:
        src = f" [dim]({e['code_source']})[/]" if e.get("code_source") else ""
        t.add_row("code", f"[bold]{e['code']}[/]  {e['code_meaning']}{src}")
    t.add_row("kind", str(e["kind"]) + (f" / {e['category']}" if e.get("category") else ""))
    if e.get("status"):
        t.add_row("status", f"[bold]{e['status']}[/]  {e['status_title']}")
        if e.get("status_description"):
            ref = f" [dim]\\[{e['status_reference']}][/]" if e.get("status_reference") else ""
            t.add_row("", f"{e['status_description']}{ref}")
    if e.get("conflict"):
        t.add_row("conflict", "[magenta]the basic code and the enhanced status class disagree[/]")
    if e.get("text"):
        t.add_row("text", e["text"])
    if e.get("remote_mta"):
        t.add_row("remote mta", e["remote_mta"])
    if e.get("smtp_command"):
        t.add_row("command", e["smtp_command"])
    t.add_row("bounce", f"[{colour} bold]{e['bounce']}[/]")
    t.add_row("reason", f"[bold]{e['reason']}[/]: {e['reason_description']}")
    t.add_row("why", escape(e["why"]["summary"]))
    d = e["decision"]
    delay = f", retry in {d['delay']} s" if d.get("delay") is not None else ""
    t.add_row("decision", f"[bold]{d['action'].upper()}[/] ({d['scope']}){delay}: {d['explanation']}")
    console.print(t)
    console.print()


def explain(replies: Iterable[str], *, as_json: bool, lang: str, out: TextIO, err: TextIO) -> int:
    """Explains each reply; returns the exit status (2 when any reply was bad)."""
    console = None
    if not as_json and out.isatty():
        from rich.console import Console

        console = Console(file=out, highlight=False)
    status = 0
    for n, text in enumerate(replies, 1):
        try:
            e = explanation(smtpcodes.parse(text), lang)
        except smtpcodes.ParseError as exc:
            err.write(f"smtpcodes: reply {n}: {exc}\n")
            status = 2
            continue
        if as_json:
            out.write(json.dumps(e, ensure_ascii=False) + "\n")
        elif console is not None:
            _rich(e, console)
        else:
            _plain(e, out)
    return status


SCAN_FIELDS = ("file", "kind", "recipient", "action", "status", "code", "reason", "bounce", "decision", "diagnostic")
#: How the scan summary names each kind of report (one, many), in the order it lists them.
KIND_NAMES = {
    "bounce": ("bounce", "bounces"),
    "delay": ("delay warning", "delay warnings"),
    "delivery": ("delivery report", "delivery reports"),
    "feedback": ("complaint", "complaints"),
    "autoreply": ("auto-reply", "auto-replies"),
    "none": ("not a report", "not reports"),
}


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"From "
    except OSError:
        return False


def _label(path: Path) -> str:
    """``path`` as rows and messages show it: a file name that is not valid UTF-8 (bytes that
    POSIX allows) gets its odd bytes escaped (``caf\\xe9.eml``), so that it can be written out."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _emails(paths: Iterable[str | Path], errors: list[str]) -> Iterator[tuple[str, bytes]]:
    """(label, raw email) for every email under ``paths``: files, directories, mbox, maildir."""
    for name in paths:
        path = Path(name)
        label = _label(path)
        if path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            md = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(md.keys()):
                try:
                    yield _label(path / key), md.get_bytes(key)
                except OSError as exc:
                    errors.append(f"{_label(path / key)}: {exc.strerror or exc}")
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                yield from _emails((Path(root) / f for f in sorted(files)), errors)
        elif _is_mbox(path):
            try:
                with path.open("rb") as f:
                    for i, raw in enumerate(_mbox.messages(f)):
                        yield f"{label}#{i + 1}", raw
            except OSError as exc:
                errors.append(f"{label}: {exc.strerror or exc}")
        else:
            try:
                yield label, path.read_bytes()
            except OSError as exc:
                errors.append(f"{label}: {exc.strerror or exc}")


def _rows(label: str, raw: bytes) -> tuple[list[dict[str, Any]], str | None, str | None, list[smtpcodes.Event]]:
    """(rows, error, the report's kind or None when it is not a report, the ledger's events)
    for one email."""
    try:
        report = smtpcodes.parse_bounce(raw)
    except smtpcodes.BounceParseError as exc:
        if exc.kind == "not_a_bounce":
            return [], None, None, []
        return [], f"{label}: {exc}", None, []
    rows = []
    for r in report.recipients:
        decision = r.decision
        reply = r.reply
        rows.append(
            {
                "file": label,
                "kind": report.kind.value,
                "recipient": r.address,
                "action": r.action or "",
                "status": str(r.status) if r.status is not None else "",
                "code": reply.code if reply is not None and reply.code is not None else "",
                "reason": r.reason.value,
                "bounce": r.bounce.value,
                "decision": decision.action.value if decision is not None else "",
                "diagnostic": (r.diagnostic_text or (reply.text if reply is not None else "")).replace("\n", " "),
            }
        )
    try:
        events = smtpcodes.Event.from_bounce(report)
    except ValueError as exc:  # a recipient that is not an address
        return rows, f"{label}: not recorded in the ledger: {exc}", report.kind.value, []
    return rows, None, report.kind.value, events


#: Emails read and parsed at a time by `scan`.
SCAN_WINDOW = 256
#: `scan` shows a progress bar on a terminal after this many emails.
PROGRESS_AFTER = 200


def scan(
    paths: list[str], *, fmt: str, out: TextIO, err: TextIO, jobs: int | None = None, ledger: str | None = None
) -> int:
    """Scans ``paths``; returns the exit status (1 when a file could not be read). With
    ``ledger``, records every recipient's event in that ledger, one transaction per window."""
    errors: list[str] = []
    book = smtpcodes.Ledger(ledger) if ledger is not None else None
    recorded = smtpcodes.RecordResult(0, 0, 0, 0)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    bounces: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    writer = csv.DictWriter(out, fieldnames=SCAN_FIELDS) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    table: list[dict[str, Any]] = []
    # Emails are read and parsed a window at a time (in order): memory stays bounded however
    # many files a maildir holds. The progress bar appears once the work proves long.
    items = _emails(paths, errors)
    progress: Any = None
    task: Any = None
    done = 0
    try:
        # parse_bounce releases the GIL: threads parse in parallel.
        with ThreadPoolExecutor(max_workers=jobs or min(8, (os.cpu_count() or 1) + 1)) as pool:
            while window := list(itertools.islice(items, SCAN_WINDOW)):
                pending: list[smtpcodes.Event] = []
                for rows, error, kind, events in pool.map(lambda item: _rows(*item), window):
                    pending.extend(events)
                    done += 1
                    if progress is None and done > PROGRESS_AFTER and err.isatty():
                        from rich.console import Console
                        from rich.progress import Progress

                        # On stderr, so that piped rows on stdout stay clean.
                        progress = Progress(transient=True, console=Console(file=err, force_terminal=True))
                        progress.start()
                        task = progress.add_task("scanning", total=None)
                    if progress is not None:
                        progress.update(task, completed=done)
                    counts["emails"] += 1
                    if error is not None:
                        errors.append(error)
                        continue
                    counts[kind or "none"] += 1
                    for row in rows:
                        counts["recipients"] += 1
                        reasons[row["reason"]] += 1
                        bounces[row["bounce"]] += 1
                        actions[row["decision"] or "-"] += 1
                        if fmt == "jsonl":
                            out.write(json.dumps(row, ensure_ascii=False) + "\n")
                        elif writer is not None:
                            writer.writerow(row)
                        else:
                            table.append(row)
                if book is not None and pending:
                    r = book.record(pending)
                    recorded = smtpcodes.RecordResult(*(a + b for a, b in zip(recorded, r, strict=True)))
    finally:
        if progress is not None:
            progress.stop()
        if book is not None:
            book.close()
    if fmt == "table":
        _table(table, out)
    out.flush()
    for e in errors:
        err.write(f"smtpcodes: {e}\n")
    summary = [
        f"{counts['emails']} emails: "
        + "".join(f"{counts[k]} {names[counts[k] != 1]}, " for k, names in KIND_NAMES.items() if counts[k])
        + f"{len(errors)} unreadable; {counts['recipients']} recipients",
        "reasons: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()),
        "bounce: " + ", ".join(f"{k} {v}" for k, v in bounces.most_common()),
        "actions: " + ", ".join(f"{k} {v}" for k, v in actions.most_common()),
    ]
    if ledger is not None:
        summary.append(f"ledger {ledger}: {recorded.events} events, {recorded.new} new, {recorded.addresses} addresses")
    err.write("\n".join(summary) + "\n")
    return 1 if errors else 0


def _table(rows: list[dict[str, Any]], out: TextIO) -> None:
    cols = ("file", "kind", "recipient", "status", "code", "reason", "bounce", "decision", "diagnostic")
    _columns(rows, cols, out, capped=("diagnostic",))


#: Exit status of `ledger check` when an address must not be mailed (1 is an error, 2 a usage error).
DO_NOT_SEND = 3


def _ledger_parser(sub: Any) -> None:
    lp = sub.add_parser("ledger", help="the bounce ledger: check, suppressed, destinations, history, release, import, export")
    lp.add_argument(
        "--ledger",
        default=os.environ.get("SMTPCODES_LEDGER", "bounces.sqlite"),
        help="SQLite path or PostgreSQL DSN (default: $SMTPCODES_LEDGER, else bounces.sqlite)",
    )
    lsub = lp.add_subparsers(dest="ledger_command", required=True)
    c = lsub.add_parser("check", help=f"may these addresses be mailed? (exit status {DO_NOT_SEND} when one may not)")
    c.add_argument("address", nargs="+")
    c.add_argument("--json", action="store_true", help="one JSON object per address")
    s_ = lsub.add_parser("suppressed", help="every address that must not be mailed")
    s_.add_argument("--format", choices=("table", "csv", "jsonl"), default="table")
    d = lsub.add_parser("destinations", help="the health of every destination with recent attempts")
    d.add_argument("--by", choices=("domain", "provider", "mx"), default="domain")
    d.add_argument("--format", choices=("table", "jsonl"), default="table")
    h = lsub.add_parser("history", help="every event of an address")
    h.add_argument("address")
    r = lsub.add_parser("release", help="lift an address's suppression (audited)")
    r.add_argument("address")
    r.add_argument("--why", required=True, help="the reason, kept in the address's history")
    r.add_argument("--by", default=None, help="who releases it")
    i = lsub.add_parser("import", help="record a suppression list exported by SES, SendGrid, Mailgun or Postmark")
    i.add_argument("file")
    i.add_argument("--format", choices=FORMATS, default=None, help="the list's layout (default: told by its header)")
    e = lsub.add_parser("export", help="write the suppressed addresses in a service's CSV form")
    e.add_argument("--format", choices=FORMATS, required=True)
    e.add_argument("--kind", action="append", choices=[k.value for k in SuppressionKind], help="only this kind (repeatable)")


def ledger_command(args: Any, *, out: TextIO, err: TextIO) -> int:
    """Runs a `smtpcodes ledger …` command; returns the exit status."""
    with smtpcodes.Ledger(args.ledger) as book:
        cmd = args.ledger_command
        if cmd == "check":
            status = 0
            for address in args.address:
                try:
                    v = book.check(address)
                except ValueError as exc:
                    err.write(f"smtpcodes: {exc}\n")
                    status = max(status, 1)
                    continue
                if not v.send:
                    status = DO_NOT_SEND
                if args.json:
                    out.write(json.dumps(v.to_dict(), ensure_ascii=False) + "\n")
                else:
                    out.write(f"{v.address}: {v.explanation}\n")
            return status
        if cmd == "suppressed":
            rows = [v.to_dict() for v in book.suppressed()]
            fields = ("address", "status", "cause", "reason", "since", "until", "explanation")
            if args.format == "jsonl":
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            elif args.format == "csv":
                w = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
                w.writeheader()
                w.writerows(rows)
            else:
                _columns([{k: "" if row[k] is None else row[k] for k in fields[:-1]} for row in rows], fields[:-1], out)
            err.write(f"{len(rows)} suppressed\n")
            return 0
        if cmd == "destinations":
            health = book.destinations(by=args.by)
            if args.format == "jsonl":
                for h in health:
                    out.write(json.dumps(h.to_dict(), ensure_ascii=False) + "\n")
            else:
                cols = ("destination", "advice", "attempts", "delivered", "deferred", "throttled", "blocked", "reasons")
                table = []
                for h in health:
                    d = h.to_dict()
                    d["reasons"] = "; ".join(d["reasons"])
                    table.append(d)
                _columns(table, cols, out)
            return 0
        if cmd == "history":
            for ev in book.history(args.address):
                d = ev.to_dict()
                out.write(json.dumps(d, ensure_ascii=False) + "\n")
            return 0
        if cmd == "release":
            v = book.release(args.address, args.why, by=args.by)
            out.write(f"{v.address}: {v.explanation}\n")
            return 0
        if cmd == "import":
            result = book.import_suppressions(args.file, format=args.format)
            err.write(f"{result.events} addresses read, {result.new} new events\n")
            return 0
        if cmd == "export":
            text = book.export_suppressions(args.format, kinds=args.kind)
            out.write(text or "")
            return 0
    raise AssertionError(cmd)  # pragma: no cover - argparse allows only the commands above


def _columns(rows: list[dict[str, Any]], cols: tuple[str, ...], out: TextIO, capped: tuple[str, ...] | None = None) -> None:
    """An aligned text table of ``cols``; the ``capped`` columns (default: all) cut at 60 characters."""
    width = {c: max([len(c)] + [len(str(r[c])) for r in rows]) for c in cols}
    for c in cols if capped is None else capped:
        width[c] = min(width[c], 60)
    out.write("  ".join(c.upper().ljust(width[c]) for c in cols).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(str(r[c])[: width[c]].ljust(width[c]) for c in cols).rstrip() + "\n")


def _set_up_streams(fmt: str, *, as_json: bool = False) -> None:
    """Standard streams for the output: JSON lines and CSV in UTF-8 (CSV untranslated: its rows
    end in CRLF already, which Windows' text mode would write as CR CR LF), anything else in the
    terminal's encoding with what it cannot write escaped; standard input read as UTF-8."""
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):
        if fmt == "csv":
            out.reconfigure(encoding="utf-8", errors="backslashreplace", newline="")
        elif as_json or fmt == "jsonl":
            out.reconfigure(encoding="utf-8", errors="backslashreplace")
        else:
            out.reconfigure(errors="backslashreplace")
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="smtpcodes", description="Turn what mail servers say into decisions.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("explain", help="explain SMTP replies (arguments, or stdin one per line)")
    p.add_argument("reply", nargs="*", help='an SMTP reply such as "550 5.1.1 User unknown"; - or none: stdin')
    p.add_argument("--json", action="store_true", help="print one JSON object per reply")
    p.add_argument("--lang", default="en", choices=registry.languages(), help="language of the texts")
    sc_ = sub.add_parser("scan", help="scan bounce emails: files, directories, mbox files, maildirs")
    sc_.add_argument("path", nargs="+", help="a file, a directory (recursive), an mbox file or a maildir")
    sc_.add_argument("--format", choices=("table", "csv", "jsonl"), default="table", help="output format")
    sc_.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores + 1, at most 8)")
    sc_.add_argument("--ledger", default=None, help="record every recipient in this ledger (SQLite path or PostgreSQL DSN)")
    _ledger_parser(sub)
    sub.add_parser("version", help="print the version")
    args = parser.parse_args(argv)
    _set_up_streams("table" if args.command != "scan" else args.format, as_json=getattr(args, "json", False))
    if args.command == "version":
        print(smtpcodes.__version__)
        return 0
    if args.command == "ledger":
        try:
            return ledger_command(args, out=sys.stdout, err=sys.stderr)
        except BrokenPipeError:
            return 0
    if args.command == "scan":
        try:
            return scan(args.path, fmt=args.format, out=sys.stdout, err=sys.stderr, jobs=args.jobs, ledger=args.ledger)
        except BrokenPipeError:
            return 0
        except KeyboardInterrupt:
            return 130
    try:
        return explain(_replies_from(args.reply, sys.stdin), as_json=args.json, lang=args.lang, out=sys.stdout, err=sys.stderr)
    except BrokenPipeError:  # `smtpcodes explain … | head`
        return 0
    except KeyboardInterrupt:
        return 130
