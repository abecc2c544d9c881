"""The ``smtpcodes`` command: explain SMTP replies.

``smtpcodes explain "550 5.1.1 User unknown"`` prints the code and its meaning, the enhanced
status with its title and description, the kind, bounce type, reason and retry decision.
Replies come from the arguments, or from standard input one per line when there are none (or
the only one is ``-``). ``--json`` prints one JSON object per reply; ``--lang fr`` gives French
texts. A reply that cannot be parsed gets a one-line error on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import smtpcodes
from smtpcodes import registry


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="smtpcodes", description="Turn what mail servers say into decisions.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("explain", help="explain SMTP replies (arguments, or stdin one per line)")
    p.add_argument("reply", nargs="*", help='an SMTP reply such as "550 5.1.1 User unknown"; - or none: stdin')
    p.add_argument("--json", action="store_true", help="print one JSON object per reply")
    p.add_argument("--lang", default="en", choices=registry.languages(), help="language of the texts")
    sub.add_parser("version", help="print the version")
    args = parser.parse_args(argv)
    if args.command == "version":
        print(smtpcodes.__version__)
        return 0
    try:
        return explain(_replies_from(args.reply, sys.stdin), as_json=args.json, lang=args.lang, out=sys.stdout, err=sys.stderr)
    except BrokenPipeError:  # `smtpcodes explain … | head`
        return 0
    except KeyboardInterrupt:
        return 130
