"""The batch API: one row per input, in order, for every input type; same answers as parse()."""

from __future__ import annotations

import pickle
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smtpcodes as sc

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

LINES = [
    "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown",
    None,
    "452 4.2.2 Mailbox full",
    "garbage",
    "",
    "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume",
    "250 2.0.0 Ok: queued as 4F1AB",
    "451 4.7.1 Greylisted, please try again in 5 minutes",
    "mailbox full",
]
DATA = Path(__file__).parent / "data" / "bounces"


def expected_row(text):
    """What the one-reply API says about `text`, in the batch columns' terms."""
    if text is None or not text.strip():
        return None
    r = sc.try_parse(text)
    if r is None:
        return None
    d = r.retry()
    return {
        "code": r.code,
        "status": str(r.status) if r.status else None,
        "kind": r.to_dict()["kind"],
        "bounce": r.bounce.value,
        "reason": r.reason.value,
        "action": d.action.value,
        "suppress": d.suppress,
        "retry_delay": d.delay,
        "rule": r.explain().rule,
    }


def test_rows_match_the_one_reply_api_and_keep_order():
    result = sc.classify(LINES)
    assert len(result) == len(LINES)
    assert result.columns == sc.batch.COLUMNS
    for text, row in zip(LINES, result.to_pylist(), strict=True):
        want = expected_row(text)
        if want is None:
            assert row["error"] is not None and row["code"] is None and row["action"] is None
        else:
            assert row["error"] is None
            assert {k: row[k] for k in want} == want, text


def test_bad_rows_never_raise_and_say_why():
    result = sc.classify([None, "", "  ", "garbage", 42, float("nan"), b"\xff\xfe", bytearray(b"550 5.1.1 x")])
    assert result["error"][:3] == ["null", "empty", "empty"]
    assert result["error"][3].startswith("expected a 3-digit reply code")
    assert result["error"][4:6] == ["not a string", "null"]
    assert result["code"][7] == 550
    # Words alone still give a reason, without an invented code.
    words = sc.classify(["mailbox full"])
    assert (words["reason"], words["code"], words["action"]) == (["mailboxfull"], [None], [None])


def test_big_repetitive_input_with_bad_values_gives_the_rows_of_a_small_one():
    # Above the parallel threshold and repetitive: the chunks share the rows of a sample
    # (batch::Seed), and nulls and non-strings share rows of their own in each chunk.
    mixed = [None, "", "garbage", 42, b"\xff", *LINES, float("nan")]
    # Each value alone: its row built directly, not gathered from a shared one.
    small = [sc.classify([v]).to_pylist()[0] for v in mixed]
    assert sc.classify(mixed).to_pylist() == small
    big = sc.classify(mixed * 1500)
    assert big.to_pylist() == small * 1500
    assert sc.classify(iter(mixed * 1500)).to_pylist() == small * 1500  # any iterable, read first
    # pyarrow reads the same values through the stream: the gathered columns' validity bitmaps
    # (written only for columns with nulls) agree with the values.
    assert pa.table(big).to_pylist() == small * 1500
    # Every line different (queue ids): rows in order, no sharing.
    unique = [f"{line} id={i}" if isinstance(line, str) else line for i, line in enumerate(mixed * 700)]
    result = sc.classify(unique)
    rows = result.to_pylist()
    assert [r["reason"] for r in rows] == [r["reason"] for r in small] * 700
    assert pa.table(result).to_pylist() == rows


def test_single_string_is_a_type_error():
    with pytest.raises(TypeError, match="parse"):
        sc.classify("550 5.1.1 user unknown")


def test_policy_and_command():
    policy = sc.RetryPolicy(base_delay=60)
    r = sc.classify(["450 4.2.0 try later"], policy=policy)
    assert r["retry_delay"] == [timedelta(seconds=60)]
    assert sc.classify(["550 5.1.1 x"], command="RCPT")["code"] == [550]


@pytest.mark.parametrize(
    "make",
    [
        lambda xs: xs,
        lambda xs: iter(xs),
        lambda xs: tuple(xs),
        lambda xs: (x for x in xs),
        lambda xs: pa.array(xs),
        lambda xs: pa.array(xs, pa.large_string()),
        lambda xs: pa.array(xs, pa.string_view()),
        lambda xs: pa.array([None if x is None else x.encode() for x in xs], pa.binary()),
        lambda xs: pa.array(xs).dictionary_encode(),
        lambda xs: pa.chunked_array([pa.array(xs[:3]), pa.array(xs[3:])]),
        lambda xs: pd.Series(xs),
        lambda xs: pd.Series(xs, dtype="string[pyarrow]"),
        lambda xs: pd.Series(xs, dtype="string[python]"),
        lambda xs: pl.Series(xs),
        lambda xs: pl.Series(xs, dtype=pl.Categorical),
    ],
)
def test_every_input_type_gives_the_same_rows(make):
    want = sc.classify(LINES).to_pylist()
    assert sc.classify(make(list(LINES))).to_pylist() == want


