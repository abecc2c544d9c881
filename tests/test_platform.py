"""What differs between Linux, macOS and Windows, tested where it can be on one of them.

`smtpcodes scan`: names with spaces and non-ASCII letters (and, on POSIX, bytes that are not
UTF-8), directories with and without a trailing slash, relative and absolute paths, mbox files
told from single emails by their content, symbolic links; its output through a Windows-like
stdout (an ANSI code page, "\\n" written as "\\r\\n"). mbox files with CRLF lines (as written on
Windows), CRLF inside the messages of an LF mbox and the other way round, a last message
without a final line end: each gives the reports of the LF version.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

import smtpcodes as sc
from smtpcodes import _mbox, cli

HERE = Path(__file__).resolve().parent
BOUNCES = HERE / "data" / "bounces"
EXAMPLES = HERE.parent / "examples" / "bounces"
#: Reports of every kind, one recipient or several (postfix-dsn.eml has two).
EMAILS = [
    BOUNCES / "postfix-dsn.eml",
    BOUNCES / "arf.eml",
    EXAMPLES / "exim.eml",
    BOUNCES / "vacation.eml",
    EXAMPLES / "gmail-like.eml",
]


def scan_rows(*paths: str | Path, cwd: Path | None = None) -> tuple[int, list[dict[str, object]], str]:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = cli.scan([str(p) for p in paths], fmt="jsonl", out=out, err=err)
    finally:
        os.chdir(old)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def without_file(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in r.items() if k != "file"} for r in rows]


def lf(path: Path) -> bytes:
    return path.read_bytes().replace(b"\r\n", b"\n")


def run_main(argv: list[str], *, encoding: str, newline: str | None = None, stdin: bytes = b"") -> tuple[int, bytes, str]:
    """`cli.main` with real text streams around bytes, as a process gets them: stdout in
    `encoding`, translating "\\n" to `newline` (Windows' "\\r\\n" when asked)."""
    buf = io.BytesIO()
    out = io.TextIOWrapper(buf, encoding=encoding, newline=newline, write_through=True)
    err = io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="ascii")
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(argv)
        out.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, buf.getvalue(), err.getvalue()


# ---------------------------------------------------------------------------------------------
# scan: paths


def test_names_with_spaces_and_non_ascii_letters(tmp_path):
    folder = tmp_path / "bounces of the week é" / "日本"
    folder.mkdir(parents=True)
    email = folder / "a bounce ü 日本.eml"
    email.write_bytes((BOUNCES / "postfix-dsn.eml").read_bytes())
    code, rows, err = scan_rows(tmp_path)
    assert code == 0, err
    assert [r["file"] for r in rows] == [str(email)] * 2
    assert [r["recipient"] for r in rows] == ["bob@example.net", "ann@example.net"]


def test_a_directory_with_and_without_a_trailing_slash(tmp_path):
    for p in EMAILS[:3]:
        (tmp_path / p.name).write_bytes(p.read_bytes())
    plain = scan_rows(tmp_path)
    slash = scan_rows(str(tmp_path) + os.sep)
    assert plain[0] == slash[0] == 0
    assert plain[1] == slash[1]  # the same rows, the same file names
    assert {r["file"] for r in plain[1]} == {str(tmp_path / p.name) for p in EMAILS[:3]}


