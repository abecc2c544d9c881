"""summarize(): counts by reason × bounce × action and by recipient domain; text, HTML and the
bar chart (Agg backend: bars, labels and colours, not pixels)."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import smtpcodes as sc
from smtpcodes import _html

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REPLIES = (EXAMPLES / "replies.txt").read_text(encoding="utf-8").splitlines()
BOUNCES = sorted((EXAMPLES / "bounces").glob("*.eml"))


@pytest.fixture(scope="module")
def replies() -> sc.ClassifyResult:
    return sc.classify(REPLIES + ["550 5.1.1 No such user"] * 3)


@pytest.fixture(scope="module")
def bounces() -> sc.ClassifyResult:
    return sc.parse_bounces(BOUNCES)


def test_counts_by_reason_bounce_action_biggest_first(replies):
    s = sc.summarize(replies)
    assert s.by == ("reason", "bounce", "action")
    assert s.columns == ("reason", "bounce", "action", "count", "share")
    assert s.total == len(replies) == sum(r["count"] for r in s.rows)
    assert s.rows[0] == {"reason": "userunknown", "bounce": "hard", "action": "suppress", "count": 5, "share": 5 / 13}
    counts = [r["count"] for r in s.rows]
    assert counts == sorted(counts, reverse=True)
    assert sum(r["share"] for r in s.rows) == pytest.approx(1)
    # Every (reason, bounce, action) triple once; mailbox full both retried and given up.
    keys = [(r["reason"], r["bounce"], r["action"]) for r in s.rows]
    assert len(keys) == len(set(keys)) == len(s)
    assert ("mailboxfull", "soft", "retry") in keys and ("mailboxfull", "soft", "give_up") in keys
    assert s.domains is None  # no recipient column
    assert s.to_pylist() == s.rows and s.to_pylist() is not s.rows


def test_by_other_columns_and_errors(replies):
    s = sc.summarize(replies, by="bounce")
    assert {r["bounce"]: r["count"] for r in s} == {"hard": 6, "soft": 6, "none": 1}
    assert [r["bounce"] for r in s] == ["hard", "soft", "none"]  # ties alphabetical
    with pytest.raises(KeyError, match="no column 'recipient'.*the columns are code, status"):
        sc.summarize(replies, by=("recipient",))
    with pytest.raises(ValueError, match="at least one column"):
        sc.summarize(replies, by=())
    with pytest.raises(TypeError, match="ClassifyResult or a DataFrame"):
        sc.summarize(["550 5.1.1 User unknown"])


def test_bounces_are_also_counted_by_recipient_domain(bounces):
    s = sc.summarize(bounces)
    assert s.total == len(bounces) == 6
    assert s.domains is not None
    assert s.domains.columns == ("domain", "count", "share", "hard", "soft", "none", "unknown")
    assert s.domains.rows == [
        {"domain": "example.net", "count": 6, "share": 1.0, "hard": 1, "soft": 3, "none": 2, "unknown": 0}
    ]


def test_domains_are_lower_cased_after_the_last_at(bounces):
    pd = pytest.importorskip("pandas")
    df = bounces.to_pandas()
    df["recipient"] = ["A@Example.ORG", '"x@y"@example.org', "b@example.com", None, "postmaster", "c@EXAMPLE.com"]
    domains = sc.summarize(df).domains
    assert domains is not None
    assert [(r["domain"], r["count"]) for r in domains] == [("example.com", 2), ("example.org", 2), (None, 2)]
    assert isinstance(domains.to_pandas(), pd.DataFrame)


def test_dataframes_give_the_same_summary(bounces, replies):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    for result in (bounces, replies):
        want = sc.summarize(result)
        for frame in (result.to_pandas(), pl.DataFrame(result), pa.table(result)):
            assert sc.summarize(frame) == want, type(frame)
    # Missing values from pandas (NaN in categoricals, <NA> in UInt16) come back as None.
    by_code = sc.summarize(bounces.to_pandas(), by="code")
    assert {r["code"]: r["count"] for r in by_code} == {550: 2, None: 2, 452: 1, 552: 1}
    frame = sc.summarize(bounces).to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["reason", "bounce", "action", "count", "share"]
    assert frame["count"].sum() == len(bounces)


def test_works_without_pandas(monkeypatch, bounces):
    monkeypatch.setitem(sys.modules, "pandas", None)
    s = sc.summarize(bounces)
    assert "userunknown" in str(s) and "example.net" in s._repr_html_()
    with pytest.raises(ImportError):
        s.to_pandas()


def test_text_table(replies):
    s = sc.summarize(replies)
    lines = str(s).splitlines()
    assert lines[0] == "Summary of 13 rows, 9 groups by reason, bounce, action"
    assert lines[1].split() == ["reason", "bounce", "action", "count", "share"]
    assert lines[2].split() == ["userunknown", "hard", "suppress", "5", "38.5%"]
    assert len(lines) == 2 + len(s)
    assert repr(s) == str(s)
    # Many groups: repr() stops, str() does not.
    many = sc.summarize(sc.classify([f"garbage {i}" for i in range(100)]), by="error")
    assert len(many) == 100
    assert repr(many).splitlines()[-1] == "… 60 more"
    assert len(str(many).splitlines()) == 102
    empty = sc.summarize(sc.classify([]))
    assert len(empty) == 0 and str(empty) == "Summary of 0 rows, 0 groups by reason, bounce, action"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_view_colours_bounces_and_escapes(bounces):
    s = sc.summarize(bounces)
    html = s._repr_html_()
    c = _Collect()
    c.feed(html)
    assert c.tags.count("table") == 2  # groups, then domains
    assert c.tags.count("tr") == (1 + len(s)) + (1 + len(s.domains))
    text = " ".join(c.text)
    for want in ("Summary", "userunknown", "16.7%", "Recipient domains", "example.net"):
        assert want in text, want
    assert _html._BOUNCE_COLOURS["hard"] in html and _html._BOUNCE_COLOURS["soft"] in html
    hostile = sc.summarize(sc.classify(["<script>alert(1)</script> & <b>x</b>"]), by=("error",))
    out = hostile._repr_html_()
    assert "<script>" not in out and "<b>x" not in out and "&lt;script&gt;" in out


# -- plot ---------------------------------------------------------------------------------------


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def _hex(patch) -> str:
    from matplotlib.colors import to_hex

    return to_hex(patch.get_facecolor())


def test_plot_bars_per_reason_coloured_by_bounce(plt, replies, tmp_path):
    s = sc.summarize(replies)
    ax = s.plot()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "userunknown" and set(labels) == {r["reason"] for r in s}
    # One bar segment per (reason, bounce) pair, coloured as in the HTML tables.
    pairs = {(r["reason"], r["bounce"]) for r in s}
    assert len(ax.patches) == len(pairs)
    colours = {_hex(p) for p in ax.patches}
    assert colours == {_html._BOUNCE_COLOURS[b] for _, b in pairs}
    widths: dict[float, float] = {}
    for p in ax.patches:
        y = round(p.get_y() + p.get_height() / 2)
        widths[y] = widths.get(y, 0) + p.get_width()
    assert widths[0] == 5 and sum(widths.values()) == len(replies)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["hard", "soft", "none"]
    assert [t.get_text() for t in ax.texts][0] == "5"  # count labels at the bar ends
    ax.figure.savefig(tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 1000


def test_plot_top_and_given_axes(plt, replies):
    _, ax = plt.subplots()
    out = sc.summarize(replies).plot(ax=ax, top=3)
    assert out is ax
    assert len(ax.get_yticklabels()) == 3
    assert ax.get_title(loc="left") == "top 3 of 8 reasons of 13 rows"


def test_plot_needs_reason_and_matplotlib(plt, replies, monkeypatch):
    with pytest.raises(ValueError, match="per reason"):
        sc.summarize(replies, by="bounce").plot()
    grey = sc.summarize(replies, by="reason").plot()
    assert {_hex(p) for p in grey.patches} == {"#757575"}
    for name in ("matplotlib", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"smtpcodes\[plot\]"):
        sc.summarize(replies).plot()
