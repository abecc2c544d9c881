"""The README's examples run: its tour lines, its smtplib retry function, and its pytest example
(executed with pytester against the real smtp_server fixture)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import smtpcodes as sc

pytest_plugins = ["pytester"]

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def block(containing: str) -> str:
    found = [b for b in BLOCKS if containing in b]
    assert found, f"no README python block contains {containing!r}"
    return found[0]


def test_the_retry_function_works_against_a_real_server(smtp_server):
    ns: dict = {}
    exec(block("def send(msg, attempt"), ns)  # noqa: S102 - the README's own code
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "me@example.org", "bob@example.com", "hi"
    msg.set_content("hello")
    assert ns["send"](msg, 1, None, smtp_server.host, smtp_server.port) is None
    smtp_server.reply("RCPT", "550 5.1.1 User unknown", recipient="bob@example.com")
    decision = ns["send"](msg, 1, None, smtp_server.host, smtp_server.port)
    assert decision["bob@example.com"].action is sc.Action.SUPPRESS
    smtp_server.reset()
    smtp_server.drop_connection("DATA")
    assert ns["send"](msg, 1, None, smtp_server.host, smtp_server.port).action is sc.Action.RETRY


def test_the_pytest_example_passes(pytester):
    pytester.makepyfile(test_example=textwrap.dedent(block("def test_unknown_recipient_is_suppressed")))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_tour_lines_that_stand_alone_evaluate():
    # Lines of the tour block that are complete expressions without undefined names.
    tour = block("r = sc.parse(")
    ns: dict = {"sc": sc}
    for line in tour.splitlines():
        code = line.split("#")[0].rstrip()
        if not code or "t0" in code:
            continue
        exec(code, ns)  # noqa: S102
    assert ns["r"].reason is sc.Reason.USER_UNKNOWN


def test_the_jupyter_example_runs(monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(Path(__file__).resolve().parents[1])  # the example's paths are the repository's
    ns: dict = {}
    exec(block("sc.summarize("), ns)  # noqa: S102
    row = ns["summary"].rows[0]
    assert (row["reason"], row["bounce"], row["action"], row["count"]) == ("userunknown", "hard", "suppress", 2)
    assert sc.summarize(ns["bounces"]).domains.rows[0]["domain"] == "example.net"
    plt.close("all")


def test_the_batch_example_runs():
    pytest.importorskip("pyarrow")
    pytest.importorskip("pandas")
    ns: dict = {}
    exec(block("result = sc.classify("), ns)  # noqa: S102
    result = ns["result"]
    assert (len(result), result["reason"]) == (4, ["userunknown", "undefined", "mailboxfull", "undefined"])
    assert result["error"][1] == "null"
    assert ns["table"].num_rows == 4 and str(ns["frame"]["code"].dtype) == "UInt16"
    assert ns["rows"][0]["kind"] == "PERMANENT_NEGATIVE"

# "Data frames and scale-out": the pandas, polars, Dask and Spark recipes run as written.


def test_the_pandas_recipe_runs():
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    ns: dict = {}
    exec(block("import smtpcodes.pandas  # registers Series.smtp"), ns)  # noqa: S102
    df = ns["df"]
    assert list(df.index) == [101, 102, 103]
    assert df["reason"].tolist() == ["userunknown", "undefined", "mailboxfull"]
    assert df["action"].tolist()[::2] == ["suppress", "retry"] and df["bounce"].tolist()[0] == "hard"


def test_the_polars_recipe_runs():
    pytest.importorskip("polars")
    ns: dict = {}
    exec(block("import smtpcodes.polars"), ns)  # noqa: S102
    counts = {(r["reason"], r["action"]): r["len"] for r in ns["counts"].to_dicts()}
    assert counts == {("userunknown", "suppress"): 1000, ("undefined", None): 1000, ("mailboxfull", "retry"): 1000}
    assert ns["every_column"].columns == list(sc.batch.COLUMNS)


def test_the_dask_recipe_runs():
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    ns: dict = {}
    exec(block("import smtpcodes.pandas  # registers Series.smtp"), ns)  # noqa: S102
    exec(block("map_partitions("), ns)  # noqa: S102
    # value_counts of a categorical lists every category; those that occur:
    assert {k: v for k, v in ns["reasons"].items() if v} == {"userunknown": 1, "undefined": 1, "mailboxfull": 1}


def test_the_spark_recipe_runs(monkeypatch):
    import os
    import shutil
    import sys

    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("pyspark needs Java")
    # The Python workers must import smtpcodes: run them with this interpreter.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    ns: dict = {}
    try:
        exec(block("mapInArrow("), ns)  # noqa: S102
        rows = {r["id"]: r for r in ns["classified"].collect()}
        assert (rows[1]["reason"], rows[1]["action"], rows[1]["code"]) == ("userunknown", "suppress", 550)
        assert (rows[2]["reason"], rows[2]["error"]) == ("undefined", "null")
    finally:
        if "spark" in ns:
            ns["spark"].stop()


def test_the_ledger_webhook_handler_and_nightly_job(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(block("def handle_webhook(body: bytes)"), ns)  # noqa: S102 - the README's own code
    data = Path(__file__).resolve().parent / "data" / "webhooks"
    import json

    payload = json.loads((data / "postmark_bounce.json").read_text(encoding="utf-8"))["payload"]
    body = json.dumps(payload).encode()
    assert ns["handle_webhook"](body) == 200
    assert ns["handle_webhook"](body) == 200  # a retried webhook counts once
    assert ns["handle_webhook"](b"{not json") == 400
    address = payload["Email"]
    assert ns["may_send"](address) is False
    assert len(ns["ledger"].history(address)) == 1
    ns["ledger"].close()
    exec(block("def nightly(folder: str"), ns)  # noqa: S102
    examples = Path(__file__).resolve().parents[1] / "examples" / "bounces"
    ns["nightly"](str(examples), str(tmp_path / "n.sqlite"), str(tmp_path / "suppressed.csv"))
    csv_text = (tmp_path / "suppressed.csv").read_text()
    assert csv_text.startswith("EmailAddress,SuppressionReason,Origin,CreatedAt")
    assert "bob@example.net,HardBounce" in csv_text
