"""Benchmark of smtpcodes from Python, against two peers run in the same process (these
machines are shared and noisy: compare the ratios, not the seconds).

- ``parse()``: microseconds per call against a pure-Python reply parser (one regex for code,
  separator and status, no registry lookups).
- classifying lines: lines/s of ``smtpcodes.classify`` (or, before the batch API exists, a loop
  of ``smtpcodes.parse``) against the two peers of ``benches/peers.py``, a pure-Python classifier
  (code/status regex + a loop of ~20 phrase regexes) and the same phrases in one Hyperscan
  database, on ``--lines`` lines drawn with a fixed seed from the corpus replies, as they repeat
  in real logs and each made unique (`` id=<n>`` appended, like a queue id); the agreement of
  each peer with smtpcodes' reasons; peak memory (RSS) of each in a fresh process.
- bounces: emails/s of ``parse_bounce`` (``parse_bounces`` when it exists) and, where Sisimai
  (Debian ``libsisimai-perl``) is installed, of Sisimai on the same files.

Inputs are the replies and emails of ../shared/corpus when it is present, else examples/.

    python benches/bench.py [--lines 1000000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import smtpcodes

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402 - benches/ is not a package

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SISIMAI_PL = ROOT / "benches" / "sisimai.pl"
SEED = 5321  # RFC 5321: any fixed seed, so every run draws the same lines

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
    for s in data[:100]:
        fn(s)  # compile lazily built rules outside the timing

    def run() -> None:
        for i in range(number):
            fn(data[i % n])

    times = timeit.repeat(run, number=1, repeat=repeat)
    return min(times) / number * 1e6


def email_paths() -> list[Path]:
    """The corpus bounce emails when present, plus our own test and example bounces."""
    out: list[Path] = []
    for d in (CORPUS / "emails", ROOT / "tests" / "data" / "bounces", ROOT / "examples" / "bounces"):
        if d.is_dir():
            out += [p for p in sorted(d.iterdir()) if p.is_file()]
    return out


def emails() -> list[bytes]:
    return [p.read_bytes() for p in email_paths()]


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


def bench_bounces(repeat: int, quick: bool) -> None:
    data = emails()
    if not data:
        return
    read = sum(1 for e in data if _reads(e))
    rounds = 1 if quick else max(1, 4000 // len(data))

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
    small, big = big_dsn(2_000), big_dsn(2_000_000 if quick else 20_000_000)
    ts = min(timeit.repeat(lambda: smtpcodes.parse_bounce(small), number=20, repeat=repeat)) / 20
    tb = min(timeit.repeat(lambda: smtpcodes.parse_bounce(big), number=20, repeat=repeat)) / 20
    print(f"DSN with a 2 KB attachment {ts * 1e6:.1f} µs; with a {len(big) / 1e6:.0f} MB attachment {tb * 1e6:.1f} µs ({tb / ts:.1f}x)")


def _reads(e: bytes) -> bool:
    try:
        smtpcodes.parse_bounce(e)
    except smtpcodes.BounceParseError:
        return False
    return True


# ---------------------------------------------------------------------------------- classifying lines


def draw(pool: list[str], n: int, unique: bool) -> list[str]:
    """``n`` lines drawn with replacement from ``pool`` (fixed seed); ``unique`` appends `` id=<i>``
    to each, as a queue id makes every real log line different."""
    lines = random.Random(SEED).choices(pool, k=n)
    if unique:
        lines = [f"{line} id={i:08x}" for i, line in enumerate(lines)]
    return lines


def utf8_size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) for line in lines)


def _try_parse_loop(lines: list[str]) -> list[object]:
    replies = [smtpcodes.try_parse(line) for line in lines]
    return [r.reason if r is not None else None for r in replies]


class Skip(Exception):
    """A variant that cannot run here; the message says why and how to enable it."""


# key -> label; the keys name the variants for the --_child processes.
VARIANTS = {
    "pure": "pure-Python peer (~20 regexes)",
    "pure-ignorecase": "pure-Python peer, re.IGNORECASE [2]",
    "hyperscan": "Hyperscan peer (one database)",
    "classify": "smtpcodes.classify(lines)",
    "classify-reason": "smtpcodes.classify(lines).column('reason')",
    "try_parse": "[smtpcodes.try_parse(l)] + .reason",
}


def classifier(key: str, pool: list[str]) -> Callable[[list[str]], object]:
    """The function that classifies a list of lines for the variant ``key``; raises Skip."""
    if key == "pure":
        return peers.PurePythonClassifier(peers.phrase_patterns(seen=pool)).classify
    if key == "pure-ignorecase":
        return peers.PurePythonClassifier(peers.phrase_patterns(seen=pool), ignorecase=True).classify
    if key == "hyperscan":
        try:
            return peers.HyperscanClassifier(peers.phrase_patterns(seen=pool)).classify
        except ImportError:
            raise Skip("hyperscan is not installed (pip install 'smtpcodes[bench]')") from None
    if key == "classify":
        return smtpcodes.classify
    if key == "classify-reason":
        return lambda lines: smtpcodes.classify(lines).column("reason")
    if key == "try_parse":
        return _try_parse_loop
    raise ValueError(key)


def lines_per_s(fn: Callable[[list[str]], object], lines: list[str], repeat: int) -> float:
    """Best-of-``repeat`` lines per second; the garbage collector runs, as in real programs."""
    fn(lines[:1000])  # compile lazily built rules outside the timing
    return len(lines) / min(timeit.repeat(lambda: fn(lines), setup=gc.enable, number=1, repeat=repeat))


def max_rss() -> int:
    """Peak resident set size of this process, bytes.

    Rust's allocations are invisible to tracemalloc, hence RSS. On Linux VmHWM of /proc/self/status:
    getrusage's ru_maxrss survives execve, so a child would start with the bench's own peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def child(key: str, n: int, unique: bool) -> int:
    """Run one variant over ``n`` drawn lines in this fresh process; print the RSS growth as JSON."""
    pool = inputs()
    lines = draw(pool, n, unique)
    fn = classifier(key, pool)
    fn(pool)  # warm: compiled rules and lazy statics are not per-row memory
    gc.collect()
    before = max_rss()
    result = fn(lines)
    after = max_rss()
    print(json.dumps({"rows": n, "input_bytes": utf8_size(lines), "rss_growth": after - before}))
    del result
    return 0