def test_numbers_in_arrow_are_a_type_error():
    with pytest.raises(TypeError, match="strings"):
        sc.classify(pa.array([1, 2, 3]))


def test_arrow_stream_is_read_by_pyarrow_polars_pandas():
    result = sc.classify(LINES * 1000)
    table = pa.table(result)
    assert table.num_rows == len(LINES) * 1000
    assert table.schema.field("reason").type == pa.dictionary(pa.int8(), pa.string())
    assert table.schema.field("retry_delay").type == pa.duration("s")
    frame = result.to_polars()
    assert frame.height == len(result) and frame["reason"].to_list() == result["reason"]
    df = result.to_pandas()
    assert str(df["reason"].dtype) == "category" and str(df["code"].dtype) == "UInt16"
    assert df["reason"].tolist() == result["reason"]
    assert result.to_arrow().num_rows == len(result)
    # A stream can be read twice from the same result.
    assert pa.table(result).equals(table)


def test_column_limit_takes_the_first_values_across_chunks():
    result = sc.classify(LINES * 5000)
    assert result.column("reason", 7) == result["reason"][:7]
    assert result.column("reason", 30_000) == result["reason"][:30_000]
    assert result.column("code", 0) == [] and len(result.column("code", 10**9)) == len(result)


def test_categories_are_every_value_of_the_enum_columns():
    result = sc.classify(LINES)
    assert result.categories("reason") == [r.value for r in sc.Reason]
    assert result.categories("kind") == [k.name for k in sc.ReplyKind]
    assert result.categories("code") is None
    with pytest.raises(KeyError):
        result.categories("nope")


def test_empty_input():
    result = sc.classify([])
    assert len(result) == 0 and result.to_pylist() == []
    assert pa.table(result).num_rows == 0


def test_large_input_is_parallel_and_in_order():
    many = [f"550 5.1.1 user{i} unknown" if i % 3 else f"452 4.2.2 box {i} full" for i in range(50_000)]
    result = sc.classify(many)
    reasons = result["reason"]
    assert len(reasons) == 50_000
    assert all(reasons[i] == ("userunknown" if i % 3 else "mailboxfull") for i in range(0, 50_000, 997))


def test_many_python_threads_at_once():
    many = LINES * 2000
    want = sc.classify(many).to_pydict()
    results: list[dict] = []

    def work():
        results.append(sc.classify(many).to_pydict())

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and all(r == want for r in results)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=60), st.binary(max_size=40), st.sampled_from(LINES[:3])), max_size=30))
def test_any_values_one_row_each_same_as_alone(values):
    result = sc.classify(values).to_pylist()
    assert len(result) == len(values)
    for v, row in zip(values, result, strict=True):
        assert sc.classify([v]).to_pylist() == [row]


def test_parse_bounces_rows_per_recipient_with_their_source(tmp_path):
    bad = tmp_path / "bad.eml"
    bad.write_bytes(b"\x00 not an email")
    missing = tmp_path / "missing.eml"
    items = [DATA / "postfix-dsn.eml", (DATA / "arf.eml").read_bytes(), bad, missing, DATA / "plain.eml", 42]
    result = sc.parse_bounces(items)
    rows = result.to_pylist()
    assert result.columns == sc.batch.BOUNCE_COLUMNS
    assert [r["index"] for r in rows] == [0, 0, 1, 2, 3, 4, 5]
    assert [r["recipient"] for r in rows[:3]] == ["bob@example.net", "ann@example.net", "carol@example.net"]
    assert rows[0]["source"] == str(DATA / "postfix-dsn.eml") and rows[2]["source"] is None
    assert (rows[0]["reason"], rows[0]["bounce"], rows[0]["action"], rows[0]["code"]) == ("userunknown", "hard", "suppress", 550)
    assert rows[0]["dsn_action"] == "failed" and rows[0]["format"] == "rfc3464"
    assert [r["report_kind"] for r in rows[:3]] == ["bounce", "bounce", "feedback"]
    assert all(r["report_kind"] is None for r in rows[3:])
    assert all(r["error"] for r in rows[3:]) and "cannot read" in rows[4]["error"]
    report = sc.parse_bounce((DATA / "postfix-dsn.eml").read_bytes())
    assert [r.reason.value for r in report.recipients] == [row["reason"] for row in rows[:2]]


def test_parse_bounces_takes_many_not_one():
    with pytest.raises(TypeError):
        sc.parse_bounces(b"From: x\n\nbody")


def test_results_pickle_through_arrow():
    for result in (sc.classify(LINES * 10), sc.parse_bounces([DATA / "postfix-dsn.eml"]), sc.classify([])):
        back = pickle.loads(pickle.dumps(result))
        assert isinstance(back, sc.ClassifyResult)
        assert back.to_pylist() == result.to_pylist() and back.columns == result.columns
