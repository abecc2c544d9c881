"""The throwaway PostgreSQL server of tests/conftest.py: reachable with psycopg 3 at the DSN it
gives, and a fresh database for each test that no other test sees."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is in the test extra: pip install -e '.[test]'")


def test_session_database_stores_and_reads_rows(postgresql_dsn: str) -> None:
    assert postgresql_dsn.startswith("postgresql://postgres@127.0.0.1:")
    with psycopg.connect(postgresql_dsn) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bounce (address text PRIMARY KEY, reason text NOT NULL)")
        conn.execute("DELETE FROM bounce")
        conn.execute(
            "INSERT INTO bounce (address, reason) VALUES (%s, %s), (%s, %s)",
            ("bob@example.com", "userunknown", "ann@example.org", "mailboxfull"),
        )
        rows = conn.execute("SELECT address, reason FROM bounce ORDER BY address").fetchall()
    assert rows == [("ann@example.org", "mailboxfull"), ("bob@example.com", "userunknown")]
    # Committed on leaving the block: a second connection sees the rows.
    with psycopg.connect(postgresql_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM bounce").fetchone() == (2,)


def test_server_is_a_real_postgresql(postgresql_dsn: str) -> None:
    with psycopg.connect(postgresql_dsn) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
        encoding = conn.execute("SHOW server_encoding").fetchone()
        assert conn.info.host == "127.0.0.1"
    assert version is not None and int(version[0]) >= 130000  # dropdb --force needs 13
    assert fsync == ("off",)
    assert encoding == ("UTF8",)


def test_fresh_databases_are_independent(postgresql_server, postgresql_db: str) -> None:
    other = postgresql_server.create_database()
    try:
        assert other != postgresql_db
        with psycopg.connect(postgresql_db) as conn:
            conn.execute("CREATE TABLE ledger (address text)")
            conn.execute("INSERT INTO ledger VALUES ('bob@example.com')")
        with psycopg.connect(other) as conn:
            tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            assert tables == []
            conn.execute("CREATE TABLE ledger (address text)")  # the same name, no clash
            assert conn.execute("SELECT count(*) FROM ledger").fetchone() == (0,)
        with psycopg.connect(postgresql_db) as conn:
            assert conn.execute("SELECT count(*) FROM ledger").fetchone() == (1,)
    finally:
        postgresql_server.drop_database(other.rsplit("/", 1)[1])


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_an_empty_database(postgresql_db: str, turn: int) -> None:
    # Both turns create the same table: each would fail if it saw the other's.
    with psycopg.connect(postgresql_db) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
        conn.execute("CREATE TABLE suppression (address text)")


def test_dropped_after_the_test(postgresql_server) -> None:
    dsn = postgresql_server.create_database()
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(dsn):
        pass
    postgresql_server.drop_database(name)
    with psycopg.connect(postgresql_server.dsn()) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone() == (0,)


def test_server_runs_unprivileged_in_its_own_directory(postgresql_server) -> None:
    data = postgresql_server.datadir
    mode = os.stat(data)
    assert stat.S_IMODE(mode.st_mode) & 0o077 == 0  # PostgreSQL insists on a private data directory
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import pwd

        assert mode.st_uid == pwd.getpwnam("postgres").pw_uid
    pid = int((data / "postmaster.pid").read_text().split()[0])
    assert pid > 0
    if os.path.exists(f"/proc/{pid}"):
        assert os.stat(f"/proc/{pid}").st_uid != 0  # never root
    # The unix socket sits in the session's directory, not in /var/run/postgresql.
    assert any(p.name.startswith(".s.PGSQL.") for p in postgresql_server.socketdir.iterdir())


ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-postgresql.sh"


def test_without_server_binaries_the_fixtures_skip_and_say_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "test_pg.py").write_text("def test_pg(postgresql_db):\n    raise AssertionError('ran')\n")
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"))
    env = {**os.environ, "SMTPCODES_POSTGRESQL_BIN": str(tmp_path / "nowhere")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:smtpcodes", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout
    assert "no PostgreSQL server binaries" in run.stdout
    assert "apt-get install postgresql" in run.stdout


@pytest.mark.skipif(shutil.which("sh") is None or sys.platform == "win32", reason="a POSIX sh script")
def test_install_script_is_quick_when_the_server_is_there(tmp_path: Path) -> None:
    initdb = tmp_path / "16" / "bin" / "initdb"
    initdb.parent.mkdir(parents=True)
    initdb.write_text("#!/bin/sh\n")
    initdb.chmod(0o755)
    run = subprocess.run(
        ["sh", str(SCRIPT)], env={**os.environ, "POSTGRESQL_LIB": str(tmp_path)}, capture_output=True, text=True
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@pytest.mark.skipif(shutil.which("sh") is None or sys.platform == "win32", reason="a POSIX sh script")
def test_install_script_without_root_says_so_and_lets_the_tests_skip(tmp_path: Path) -> None:
    # Unprivileged: as ourselves, or as the postgres user when the tests run as root.
    user = None
    if os.geteuid() == 0:
        import pwd

        try:
            user = pwd.getpwnam("postgres").pw_uid
        except KeyError:
            pytest.skip("running as root, with no unprivileged postgres user to run the script as")
        tmp_path.chmod(0o755)
    run = subprocess.run(
        ["sh", str(SCRIPT)],
        env={**os.environ, "POSTGRESQL_LIB": str(tmp_path / "none")},
        capture_output=True,
        text=True,
        user=user,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "needs root and apt-get" in run.stderr
    assert "PostgreSQL tests will skip" in run.stderr
