"""The `smtpcodes` command line: explain replies from arguments or stdin."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from smtpcodes import cli

# The console script installed next to this interpreter (a venv's bin/), else on PATH.
_beside = Path(sys.executable).with_name("smtpcodes")
SCRIPT = str(_beside) if _beside.exists() else shutil.which("smtpcodes")


def run(argv: list[str], stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = cli.main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_explain_prints_every_part_of_the_answer() -> None:
    code, out, err = run(["explain", "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"])
    assert (code, err) == (0, "")
    for needle in [
        "550  Requested action not taken: mailbox unavailable (RFC 5321 §4.2.2)",
        "5.1.1  Bad destination mailbox address",
        "The mailbox specified in the address does not exist.",
        "PERMANENT_NEGATIVE / MAIL_SYSTEM",
        "bounce      hard",
        "reason      userunknown",
        "SUPPRESS (address)",
    ]:
        assert needle in out


def test_json_is_to_dict_plus_meanings_and_decision() -> None:
    code, out, _ = run(["explain", "--json", "452 4.2.2 Mailbox full", "250 OK"])
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["code"] for r in rows] == [452, 250]
    first = rows[0]
    assert first["status"] == "4.2.2"
    assert first["status_title"] == "Mailbox full"
    assert first["reason"] == "mailboxfull"
    assert first["decision"]["action"] == "retry"
    assert first["decision"]["delay"] == 300
    assert rows[1]["decision"]["action"] == "delivered"


def test_french_texts() -> None:
    code, out, _ = run(["explain", "--lang", "fr", "552 5.2.2 full"])
    assert code == 0
    assert "Boîte aux lettres saturée" in out


def test_stdin_one_reply_per_line_blank_lines_skipped() -> None:
    code, out, _ = run(["explain", "--json"], stdin="550 5.1.1 a\n\n  \n421 4.7.0 b\r\n")
    assert code == 0
    assert [json.loads(x)["code"] for x in out.splitlines()] == [550, 421]
    code, out, _ = run(["explain", "--json", "-"], stdin="250 ok\n")
    assert json.loads(out)["code"] == 250


def test_bad_input_is_a_one_line_error_and_exit_2() -> None:
    code, out, err = run(["explain", "--json", "garbage", "250 OK"])
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith("smtpcodes: reply 1: expected a 3-digit reply code")
    assert json.loads(out)["code"] == 250  # the good reply is still explained


def test_rich_output_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = Tty(), io.StringIO()
    status = cli.explain(["550 5.1.1 User unknown"], as_json=False, lang="en", out=out, err=err)
    text = out.getvalue()
    assert status == 0
    assert "\x1b[" in text  # styled
    assert "Bad destination mailbox address" in text and "userunknown" in text


def test_unknown_language_is_refused_by_argparse() -> None:
    with pytest.raises(SystemExit) as e:
        run(["explain", "--lang", "xx", "250"])
    assert e.value.code == 2


@pytest.mark.parametrize(
    "cmd",
    [
        [sys.executable, "-m", "smtpcodes"],
        pytest.param(
            [SCRIPT or "smtpcodes"],
            marks=pytest.mark.skipif(SCRIPT is None, reason="console script not installed"),
        ),
    ],
)
def test_entry_points(cmd: list[str]) -> None:
    ok = subprocess.run([*cmd, "explain", "--json", "550 5.1.1 x"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["reason"] == "userunknown"
    bad = subprocess.run([*cmd, "explain", "650 no"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1
    piped = subprocess.run([*cmd, "explain"], input="250 OK\n", capture_output=True, text=True, check=False)
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout and "DELIVERED" in piped.stdout


BOUNCES = Path(__file__).parent / "data" / "bounces"


def test_scan_a_directory_as_jsonl(tmp_path):
    code, out, err = run(["scan", "--format", "jsonl", str(BOUNCES)])
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(Path(r["file"]).name, r["recipient"], r["reason"]) for r in rows] == [
        ("arf.eml", "carol@example.net", "feedback"),
        ("postfix-dsn.eml", "bob@example.net", "userunknown"),
        ("postfix-dsn.eml", "ann@example.net", "mailboxfull"),
        ("vacation.eml", "dave@example.net", "vacation"),
    ]
    assert rows[1]["decision"] == "suppress" and rows[1]["code"] == 550
    assert "4 emails: 1 bounce, 1 complaint, 1 auto-reply, 1 not a report, 0 unreadable; 4 recipients" in err
    assert [r["kind"] for r in rows] == ["feedback", "bounce", "bounce", "autoreply"]
    assert "reasons:" in err and "actions:" in err


def test_scan_mbox_and_maildir_and_csv(tmp_path):
    import csv
    import mailbox

    box = mailbox.mbox(str(tmp_path / "bounces.mbox"))
    for name in ("postfix-dsn.eml", "arf.eml"):
        box.add((BOUNCES / name).read_bytes())
    box.flush()
    md = mailbox.Maildir(str(tmp_path / "Maildir"))
    md.add((BOUNCES / "postfix-dsn.eml").read_bytes())
    code, out, err = run(["scan", "--format", "csv", str(tmp_path / "bounces.mbox"), str(tmp_path / "Maildir")])
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["recipient"] for r in rows] == ["bob@example.net", "ann@example.net", "carol@example.net", "bob@example.net", "ann@example.net"]
    assert rows[0]["file"].endswith("bounces.mbox#1") and rows[2]["file"].endswith("bounces.mbox#2")


def test_scan_reports_bad_files_and_exits_1(tmp_path):
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01\x02 not an email")
    code, out, err = run(["scan", str(tmp_path / "junk.bin"), str(tmp_path / "missing.eml"), str(BOUNCES / "postfix-dsn.eml")])
    assert code == 1
    assert "junk.bin" in err and "missing.eml" in err
    assert "Traceback" not in err
    assert "bob@example.net" in out  # the good file is still scanned


def test_scan_table_format():
    code, out, _ = run(["scan", str(BOUNCES / "postfix-dsn.eml")])
    assert code == 0
    header, *lines = out.splitlines()
    assert header.split()[:5] == ["FILE", "KIND", "RECIPIENT", "STATUS", "CODE"]
    assert len(lines) == 2 and "userunknown" in lines[0]


def test_the_readme_main_command_scans_the_examples():
    examples = Path(__file__).resolve().parents[1] / "examples" / "bounces"
    code, out, err = run(["scan", "--format", "jsonl", str(examples)])
    assert code == 0, err
    rows = {(Path(r["file"]).name, r["recipient"]): (r["reason"], r["bounce"], r["decision"]) for r in map(json.loads, out.splitlines())}
    assert rows == {
        ("arf.eml", "carol@example.net"): ("feedback", "none", "suppress"),
        ("exim.eml", "eve@example.net"): ("blocked", "soft", "give_up"),
        ("gmail-like.eml", "frank@example.net"): ("mailboxfull", "soft", "give_up"),
        ("postfix-dsn.eml", "bob@example.net"): ("userunknown", "hard", "suppress"),
        ("postfix-dsn.eml", "ann@example.net"): ("mailboxfull", "soft", "retry"),
        ("vacation.eml", "dave@example.net"): ("vacation", "none", "delivered"),
    }


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_scan_shows_progress_on_a_terminal_stderr_only_for_long_work(tmp_path):
    src = (BOUNCES / "postfix-dsn.eml").read_bytes()
    for i in range(201):
        (tmp_path / f"{i:03}.eml").write_bytes(src)
    out, err = io.StringIO(), _Tty()
    assert cli.scan([str(tmp_path)], fmt="jsonl", out=out, err=err) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 201 * 2  # stdout holds the rows only: no progress bar there
    assert "scanning" in err.getvalue()
    # Few files: no progress bar even on a terminal.
    small, err2 = io.StringIO(), _Tty()
    assert cli.scan([str(tmp_path / "000.eml")], fmt="jsonl", out=small, err=err2) == 0
    assert "scanning" not in err2.getvalue()


def test_scan_reads_a_window_at_a_time_in_order(tmp_path, monkeypatch):
    src = (BOUNCES / "postfix-dsn.eml").read_bytes()
    for i in range(10):
        (tmp_path / f"{i:02}.eml").write_bytes(src.replace(b"bob@example.net", f"bob{i}@example.net".encode()))
    pulled = []
    real = cli._emails

    def counting(paths, errors):
        for item in real(paths, errors):
            pulled.append(item[0])
            yield item

    seen_at_first_row: list[int] = []

    class Out(io.StringIO):
        def write(self, s):
            if not seen_at_first_row:
                seen_at_first_row.append(len(set(pulled)))  # directories recurse through _emails
            return super().write(s)

    monkeypatch.setattr(cli, "_emails", counting)
    monkeypatch.setattr(cli, "SCAN_WINDOW", 3)
    out = Out()
    assert cli.scan([str(tmp_path)], fmt="jsonl", out=out, err=io.StringIO()) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["recipient"] for r in rows[::2]] == [f"bob{i}@example.net" for i in range(10)]
    assert seen_at_first_row == [3]  # rows come out before the rest of the files are read
