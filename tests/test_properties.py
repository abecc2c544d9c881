"""Property tests: the parser never fails in unexpected ways and wire forms round-trip."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import smtpcodes as sc
from smtpcodes import EnhancedStatus, ParseError, Reply, registry

SETTINGS = settings(max_examples=300, deadline=None, database=None)

# 2yz-5yz (RFC 5321 §4.2). x6z-x9z are accepted too (servers send "571 …"), without a category.
VALID_CODES = list(range(200, 600))

statuses = st.builds(
    EnhancedStatus,
    st.sampled_from([2, 4, 5]),
    st.integers(0, 999),
    st.integers(0, 999),
)

# Printable text on one line: no control characters (CR, LF, TAB …), no surrogates, and no
# leading or trailing white space (the parser trims it).
line_text = st.text(
    st.characters(exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=40,
).filter(lambda s: s == s.strip())

# Inputs shaped like replies, to reach deep into the parser more often than st.text() does.
reply_like = st.builds(
    lambda prefix, code, sep, status, text, tail: f"{prefix}{code}{sep}{status}{text}{tail}",
    st.sampled_from(["", "smtp; ", "SMTP;", "X-Postfix; ", "Diagnostic-Code: smtp; ", "#", "#5.1.1 smtp;", "host h said: ", " "]),
    st.sampled_from([str(c) for c in (250, 354, 421, 450, 451, 550, 552, 554, 650, 570, 199)] + ["", "5.1.1 "]),
    st.sampled_from([" ", "-", "", "\t"]),
    st.sampled_from(["", "5.1.1 ", "4.7.650 ", "2.0.0 ", "6.1.1 ", "5.1.1.1 ", "5.1 "]),
    st.text(st.sampled_from("ab 5.1-#\r\n"), max_size=30),
    st.sampled_from(["", " ##", " (in reply to RCPT TO command)", "\r\n", "\n550 5.1.1 z", "\r\n451 x", "'"]),
)

any_text = st.one_of(st.text(), reply_like)


def _parse_or_error(value):
    try:
        return sc.parse(value), None
    except ParseError as e:
        return None, e


@SETTINGS
@given(any_text)
def test_parse_raises_only_parse_error_on_text(text):
    r, e = _parse_or_error(text)
    assert (r is None) != (e is None)
    t = sc.try_parse(text)
    if r is None:
        assert t is None
        assert isinstance(e, ValueError) and str(e)
        assert e.position is None or 0 <= e.position <= len(text.encode())
    else:
        assert t == r
        assert r.code is None or r.code in VALID_CODES
        assert r.code is not None or r.status is not None
        assert isinstance(r.lines, tuple) and len(r.lines) >= 1


@SETTINGS
@given(st.binary(max_size=200))
@example(b"\xff\xfe\xfd")
@example(b"550 5.1.1 \xc3")
def test_parse_raises_only_parse_error_on_bytes(raw):
    r, e = _parse_or_error(raw)
    assert (r is None) != (e is None)
    assert sc.try_parse(raw) == r
    assert sc.try_parse(bytearray(raw)) == r
    # Bytes are read as UTF-8 with invalid sequences replaced, like Python's "replace".
    assert sc.try_parse(raw.decode("utf-8", "replace")) == r


@SETTINGS
@given(st.one_of(any_text, st.binary(max_size=200)))
def test_try_parse_never_raises(value):
    r = sc.try_parse(value)
    assert r is None or isinstance(r, Reply)


@SETTINGS
@given(any_text)
def test_parsed_replies_round_trip_through_str(text):
    r = sc.try_parse(text)
    if r is None or r.remote_mta is not None or r.smtp_command is not None:
        return  # (not assume(): most of st.text() does not parse, and that is fine here)
    assert sc.parse(str(r)) == r
    assert str(sc.parse(str(r))) == str(r)


def _ambiguous(code, status, lines) -> bool:
    """Lines whose wire form reads differently: without a status, a first line that starts with a
    status-shaped token becomes the status (or does not parse, for class 3, 6 …), and a last line
    ending in Postfix's "(in reply to … command)" becomes smtp_command. Both are tested on their own
    in test_constructed_reply_is_refused_or_round_trips."""
    if status is None and re.match(r"\d\.\d{1,3}\.\d{1,3}(\s|[:;,)]|$)", lines[0]):
        return True
    return bool(re.search(r"\(in reply to .{1,40}command\)$", lines[-1]))


@SETTINGS
@given(st.sampled_from(VALID_CODES), st.none() | statuses, st.lists(line_text, min_size=1, max_size=4))
def test_built_replies_round_trip_through_str(code, status, lines):
    assume(not _ambiguous(code, status, lines))
    r = Reply(code=code, status=status, lines=lines)
    assert r.lines == tuple(lines)
    wire = str(r)
    back = sc.parse(wire)
    assert back == r
    assert back.lines == tuple(lines)
    assert str(back) == wire
    assert wire.count("\r\n") == len(lines) - 1


@SETTINGS
@given(st.sampled_from([2, 4, 5]), st.none() | statuses, st.lists(line_text, min_size=1, max_size=4))
def test_built_bare_status_replies_round_trip(klass, status, lines):
    status = status or EnhancedStatus(klass, 0, 0)
    assume(not _ambiguous(None, status, lines))
    # No line of a code-less reply may look like a reply code line: the first is refused (it
    # would read as the code), a later one would read as a reply line of its own.
    assume(all(not re.match(r"\d{3}(\s|-|$)", line.strip()) for line in lines))
    r = Reply(status=status, lines=lines)
    assert sc.parse(str(r)) == r


@pytest.mark.parametrize(
    "lines",
    [
        # The wire form "250 2.0.0 x" reads as status 2.0.0 with text "x"; "250 6.1.1 x" does not parse.
        ["2.0.0 x", "more"],
        ["5.1.1"],
        ["4.7.650: x"],
        ["6.1.1 x"],
        ["3.0.0 x"],
        # Line breaks inside a line, and blanks the parser trims.
        ["a\r\nb"],
        ["a\nb"],
        ["a\rb"],
        [" a"],
        ["a "],
        ["a", " b "],
        # Fixed: a trailing Postfix trailer and a wire form over MAX_INPUT_BYTES are refused.
        ["x (in reply to RCPT TO command)"],
        ["x" * sc.MAX_INPUT_BYTES],
    ],
)
def test_constructed_reply_is_refused_or_round_trips(lines):
    # Refusing a line whose wire form would read differently is one way out; otherwise str() must
    # round-trip.
    try:
        r = Reply(code=250, lines=lines)
    except ValueError:
        return
    assert sc.parse(str(r)) == r


@pytest.mark.parametrize("first", ["000 0", "250 x", "  450-more", "550", "550\tx"])
def test_a_code_less_reply_refuses_a_first_line_that_reads_as_its_code(first):
    # Its wire form "5.1.1 250 x" would read as code 250: pass the code as code.
    with pytest.raises(ValueError, match="pass it as code"):
        Reply(status=EnhancedStatus(5, 1, 1), lines=[first, "next"])
    # "2500 x" and "250x" are not reply codes: kept as text.
    for text in ("2500 x", "250x"):
        assert sc.parse(str(Reply(status=EnhancedStatus(5, 1, 1), lines=[text]))).text == text


def test_exchange_reply_ending_in_a_postfix_trailer_round_trips():
    # Fixed: Exchange's "##" is stripped before Postfix's trailer is looked for.
    r = sc.parse("#550 5.1.1 x (in reply to RCPT TO command) ##")
    assert (r.text, r.smtp_command) == ("x", "RCPT TO")
    assert sc.parse(str(r)).text == r.text


@pytest.mark.parametrize("entry", registry.enhanced(), ids=lambda e: e.code)
def test_every_registry_status_round_trips(entry):
    for cls in (2, 4, 5):
        s = EnhancedStatus(cls, entry.subject, entry.detail)
        assert EnhancedStatus(str(s)) == s
        assert str(EnhancedStatus(str(s))) == str(s) == f"{cls}.{entry.subject}.{entry.detail}"
        r = Reply(code={2: 250, 4: 450, 5: 550}[cls], status=s, lines=["x"])
        assert sc.parse(str(r)) == r


@SETTINGS
@given(st.sampled_from([2, 4, 5]), st.integers(0, 999), st.integers(0, 999))
def test_enhanced_status_round_trip(cls, subject, detail):
    s = EnhancedStatus(cls, subject, detail)
    assert str(s) == f"{cls}.{subject}.{detail}"
    back = EnhancedStatus(str(s))
    assert back == s
    assert hash(back) == hash(s) == hash(str(s))
    assert (int(back.klass), int(back.subject), back.detail) == (cls, subject, detail)


@SETTINGS
@given(statuses, statuses)
def test_enhanced_status_order_is_numeric(a, b):
    ka = (int(a.klass), int(a.subject), a.detail)
    kb = (int(b.klass), int(b.subject), b.detail)
    assert (a < b) == (ka < kb)
    assert (a == b) == (ka == kb)


@SETTINGS
@given(st.text(max_size=20))
def test_enhanced_status_raises_only_parse_error(text):
    try:
        s = EnhancedStatus(text)
    except ParseError:
        return
    assert EnhancedStatus(str(s)) == s


@SETTINGS
@given(
    st.one_of(
        st.text(max_size=12),
        st.from_regex(r"[xX245]\.\d{1,4}\.\d{1,4}", fullmatch=True),
        st.from_regex(r"\d{3}", fullmatch=True),
        st.integers(-10, 1100),
    ),
    st.sampled_from(["en", "fr"]),
)
def test_describe_raises_only_parse_error(code, lang):
    try:
        text = sc.describe(code, lang=lang)
    except ParseError:
        return
    except TypeError:
        assert isinstance(code, int) and code < 0
        return
    assert isinstance(text, str) and text
