"""A real, throwaway PostgreSQL server for the tests, started from Debian's binaries.

The shared-state tests must run against the database the replicas will really use, not a
fake: ``ON CONFLICT``, ``FOR UPDATE SKIP LOCKED`` and advisory locks are what make two
replicas correct. The server lives in a temporary directory, listens on 127.0.0.1 on a free
port only (no unix socket), trusts local connections, and is stopped (and its directory
removed) at the end of the test session. ``initdb`` refuses to run as root, so as root the
server runs as the ``postgres`` user (or ``nobody``) through ``runuser``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"
STARTUP_TIMEOUT = 60.0


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl, or the
    directory of an ``initdb`` on PATH; None when PostgreSQL is not installed."""

    def version(initdb: Path) -> int:
        name = initdb.parent.parent.name
        return int(name) if name.isdigit() else 0

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def why_unavailable() -> str | None:
    """The reason the tests cannot start a server here (None when they can)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return (
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; "
            "apt-get install postgresql, as .ci/run does)"
        )
    if os.geteuid() == 0 and _unprivileged_user() is None:
        return "running as root and there is neither a 'postgres' nor a 'nobody' user"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root and runuser is missing (initdb refuses to run as root)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install '.[test]')"
    return None


def _unprivileged_user() -> pwd.struct_passwd | None:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One ``postgres`` process over a fresh data directory; ``start`` then ``stop``."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="quotebot-pg-"))
        self.data_dir = self.root / "data"
        self.log_file = self.root / "server.log"
        self._user = _unprivileged_user() if os.geteuid() == 0 else None
        self._names = itertools.count(1)

    def _command(self, *argv: str) -> list[str]:
        if self._user is None:
            return list(argv)
        return ["runuser", "-u", self._user.pw_name, "--", *argv]

    def _run(self, *argv: str) -> None:
        result = subprocess.run(
            self._command(*argv), capture_output=True, text=True, check=False, cwd=self.root
        )
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(
                f"{' '.join(argv[:2])} failed ({result.returncode}): "
                f"{result.stderr or result.stdout}{log}"
            )

    def start(self) -> None:
        if self._user is not None:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        # Durability is not under test: no fsync makes CREATE DATABASE per test cheap.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg_ctl_waiting("start", "-o", options)

    def restart(self) -> None:
        """Stop the server (``-m fast``: every session is ended, as in a real restart) and start
        it again on the same port and data; the log goes to the file, never to a pipe that
        the server would hold open."""
        self._pg_ctl_waiting("restart", "-m", "fast")

    def _pg_ctl_waiting(self, action: str, *options: str) -> None:
        """``pg_ctl ACTION`` on this data directory, waiting (up to STARTUP_TIMEOUT) until the
        server accepts connections, its log to the file."""
        self._run(
            str(self.bin_dir / "pg_ctl"),
            action,
            "-w",
            *options,
            "-t",
            str(int(STARTUP_TIMEOUT)),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
        )

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._run(str(self.bin_dir / "pg_ctl"), "stop", "-m", "fast", "-D", str(self.data_dir))
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}_{int(time.time() * 1000) % 100000}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
