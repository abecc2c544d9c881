"""The classifier measured on real replies: ../shared/corpus/replies.jsonl (Sisimai's labels).

Skipped when the corpus is absent (a user's checkout has no ../shared). Prints the agreement
per reason and the most frequent confusions (run ``pytest -s tests/test_corpus_replies.py``)
and fails below the levels reached so far: raise them as the rules improve, never lower them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

import smtpcodes as sc

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# Where we disagree with Sisimai's whole-email label and are right by the RFCs or the provider's
# documentation: file -> (Sisimai's label, our reason, why). These rows count as disagreements in
# the raw figure; the "documented" figure counts them as ours.
_USER_UNKNOWN = (
    "the server's own words are 'user unknown' / 'no such user' / 'mailbox does not exist' "
    "(RFC 3463 X.1.1 'Bad destination mailbox address'); Sisimai's 'filtered' is a whole-email "
    "judgement about the sending MTA, not something the reply says"
)
KNOWN_DISAGREEMENTS: dict[str, tuple[str, str, str]] = {
    **{
        f: ("filtered", "userunknown", _USER_UNKNOWN)
        for f in [
            "lhost-activehunter-02.eml", "lhost-amazonses-02.eml", "lhost-apachejames-01.eml",
            "lhost-courier-02.eml", "lhost-mailfoundry-01.eml", "lhost-messagingserver-03.eml",
            "lhost-messagingserver-06.eml", "lhost-mfilter-01.eml", "lhost-sendmail-02.eml",
            "lhost-sendmail-19.eml", "lhost-sendmail-40.eml", "lhost-surfcontrol-01.eml",
            "lhost-zoho-02.eml", "lhost-zoho-03.eml", "rfc3464-35.eml", "rhost-nttdocomo-01.eml",
            "lhost-receivingses-01.eml", "lhost-receivingses-02.eml",
        ]
    },
    "rhost-nttdocomo-02.eml": ("rejected", "userunknown", _USER_UNKNOWN),
    "rhost-nttdocomo-03.eml": ("rejected", "userunknown", _USER_UNKNOWN),
    "lhost-postfix-74.eml": (
        "rejected", "badreputation",
        "Yahoo's error-code page: [TSS04] is a deferral for the sending IP's volume or complaints; "
        "the corpus labels the same text badreputation elsewhere",
    ),
    "rhost-yahooinc-02.eml": ("rejected", "badreputation", "as lhost-postfix-74.eml: Yahoo [TSS04]"),
    "lhost-exim-37.eml": (
        "hostunknown", "rejected",
        "'553 neko.example.com does not exist' names the sender's domain (the recipient is elsewhere)",
    ),
    "lhost-exim-30.eml": (
        "userunknown", "policyviolation",
        "'554 5.7.1 <a>: Recipient address rejected: Access denied' is Postfix access(5)'s default REJECT "
        "text, a site's policy; Microsoft's unknown-recipient wording of it carries 5.4.1",
    ),
    "lhost-yahoo-06.eml": ("filtered", "userunknown", _USER_UNKNOWN),
    "lhost-exim-56.eml": ("blocked", "ratelimited", "'You've reached your daily relay quota' is a rate limit"),
    "lhost-gmail-07.eml": ("systemerror", "failedstarttls", "'Remote server does not support TLS' is a TLS failure"),
    "lhost-v5sendmail-05.eml": (
        "blocked", "policyviolation",
        "'You cannot send E-Mail to yourself' is a policy refusal; 'blocked' comes from the connection wrapper",
    ),
}

# Ratchet: the agreement reached on the lines that carry a reply code. Raise, never lower.
MIN_REASON = 0.88
# 0.91 since session 7: lhost-exim-30.eml is a documented disagreement now (see above).
MIN_HARD = 0.91
MIN_DOCUMENTED = 0.97
MIN_HARD_DOCUMENTED = 0.99


def rows() -> list[dict]:
    path = CORPUS / "replies.jsonl"
    if not path.exists():
        pytest.skip("../shared/corpus is not here")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_classifier_agrees_with_the_corpus() -> None:
    data = [r for r in rows() if r["replycode"]]
    assert data, "no labelled rows with a reply code"
    reason_ok = hard_ok = parsed = documented = hard_documented = 0
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
            known = KNOWN_DISAGREEMENTS.get(row["file"])
            if known is not None and known[:2] == (expected, got):
                documented += 1
        if (reply.bounce is sc.Bounce.HARD) == bool(row["hardbounce"]):
            hard_ok += 1
        elif row["file"] in KNOWN_DISAGREEMENTS and KNOWN_DISAGREEMENTS[row["file"]][:2] == (expected, got):
            # The hard/soft answer follows from the documented reason (userunknown is hard).
            hard_documented += 1
    n = len(data)
    print(f"\n{n} labelled rows with a reply code, {parsed} parsed")
    print(f"reason agreement {reason_ok / n:.1%}, hard/soft agreement {hard_ok / n:.1%}")
    print(
        f"reason agreement counting the {documented} documented disagreements as ours: "
        f"{(reason_ok + documented) / n:.1%}; hard/soft likewise: {(hard_ok + hard_documented) / n:.1%}"
    )
    print(f"{'reason':<16} {'rows':>5} {'agree':>7}")
    for reason, count in per_reason.most_common():
        print(f"{reason:<16} {count:>5} {per_reason_ok[reason] / count:>7.0%}")
    print("most frequent confusions (expected -> ours):")
    for (want, got), count in confusion.most_common(15):
        print(f"  {want:<16} -> {got:<16} {count}")
    assert reason_ok / n >= MIN_REASON
    assert (reason_ok + documented) / n >= MIN_DOCUMENTED
    assert (hard_ok + hard_documented) / n >= MIN_HARD_DOCUMENTED
    assert hard_ok / n >= MIN_HARD


# A reply code standing as a word of the text (not part of an address, a number or a version).
_CODE_WORD = re.compile(r"(?<![\w.\-])[2-5][0-9]{2}(?![\w.])")
# Ratchet for parse() alone (no fallback to words): how many labelled lines raise. Lower, never raise.
MAX_RAISING = 10


def test_parse_finds_the_reply_inside_its_wrapper() -> None:
    """Issue 15: users feed parse() the Diagnostic-Code values of their bounces as they come.

    Two sets: the lines Sisimai found a reply code for, and among them those whose own text
    carries one (a line such as ``X-Unix; 77`` or ``SMTP;`` has no reply in it, and raising is
    the right answer there). At most 3 % of the second set may raise.
    """
    data = [r for r in rows() if r["replycode"]]
    raising: list[tuple[str, str]] = []
    carrying = raising_carrying = 0
    reason_ok = hard_ok = 0
    for row in data:
        text = row["dsn_diagnostic_code"] or row["text"]
        carries = bool(_CODE_WORD.search(text))
        carrying += carries
        try:
            reply = sc.parse(text)
        except sc.ParseError:
            raising.append((row["file"], text[:100]))
            raising_carrying += carries
            continue
        reason_ok += reply.reason.value == row["reason"]
        hard_ok += (reply.bounce is sc.Bounce.HARD) == bool(row["hardbounce"])
    n = len(data)
    print(f"\nparse() on {n} labelled lines with a reply code: {len(raising)} raise ({len(raising) / n:.1%})")
    print(
        f"  of the {carrying} whose text carries a code: {raising_carrying} raise ({raising_carrying / carrying:.1%})"
    )
    print(f"  reason agreement {reason_ok / n:.1%}, hard/soft {hard_ok / n:.1%} (a raise counts as a miss)")
    for f, t in raising:
        print(f"  raises: {f}: {t!r}")
    assert raising_carrying / carrying <= 0.03
    assert len(raising) <= MAX_RAISING
