"""HTML views for Jupyter: what they show, colours, and escaping of what servers said."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import smtpcodes as sc
from smtpcodes import _html

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "bounces"


class _Collect(HTMLParser):
    """Text and tags of an HTML fragment, failing on unbalanced tables."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.depth += tag == "table"

    def handle_endtag(self, tag):
        self.depth -= tag == "table"

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Collect:
    c = _Collect()
    c.feed(html)
    c.close()
    assert c.depth == 0
    return c


def test_reply_view_shows_fields_and_colour():
    r = sc.parse("550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown")
    html = r._repr_html_()
    text = " ".join(parsed(html).text)
    for want in ("550", "5.1.1", "userunknown", "hard", "suppress"):
        assert want in text, want
    assert _html._BOUNCE_COLOURS["hard"] in html
    soft = sc.parse("452 4.2.2 Mailbox full")._repr_html_()
    assert _html._BOUNCE_COLOURS["soft"] in soft and _html._BOUNCE_COLOURS["hard"] not in soft


def test_server_text_is_escaped():
    r = sc.parse("550 5.7.1 <script>alert(1)</script> & <b>blocked</b>")
    html = r._repr_html_()
    assert "<script>" not in html and "<b>blocked" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert "script" not in parsed(html).tags


def test_decision_view():
    d = sc.parse("421 4.7.0 Try again later").retry()
    text = " ".join(parsed(d._repr_html_()).text)
    assert str(d.action.value) in text and "soft" in text


def test_bounce_report_view_one_row_per_recipient():
    report = sc.parse_bounce((EXAMPLES / "postfix-dsn.eml").read_bytes())
    html = report._repr_html_()
    c = parsed(html)
    assert c.tags.count("tr") == 1 + len(report)  # header row + one per recipient
    text = " ".join(c.text)
    for r in report.recipients:
        assert r.address in text
    assert report.format in text
