"""Shared fixtures of the test suite.

PostgreSQL: a throwaway server per test session, started from the server binaries of the machine
(Debian's `postgresql` package puts them in /usr/lib/postgresql/VERSION/bin, and `make system-deps`
installs it; the newest version is taken, else initdb on PATH, or the directory named by
$SMTPCODES_POSTGRESQL_BIN) and removed at the end:

- ``postgresql_server``: the running server (session scope): ``dsn(dbname)`` and
  ``create_database()``.
- ``postgresql_dsn``: a libpq URI, ``postgresql://postgres@127.0.0.1:PORT/smtpcodes``, of a
  database created once for the session.
- ``postgresql_db``: a libpq URI of a new, empty database for each test, dropped after it, so
  that no test sees another's tables.

Without the binaries these fixtures skip, saying what to install. PostgreSQL refuses to run as
root, so under root the server runs as the ``postgres`` system user (the package's; created when
missing), in a temporary directory that user owns. It listens on a free loopback port with trust
authentication, its unix socket in the same directory, and does not sync to disk (``fsync=off``:
the data lives as long as the test session).
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# The superuser that initdb creates, and the user of every DSN: the same whoever runs the tests.
PG_SUPERUSER = "postgres"
# The system user that runs the server when the tests run as root (the Debian package's user).
PG_SYSTEM_USER = "postgres"
# Seconds to wait for the server to accept connections (pg_ctl's own default is 60 s).
PG_START_TIMEOUT = 60
# What to install, for the skip message.
PG_INSTALL_HINT = (
    "install PostgreSQL's server (Debian/Ubuntu: `apt-get install postgresql`, which `make system-deps` "
    "does as root; elsewhere put initdb, pg_ctl and postgres on PATH)"
)


def _version_key(bindir: str) -> tuple[int, ...]:
    """/usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6): newest first when sorted in reverse."""
    version = Path(bindir).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)


def find_postgresql_bindir() -> Path | None:
    """The directory of the newest PostgreSQL server binaries: $SMTPCODES_POSTGRESQL_BIN alone when
    set, else Debian's layout, then PATH."""
    chosen = os.environ.get("SMTPCODES_POSTGRESQL_BIN")
    if chosen is not None:
        ok = all(os.access(Path(chosen, tool), os.X_OK) for tool in ("initdb", "pg_ctl", "postgres"))
        return Path(chosen) if chosen and ok else None
    debian = [str(Path(p).parent) for p in glob.glob("/usr/lib/postgresql/*/bin/initdb") if os.access(p, os.X_OK)]
    candidates = sorted(debian, key=_version_key, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for bindir in candidates:
        if all(os.access(Path(bindir, tool), os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(bindir)
    return None


def _clean_env() -> dict[str, str]:
    """The environment without libpq's PG* variables, which would point the tools elsewhere."""
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _system_user_ids(name: str) -> tuple[int, int]:
    """(uid, gid) of the system user `name`, created (as a system user without login) if missing."""
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd")
        if useradd is None:
            pytest.skip(
                f"running as root, and there is no {name!r} user to run PostgreSQL as, nor useradd to create one"
            )
        subprocess.run(
            [useradd, "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


@dataclass
class PostgresServer:
    """A running throwaway PostgreSQL server: its binaries, directory, port and the user it runs as."""

    bindir: Path
    root: Path
    port: int
    run_as: tuple[int, int] | None
    host: str = "127.0.0.1"
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socketdir(self) -> Path:
        return self.root / "socket"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    def dsn(self, dbname: str = "postgres") -> str:
        """The libpq URI of database `dbname` on this server (trust authentication, no password)."""
        return f"postgresql://{PG_SUPERUSER}@{self.host}:{self.port}/{dbname}"

    def run(self, tool: str, *args: str, as_server_user: bool = False) -> subprocess.CompletedProcess[str]:
        """Runs one of the server's binaries; a failure raises with the command and what it printed."""
        command = [str(self.bindir / tool), *args]
        user = self.run_as if as_server_user else None
        done = subprocess.run(
            command,
            cwd=self.root,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=PG_START_TIMEOUT + 30,
            user=user[0] if user else None,
            group=user[1] if user else None,
            extra_groups=[] if user else None,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} exited with {done.returncode}"
                + (f" (run as uid {user[0]})" if user else "")
                + f":\n{done.stdout}{done.stderr}{self.log_tail()}"
            )
        return done

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.logfile.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\nserver log (" + str(self.logfile) + "):\n" + "\n".join(text.splitlines()[-lines:])

    def client_args(self) -> list[str]:
        return ["--host", self.host, "--port", str(self.port), "--username", PG_SUPERUSER]

    def create_database(self, name: str | None = None) -> str:
        """Creates a new empty database (a unique name unless given) and returns its DSN."""
        name = name or f"test_{os.getpid()}_{next(self._names)}"
        self.run("createdb", *self.client_args(), name)
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        """Drops database `name`, closing any connection left open to it (PostgreSQL >= 13)."""
        self.run("dropdb", *self.client_args(), "--if-exists", "--force", name)

    def wait_until_ready(self) -> None:
        """Until the server accepts connections on its TCP port: pg_isready, or a plain connect."""
        deadline = time.monotonic() + PG_START_TIMEOUT
        pg_isready = self.bindir / "pg_isready"
        probe = [str(pg_isready), "--dbname", "postgres", "--timeout", "2", *self.client_args()]
        while True:
            if pg_isready.exists():
                ready = subprocess.run(probe, capture_output=True, env=_clean_env()).returncode == 0
            else:
                try:
                    socket.create_connection((self.host, self.port), timeout=2).close()
                    ready = True
                except OSError:
                    ready = False
            if ready:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL did not accept connections on {self.host}:{self.port} "
                    f"within {PG_START_TIMEOUT} s{self.log_tail()}"
                )
            time.sleep(0.1)


def _start_server(bindir: Path) -> PostgresServer:
    run_as = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        run_as = _system_user_ids(PG_SYSTEM_USER)
    # /tmp-style temporary directories are open to every user's traversal; the directory itself is
    # the server user's (initdb wants the data directory's parent writable by that user).
    root = Path(tempfile.mkdtemp(prefix="smtpcodes-pg-"))
    try:
        (root / "socket").mkdir()
        if run_as:
            for path in (root, root / "socket"):
                os.chown(path, *run_as)
        server = PostgresServer(bindir=bindir, root=root, port=0, run_as=run_as)
        server.run(
            "initdb",
            f"--pgdata={server.datadir}",
            f"--username={PG_SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            as_server_user=True,
        )
        # A port found free may be taken before the server binds it: try a few.
        for attempt in range(3):
            server.port = _free_port()
            options = " ".join(
                [
                    f"-p {server.port}",
                    f"-k {server.socketdir}",
                    "-c listen_addresses=127.0.0.1",
                    # The data lives as long as the session: no syncing to disk.
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    # Small: the machine is shared (PostgreSQL's default is 128MB).
                    "-c shared_buffers=32MB",
                    "-c max_connections=50",
                ]
            )
            try:
                server.run(
                    "pg_ctl",
                    "start",
                    f"--pgdata={server.datadir}",
                    f"--log={server.logfile}",
                    "--wait",
                    f"--timeout={PG_START_TIMEOUT}",
                    f"--options={options}",
                    as_server_user=True,
                )
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        server.wait_until_ready()
        return server
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _stop_server(server: PostgresServer) -> None:
    try:
        # Immediate: the data is thrown away, nothing needs a clean shutdown.
        server.run(
            "pg_ctl", "stop", "--pgdata", str(server.datadir), "--mode", "immediate", "--wait", as_server_user=True
        )
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the session; skips when no server binaries are found."""
    bindir = find_postgresql_bindir()
    if bindir is None:
        where = os.environ.get("SMTPCODES_POSTGRESQL_BIN") or "/usr/lib/postgresql/*/bin or on PATH"
        pytest.skip(f"no PostgreSQL server binaries (initdb, pg_ctl, postgres) in {where}: {PG_INSTALL_HINT}")
    server = _start_server(bindir)
    try:
        yield server
    finally:
        _stop_server(server)


@pytest.fixture(scope="session")
def postgresql_dsn(postgresql_server: PostgresServer) -> str:
    """The libpq URI of a database created once for the whole session."""
    return postgresql_server.create_database("smtpcodes")


@pytest.fixture
def postgresql_db(postgresql_server: PostgresServer) -> Iterator[str]:
    """The libpq URI of a new, empty database for this test alone, dropped after it."""
    dsn = postgresql_server.create_database()
    yield dsn
    postgresql_server.drop_database(dsn.rsplit("/", 1)[1])
