"""The classifier measured on real replies: ../shared/corpus/replies.jsonl (Sisimai's labels).

Skipped when the corpus is absent (a user's checkout has no ../shared). Prints the agreement
per reason and the most frequent confusions (run ``pytest -s tests/test_corpus_replies.py``)
and fails below the levels reached so far: raise them as the rules improve, never lower them.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import smtpcodes as sc

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# Ratchet: the agreement reached on the lines that carry a reply code. Raise, never lower.
MIN_REASON = 0.88
MIN_HARD = 0.92


def rows() -> list[dict]:
    path = CORPUS / "replies.jsonl"
    if not path.exists():
        pytest.skip("../shared/corpus is not here")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_classifier_agrees_with_the_corpus() -> None:
    data = [r for r in rows() if r["replycode"]]
    assert data, "no labelled rows with a reply code"
    reason_ok = hard_ok = parsed = 0
    per_reason: Counter[str] = Counter()
    per_reason_ok: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for row in data:
        text = row["dsn_diagnostic_code"] or row["text"]
        reply = sc.try_parse(text)
        if reply is None and row["replycode"]:
            # Sisimai's cleaned text puts code and status in front of what the server said.
            reply = sc.try_parse(f"{row['replycode']} {row['text']}")
        expected = row["reason"]
        per_reason[expected] += 1
        if reply is None:
            confusion[(expected, "<no parse>")] += 1
            continue
        parsed += 1
        got = reply.reason.value
        if got == expected:
            reason_ok += 1
            per_reason_ok[expected] += 1
        else:
            confusion[(expected, got)] += 1
        if (reply.bounce is sc.Bounce.HARD) == bool(row["hardbounce"]):
            hard_ok += 1
    n = len(data)
    print(f"\n{n} labelled rows with a reply code, {parsed} parsed")
    print(f"reason agreement {reason_ok / n:.1%}, hard/soft agreement {hard_ok / n:.1%}")
    print(f"{'reason':<16} {'rows':>5} {'agree':>7}")
    for reason, count in per_reason.most_common():
        print(f"{reason:<16} {count:>5} {per_reason_ok[reason] / count:>7.0%}")
    print("most frequent confusions (expected -> ours):")
    for (want, got), count in confusion.most_common(15):
        print(f"  {want:<16} -> {got:<16} {count}")
    assert reason_ok / n >= MIN_REASON
    assert hard_ok / n >= MIN_HARD
