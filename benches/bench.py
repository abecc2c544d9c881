"""Benchmark of ``smtpcodes.parse`` from Python, against a pure-Python baseline run in the
same process (these machines are shared and noisy: compare the ratio, not the seconds).

The baseline is what a user writes instead: one regex for code, separator and status, a loop
over the lines, no registry lookups. Inputs are the diagnostic codes of ../shared/corpus when it
is present, else examples/replies.txt.

    python benches/bench.py [--repeat 5] [--number 20000]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import timeit
from pathlib import Path

import smtpcodes

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

_PREFIX = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9-]*\s*;\s*)?")
_LINE = re.compile(r"^\s*(?:(?P<code>[2-5][0-5]\d)(?:[ \t-]|$))?\s*(?P<status>[245]\.\d{1,3}\.\d{1,3})?\s*(?P<text>.*)$")


def baseline_parse(s: str) -> tuple[int | None, str | None, str] | None:
    """A straightforward pure-Python reply parser: a DSN `type;` prefix, code, status, text."""
    code = status = None
    texts = []
    s = _PREFIX.sub("", s, count=1)
    for line in s.splitlines() or [s]:
        m = _LINE.match(line)
        if m is None:
            return None
        code = code or (int(m["code"]) if m["code"] else None)
        status = status or m["status"]
        texts.append(m["text"].strip())
    if code is None and status is None:
        return None
    return code, status, " ".join(t for t in texts if t)


def inputs() -> list[str]:
    lines: list[str] = []
    path = CORPUS / "replies.jsonl"
    if path.exists():
        for row in path.read_text(encoding="utf-8").splitlines():
            d = json.loads(row)
            text = d.get("dsn_diagnostic_code") or d.get("text") or ""
            if text:
                lines.append(text)
    pr = CORPUS / "provider_replies.jsonl"
    if pr.exists():
        lines += [json.loads(r)["text"] for r in pr.read_text(encoding="utf-8").splitlines()]
    if not lines:
        lines = [l for l in (ROOT / "examples" / "replies.txt").read_text().splitlines() if l.strip()]
    return lines


def per_call(fn, data: list[str], number: int, repeat: int) -> float:
    """Best-of-``repeat`` microseconds per call, cycling through ``data``."""
    n = len(data)

    def run() -> None:
        for i in range(number):
            fn(data[i % n])

    times = timeit.repeat(run, number=1, repeat=repeat)
    return min(times) / number * 1e6


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--number", type=int, default=20000)
    args = ap.parse_args()
    data = inputs()
    ok = [s for s in data if smtpcodes.try_parse(s) is not None]
    print(f"inputs: {len(data)} lines, {len(ok)} parse ({len(ok) / len(data):.0%}); Python {sys.version.split()[0]}")
    noop = per_call(lambda s: None, ok, args.number, args.repeat)
    ours = per_call(smtpcodes.parse, ok, args.number, args.repeat)
    base = per_call(baseline_parse, ok, args.number, args.repeat)
    full = per_call(lambda s: smtpcodes.parse(s).reason, ok, args.number, args.repeat)
    print(f"{'what':<42} {'µs/call':>9} {'vs baseline':>12}")
    print(f"{'empty Python call (loop overhead)':<42} {noop:9.3f}")
    print(f"{'pure-Python regex parser (baseline)':<42} {base:9.3f} {1.0:11.2f}x")
    print(f"{'smtpcodes.parse':<42} {ours:9.3f} {base / ours:11.2f}x")
    print(f"{'smtpcodes.parse(...).reason':<42} {full:9.3f} {base / full:11.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
