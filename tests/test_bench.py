"""benches/bench.py runs end to end (--quick) and its peers are sensible; no timing is asserted:
the machines are shared and noisy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHES = Path(__file__).resolve().parents[1] / "benches"
sys.path.insert(0, str(BENCHES))
import peers  # noqa: E402 - benches/ is not a package

LINES = [
    "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in local recipient table",
    "smtp; 552 5.2.2 Mailbox full",
    "421 4.7.0 Too many connections from your host",
    "250 2.0.0 Ok: queued as 4B5C81F",
    "no code here at all",
]
EXPECTED = [
    (550, "5.1.1", "userunknown", "hard"),
    (552, "5.2.2", "mailboxfull", "soft"),
    (421, "4.7.0", "toomanyconn", "soft"),
    (250, "2.0.0", "delivered", "none"),
    (None, None, None, None),
]


def test_pure_python_peer_classifies_plain_replies():
    assert peers.PurePythonClassifier().classify(LINES) == EXPECTED


def test_hyperscan_peer_gives_the_pure_python_peers_answers():
    pytest.importorskip("hyperscan")
    patterns = peers.phrase_patterns(seen=LINES)
    assert peers.HyperscanClassifier(patterns).classify(LINES) == peers.PurePythonClassifier(patterns).classify(LINES)


def test_peers_use_about_twenty_phrase_regexes_from_the_rules():
    patterns = peers.phrase_patterns()
    assert len(patterns) == peers.REASONS
    assert len({reason for reason, _ in patterns}) == len(patterns)


def test_quick_run_prints_every_table():
    run = subprocess.run(
        [sys.executable, str(BENCHES / "bench.py"), "--quick"], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    for header in ("µs/call", "peer agreement", "repeated lines/s", "peak memory", "emails/s", "goals"):
        assert header in run.stdout, f"{header!r} missing from:\n{run.stdout}"
    assert "Sisimai" in run.stdout  # its table, or the line saying why it was skipped
