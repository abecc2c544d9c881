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


def emails() -> list[bytes]:
    """The corpus bounce emails when present, plus our own test and example bounces."""
    out: list[bytes] = []
    for d in (CORPUS / "emails", ROOT / "tests" / "data" / "bounces", ROOT / "examples" / "bounces"):
        if d.is_dir():
            out += [p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()]
    return out


def big_dsn(attachment: int) -> bytes:
    """A DSN whose returned message carries a base64 attachment of about ``attachment`` bytes."""
    head = (
        b"From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="o"\r\n\r\n'
        b"--o\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n"
        b"--o\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        b"Final-Recipient: rfc822; bob@example.net\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        b"Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n"
        b"--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@example.com\r\nMessage-ID: <x@example.com>\r\n"
        b'Content-Type: multipart/mixed; boundary="i"\r\n\r\n--i\r\nContent-Type: application/pdf\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
    )
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n"
    return head + line * (attachment // len(line)) + b"--i--\r\n--o--\r\n"


def bench_bounces(repeat: int) -> None:
    data = emails()
    if not data:
        return
    read = sum(1 for e in data if _reads(e))
    rounds = max(1, 4000 // len(data))

    def run() -> None:
        for _ in range(rounds):
            for e in data:
                try:
                    smtpcodes.parse_bounce(e)
                except smtpcodes.BounceParseError:
                    pass

    t = min(timeit.repeat(run, number=1, repeat=repeat))
    n = rounds * len(data)
    print(f"\nparse_bounce: {len(data)} emails ({read} bounces), {n / t:,.0f} emails/s, {t / n * 1e6:.1f} µs/email")
    small, big = big_dsn(2_000), big_dsn(20_000_000)
    ts = min(timeit.repeat(lambda: smtpcodes.parse_bounce(small), number=20, repeat=repeat)) / 20
    tb = min(timeit.repeat(lambda: smtpcodes.parse_bounce(big), number=20, repeat=repeat)) / 20
    print(f"DSN with a 2 KB attachment {ts * 1e6:.1f} µs; with a {len(big) / 1e6:.0f} MB attachment {tb * 1e6:.1f} µs ({tb / ts:.1f}x)")


def _reads(e: bytes) -> bool:
    try:
        smtpcodes.parse_bounce(e)
    except smtpcodes.BounceParseError:
        return False
    return True


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
    bench_bounces(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