def memory(key: str, n: int, unique: bool) -> dict[str, int]:
    cmd = [sys.executable, __file__, "--_child", key, "--lines", str(n)] + (["--unique"] if unique else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def agreement(pool: list[str]) -> None:
    """How often each peer's reason equals smtpcodes' on the corpus lines, and Sisimai's labels."""
    ours = {}
    for line in pool:
        reply = smtpcodes.try_parse(line)
        if reply is not None:
            ours[line] = reply.reason.value
    lines = list(ours)
    answers: dict[str, list[str | None]] = {"smtpcodes": [ours[line] for line in lines]}
    for key in ("pure", "hyperscan"):
        try:
            fn = classifier(key, pool)
        except Skip:
            continue
        answers[key] = [row[2] for row in fn(lines)]  # type: ignore[attr-defined]
    print(f"\npeer agreement: reason equal to smtpcodes' on the {len(lines)} corpus lines smtpcodes parses")
    for key in [k for k in answers if k != "smtpcodes"]:
        same = sum(a == b for a, b in zip(answers[key], answers["smtpcodes"]))
        print(f"  {VARIANTS[key]:<44} {same / len(lines):6.1%}")
    if {"pure", "hyperscan"} <= answers.keys():
        same = sum(a == b for a, b in zip(answers["pure"], answers["hyperscan"]))
        print(f"  {'the two peers with each other':<44} {same / len(lines):6.1%}")
    labels: dict[str, str] = {}
    path = CORPUS / "replies.jsonl"
    if path.exists():
        for row in path.read_text(encoding="utf-8").splitlines():
            d = json.loads(row)
            text = d.get("dsn_diagnostic_code") or d.get("text") or ""
            if d.get("replycode") and text in ours:
                labels.setdefault(text, d["reason"])
    if labels:
        index = [i for i, line in enumerate(lines) if line in labels]
        print(f"  against Sisimai 5.1's whole-email labels ({len(index)} corpus lines with a reply code):")
        for key, got in answers.items():
            right = sum(got[i] == labels[lines[i]] for i in index)
            print(f"    {VARIANTS.get(key, key):<42} {right / len(index):6.1%}")


def bench_classify(pool: list[str], args: argparse.Namespace, results: dict[str, float]) -> None:
    n, peer_n = args.lines, min(args.lines, args.peer_lines)
    drawn = {u: draw(pool, n, u) for u in (False, True)}
    print(
        f"\nclassify: {n:,} lines drawn from {len(pool)} corpus replies (seed {SEED}), "
        f"{utf8_size(drawn[False]) / 1e6:.1f} MB UTF-8; unique: ' id=<n>' appended to each "
        f"({utf8_size(drawn[True]) / 1e6:.1f} MB)"
    )
    speed: dict[tuple[str, bool], float] = {}
    for key, label in VARIANTS.items():
        try:
            fn = classifier(key, pool)
        except Skip as e:
            print(f"  {label}: skipped, {e}")
            continue
        for unique in (False, True):
            lines = drawn[unique][:peer_n] if key.startswith("pure") else drawn[unique]
            speed[key, unique] = lines_per_s(fn, lines, args.repeat)
    head = f"{'what':<44} {'repeated lines/s':>16} {'x pure':>7} {'x HS':>6} {'unique lines/s':>15} {'x pure':>7} {'x HS':>6}"
    print(head)
    for key, label in VARIANTS.items():
        if (key, False) not in speed:
            continue
        cells = []
        for unique in (False, True):
            v = speed[key, unique]
            pure, hs = speed.get(("pure", unique)), speed.get(("hyperscan", unique))
            x_pure = f"{v / pure:6.1f}x" if pure else f"{'-':>7}"
            x_hs = f"{v / hs:5.2f}x" if hs else f"{'-':>6}"
            cells.append(f"{v:16,.0f} {x_pure} {x_hs}")
        print(f"{label:<44} {cells[0]} {cells[1][1:]}")
    if peer_n < n:
        print(f"  the pure-Python peers are timed on the first {peer_n:,} of the lines (their time per line is flat)")
    print(
        "  [2] same answers as the peer above, its phrase regexes compiled with re.IGNORECASE (the issue's 'case-insensitive\n"
        "      phrase regexes' taken literally), which turns off re's literal-prefix search. The goals list both peers"
    )
    for unique in (False, True):
        if ("classify", unique) in speed:
            tag = "unique" if unique else "repeated"
            results[f"classify/pure {tag}"] = speed["classify", unique] / speed["pure", unique]
            if ("pure-ignorecase", unique) in speed:
                results[f"classify/pure-ic {tag}"] = speed["classify", unique] / speed["pure-ignorecase", unique]
            if ("hyperscan", unique) in speed:
                results[f"classify/HS {tag}"] = speed["classify", unique] / speed["hyperscan", unique]

    print("\npeak memory: RSS growth while classifying, each in a fresh process, against the input's UTF-8 size")
    print(f"{'what':<46} {'lines':>10} {'input MB':>9} {'RSS +MB':>8} {'x input':>8} {'B/row':>6}")
    for unique in (False, True):
        for key, label in VARIANTS.items():
            if (key, unique) not in speed or key == "pure-ignorecase":  # same rows as "pure"
                continue
            m = memory(key, peer_n if key == "pure" else n, unique)
            ratio = m["rss_growth"] / m["input_bytes"]
            what = f"{label}{' (unique)' if unique else ''}"
            print(
                f"{what:<46} {m['rows']:>10,} {m['input_bytes'] / 1e6:9.1f} {m['rss_growth'] / 1e6:8.1f} "
                f"{ratio:7.2f}x {m['rss_growth'] / m['rows']:6.0f}"
            )
            if key == "classify":
                results[f"memory {'unique' if unique else 'repeated'}"] = ratio


# ------------------------------------------------------------------------------------------- Sisimai


def has_sisimai() -> bool:
    if shutil.which("perl") is None:
        return False
    return subprocess.run(["perl", "-MSisimai", "-e1"], capture_output=True).returncode == 0


def _perl(paths: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(["perl", str(SISIMAI_PL), *paths], capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - t, out


def ours_on_files(paths: list[str], repeat: int) -> tuple[float, int]:
    """Emails/s of smtpcodes reading and parsing the files, and the recipients it found."""
    def run() -> smtpcodes.ClassifyResult:
        return smtpcodes.parse_bounces(paths)

    result = run()
    # One call takes a few milliseconds: time 5 in a row, so that one slow call on a shared
    # machine does not decide the figure.
    t = min(timeit.repeat(run, number=5, repeat=repeat)) / 5
    # One row per recipient; an email without recipients has one row with `error` set.
    found = sum(1 for r in result.column("recipient") if r is not None)
    return len(paths) / t, found


def bench_sisimai(args: argparse.Namespace, results: dict[str, float]) -> None:
    paths = [str(p) for p in sorted((CORPUS / "emails").glob("*.eml"))] if (CORPUS / "emails").is_dir() else []
    if args.quick:
        paths = paths[:40]
    if not paths:
        print("\nSisimai: skipped, no corpus emails")
        return
    what = "parse_bounces(paths)"
    ours, found = ours_on_files(paths, args.repeat)
    if not has_sisimai():
        print(f"\nSisimai: skipped, `perl -MSisimai` fails (apt-get install libsisimai-perl); smtpcodes {what}: {ours:,.0f} emails/s")
        return
    startup = min(_perl([])[0] for _ in range(args.repeat))
    cold, out = min(_perl(paths) for _ in range(args.repeat))
    version, _, sisimai_found, _ = out.split()
    warm = min(float(_perl(["--warm", *paths])[1].split()[3]) for _ in range(args.repeat))
    cold_eps, theirs = len(paths) / (cold - startup), len(paths) / warm
    print(f"\nSisimai {version} against smtpcodes on the same {len(paths)} corpus emails (files read from disk by both)")
    print(f"{'what':<48} {'emails/s':>10} {'recipients':>10} {'x Sisimai':>10}")
    print(f"{'Sisimai, second pass in one perl process':<48} {theirs:10,.0f} {sisimai_found:>10} {1.0:9.1f}x")
    print(f"{'Sisimai, one run (perl startup ' + format(startup, '.2f') + ' s subtracted)':<48} {cold_eps:10,.0f} {sisimai_found:>10} {cold_eps / theirs:9.1f}x")
    print(f"{'smtpcodes ' + what:<48} {ours:10,.0f} {found:>10} {ours / theirs:9.1f}x")
    results["bounces/Sisimai"] = ours / theirs


# ---------------------------------------------------------------------------------------------- main


def goals(results: dict[str, float]) -> None:
    """The issue's targets next to this run's figures (none is asserted: the machine is shared)."""
    print("\ngoals")
    rows = [
        ("classify >= 200x the pure-Python peer", "classify/pure", 200, True),
        ("  ... the peer with re.IGNORECASE [2]", "classify/pure-ic", 200, True),
        ("classify >= 3x the Hyperscan peer", "classify/HS", 3, True),
        ("parse() <= 1 µs per call", "parse µs", 1.0, False),
        ("parse_bounces >= 50x Sisimai", "bounces/Sisimai", 50, True),
        ("memory for the rows <= 2x the input", "memory", 2.0, False),
    ]
    for text, key, target, higher in rows:
        got = {k: v for k, v in results.items() if k == key or k.startswith(key + " ")}
        if not got:
            print(f"  {text:<40} not measured")
            continue
        cells = ", ".join(f"{v:.3g}{'' if k == key else ' ' + k[len(key) + 1 :]}" for k, v in got.items())
        met = all((v >= target) if higher else (v <= target) for v in got.values())
        print(f"  {text:<40} {cells:<34} {'met' if met else 'NOT MET'}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--number", type=int, default=20000, help="parse() calls per timing")
    ap.add_argument("--lines", type=int, default=1_000_000, help="lines to classify")
    ap.add_argument("--peer-lines", type=int, default=200_000, help="at most this many for the pure-Python peer")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 20,000 lines, one repeat")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    ap.add_argument("--unique", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        return child(args._child, args.lines, args.unique)
    if args.quick:
        args.lines, args.repeat, args.number = min(args.lines, 20_000), 1, 2000
    data = inputs()
    ok = [s for s in data if smtpcodes.try_parse(s) is not None]
    print(f"inputs: {len(data)} lines, {len(ok)} parse ({len(ok) / len(data):.0%}); Python {sys.version.split()[0]}")
    results: dict[str, float] = {}
    noop = per_call(lambda s: None, ok, args.number, args.repeat)
    ours = per_call(smtpcodes.parse, ok, args.number, args.repeat)
    base = per_call(baseline_parse, ok, args.number, args.repeat)
    full = per_call(lambda s: smtpcodes.parse(s).reason, ok, args.number, args.repeat)
    results["parse µs"] = ours
    print(f"{'what':<42} {'µs/call':>9} {'vs baseline':>12}")
    print(f"{'empty Python call (loop overhead)':<42} {noop:9.3f}")
    print(f"{'pure-Python regex parser (baseline)':<42} {base:9.3f} {1.0:11.2f}x")
    print(f"{'smtpcodes.parse':<42} {ours:9.3f} {base / ours:11.2f}x")
    print(f"{'smtpcodes.parse(...).reason':<42} {full:9.3f} {base / full:11.2f}x")
    agreement(data)
    bench_classify(data, args, results)
    bench_bounces(args.repeat, args.quick)
    bench_sisimai(args, results)
    goals(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