def test_relative_and_absolute_paths(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dsn.eml").write_bytes((BOUNCES / "postfix-dsn.eml").read_bytes())
    code_rel, rel, _ = scan_rows("in", cwd=tmp_path)
    code_dot, dot, _ = scan_rows(os.path.join(".", "in", "dsn.eml"), cwd=tmp_path)
    code_abs, absolute, _ = scan_rows(tmp_path / "in")
    assert code_rel == code_dot == code_abs == 0
    assert without_file(rel) == without_file(dot) == without_file(absolute)
    # Each row names the file as it was given: relative stays relative.
    assert {r["file"] for r in rel} == {str(Path("in") / "dsn.eml")}
    assert {r["file"] for r in dot} == {str(Path("in") / "dsn.eml")}
    assert {r["file"] for r in absolute} == {str(tmp_path / "in" / "dsn.eml")}


def test_mbox_or_email_by_content_not_by_name(tmp_path):
    box = b"".join(b"From MAILER-DAEMON Wed Nov 25 10:00:00 2026\n" + lf(p) + b"\n" for p in EMAILS[:2])
    (tmp_path / "looks-like-one.eml").write_bytes(box)  # an mbox, whatever its name
    (tmp_path / "inbox.mbox").write_bytes(lf(EMAILS[0]))  # one email, whatever its name
    (tmp_path / "no-extension").write_bytes(lf(EMAILS[1]))
    code, rows, err = scan_rows(tmp_path)
    assert code == 0, err
    files = [Path(str(r["file"])).name for r in rows]
    assert files == [
        "inbox.mbox",
        "inbox.mbox",
        "looks-like-one.eml#1",
        "looks-like-one.eml#1",
        "looks-like-one.eml#2",
        "no-extension",
    ]
    assert [r["recipient"] for r in rows][2:] == ["bob@example.net", "ann@example.net", "carol@example.net", "carol@example.net"]


def _symlink(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except (OSError, NotImplementedError) as exc:  # Windows without the privilege to make links
        pytest.skip(f"cannot make symbolic links here: {exc}")


def test_symlinks_to_files_are_followed_links_to_directories_only_when_named(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "dsn.eml").write_bytes((BOUNCES / "postfix-dsn.eml").read_bytes())
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "arf.eml").write_bytes((BOUNCES / "arf.eml").read_bytes())
    _symlink(tree / "link.eml", real / "dsn.eml")
    _symlink(tree / "dirlink", real)
    _symlink(tree / "loop", tree)  # would never end if links to directories were walked
    code, rows, err = scan_rows(tree)
    assert code == 0, err
    assert [(Path(str(r["file"])).name, r["recipient"]) for r in rows] == [
        ("arf.eml", "carol@example.net"),
        ("link.eml", "bob@example.net"),
        ("link.eml", "ann@example.net"),
    ]
    # A link to a directory named on the command line is followed.
    code, rows, err = scan_rows(tree / "dirlink")
    assert code == 0, err
    assert [r["file"] for r in rows] == [str(tree / "dirlink" / "dsn.eml")] * 2
    # A dangling link is an unreadable file: reported, exit status 1, the rest still scanned.
    _symlink(tree / "gone.eml", tmp_path / "missing.eml")
    code, rows, err = scan_rows(tree / "gone.eml", tree / "arf.eml")
    assert code == 1
    assert "gone.eml" in err and "Traceback" not in err
    assert [r["recipient"] for r in rows] == ["carol@example.net"]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names are Unicode there")
def test_a_file_name_that_is_not_utf8(tmp_path):
    name = os.fsdecode(b"caf\xe9.eml")  # Latin-1 bytes: a surrogate escape in the str
    try:
        (tmp_path / name).write_bytes((BOUNCES / "arf.eml").read_bytes())
    except OSError as exc:
        pytest.skip(f"the file system refuses the name: {exc}")
    code, out, err = run_main(["scan", "--format", "jsonl", str(tmp_path)], encoding="utf-8")
    assert code == 0, err
    row = json.loads(out.decode("utf-8"))  # strict UTF-8: the odd byte is escaped, not written raw
    assert row["file"] == str(tmp_path / "caf\\xe9.eml")
    assert row["recipient"] == "carol@example.net"


# ---------------------------------------------------------------------------------------------
# scan and explain: output through a Windows-like stdout


@pytest.fixture
def non_ascii_dir(tmp_path):
    (tmp_path / "rückläufer 日本.eml").write_bytes((BOUNCES / "postfix-dsn.eml").read_bytes())
    return tmp_path


def test_jsonl_is_utf8_on_a_code_page_stdout(non_ascii_dir):
    # A pipe on Windows: cp1252 and "\n" written as "\r\n". The rows still go out in UTF-8.
    code, out, err = run_main(["scan", "--format", "jsonl", str(non_ascii_dir)], encoding="cp1252", newline="\r\n")
    assert code == 0, err
    rows = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert [Path(r["file"]).name for r in rows] == ["rückläufer 日本.eml"] * 2


def test_csv_rows_end_in_one_crlf_on_windows(non_ascii_dir):
    import csv

    code, out, err = run_main(["scan", "--format", "csv", str(non_ascii_dir)], encoding="cp1252", newline="\r\n")
    assert code == 0, err
    assert b"\r\r\n" not in out
    assert out.count(b"\r\n") == 3  # the header and two rows
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
    assert [Path(r["file"]).name for r in rows] == ["rückläufer 日本.eml"] * 2


def test_csv_on_posix_is_unchanged(non_ascii_dir):
    code, out, _ = run_main(["scan", "--format", "csv", str(non_ascii_dir)], encoding="utf-8", newline="\n")
    assert code == 0
    assert out.startswith(b"file,kind,recipient,") and out.count(b"\r\n") == 3


def test_a_table_on_a_terminal_that_lacks_the_letters_never_fails(non_ascii_dir):
    code, out, err = run_main(["scan", str(non_ascii_dir)], encoding="ascii")
    assert code == 0, err
    text = out.decode("ascii")
    assert "r\\xfcckl\\xe4ufer \\u65e5\\u672c.eml" in text and "userunknown" in text


def test_explain_reads_utf8_input_and_writes_utf8_json_on_a_code_page_console():
    reply = "550 5.7.1 Nachricht abgelehnt: Empfänger unbekannt 日本\n".encode() + b"550 5.1.1 \xff bad byte\n"
    code, out, err = run_main(["explain", "--json"], encoding="cp1252", newline="\r\n", stdin=reply)
    assert code == 0, err
    rows = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert "Empfänger unbekannt 日本" in rows[0]["text"]
    assert rows[1]["code"] == 550 and "\ufffd" in rows[1]["text"]


# ---------------------------------------------------------------------------------------------
# mbox line endings


def mbox(emails: list[bytes], *, sep: bytes = b"\n", trailing: bool = True) -> bytes:
    """An mbox of `emails` (mboxrd: body lines "From " quoted), its separator lines and the
    blank lines between messages ending in `sep`."""
    parts = []
    for i, raw in enumerate(emails):
        lines = raw.splitlines(keepends=True)
        body = b"".join(b">" + line if line.lstrip(b">").startswith(b"From ") else line for line in lines)
        if not body.endswith(b"\n"):
            body += sep
        parts.append(b"From MAILER-DAEMON  Wed Nov 25 10:00:%02d 2026" % i + sep + body + sep)
    data = b"".join(parts)
    return data if trailing else data.rstrip(b"\r\n")


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def reports(items: list[sc.BounceReport]) -> list[dict[str, object]]:
    return [r.to_dict() for r in items]


#: What each email gives on its own, read with LF lines.
EXPECTED = [sc.parse_bounce(lf(p)).to_dict() for p in EMAILS]

VARIANTS = {
    "lf": lambda emails, trailing: mbox(emails, trailing=trailing),
    "crlf": lambda emails, trailing: crlf(mbox(emails, trailing=trailing)),
    "crlf-messages-in-lf-mbox": lambda emails, trailing: mbox([crlf(e) for e in emails], trailing=trailing),
    "crlf-separators-lf-messages": lambda emails, trailing: mbox(emails, sep=b"\r\n", trailing=trailing),
}


@pytest.mark.parametrize("trailing", [True, False], ids=["final-newline", "no-final-newline"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_line_ending_gives_the_reports_of_the_lf_mbox(tmp_path, variant, trailing):
    data = VARIANTS[variant]([lf(p) for p in EMAILS], trailing)
    if variant == "crlf":
        assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"\n") == trailing
    path = tmp_path / "bounces.mbox"
    path.write_bytes(data)
    assert reports(sc.parse_mbox(path)) == EXPECTED
    assert reports(sc.parse_mbox(data)) == EXPECTED
    assert reports(list(sc.iter_bounces(path))) == EXPECTED
    # scan reads the same messages, one row per recipient, labelled #1 … #5.
    code, rows, err = scan_rows(path)
    assert code == 0, err
    expected_rows = [(f"{path}#{i + 1}", r["address"]) for i, e in enumerate(EXPECTED) for r in e["recipients"]]
    assert [(r["file"], r["recipient"]) for r in rows] == expected_rows
    _, lf_rows, _ = scan_rows(*_lf_copy(tmp_path, trailing))
    assert without_file(rows) == without_file(lf_rows)


def _lf_copy(tmp_path: Path, trailing: bool) -> list[Path]:
    path = tmp_path / "lf.mbox"
    path.write_bytes(mbox([lf(p) for p in EMAILS], trailing=trailing))
    return [path]


@pytest.mark.parametrize("sep", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_messages_keep_their_bytes_and_line_ends(sep):
    first = b"Subject: one" + sep + sep + b"From the logs:" + sep + b"text" + sep
    last = b"Subject: two" + sep + sep + b"no final line end"
    data = sep + b"From a  Wed Nov 25 10:00:00 2026" + sep + first.replace(b"From the", b">From the") + sep
    data += b"From b  Wed Nov 25 10:00:01 2026" + sep + last
    # Blank lines before the first separator are skipped; ">From " is unquoted; the blank line
    # before the next separator is the separator's; the last message stays as it ends.
    assert list(_mbox.messages(io.BytesIO(data))) == [first, last]


def test_an_email_with_a_from_line_in_its_body_is_one_message(tmp_path):
    # Not an mbox (it does not start with "From "): the whole email, not the part after the
    # body line that starts with "From " (that part alone was read before, headers lost).
    raw = lf(BOUNCES / "postfix-dsn.eml").replace(
        b"I am sorry to have to inform you", b"From the queue of mx.example.org:\nI am sorry to have to inform you"
    )
    whole = sc.parse_bounce(raw).to_dict()
    assert len(whole["recipients"]) == 2
    assert reports(sc.parse_mbox(raw)) == [whole]
    assert reports(sc.parse_mbox(crlf(raw))) == [whole]
    path = tmp_path / "one.eml"
    path.write_bytes(raw)
    assert reports(sc.parse_mbox(path)) == [whole]
    code, rows, _ = scan_rows(path)
    assert code == 0 and [r["file"] for r in rows] == [str(path)] * 2


def test_blank_input_has_no_messages():
    assert list(_mbox.messages(io.BytesIO(b""))) == []
    assert list(_mbox.messages(io.BytesIO(b"\r\n\n  \n"))) == []
    assert sc.parse_mbox(b"\n\n") == []
