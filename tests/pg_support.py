"""A throwaway PostgreSQL cluster for the tests: ``PostgresCluster`` starts one, stops it.

Debian's PostgreSQL 15 binaries (``/usr/lib/postgresql/15/bin``) run as the
unprivileged ``postgres`` user (``pg_ctl`` refuses root), through ``runuser -u postgres
--`` when the tests run as root, in a temporary folder owned by that user, on a free
loopback port; the socket stays in that folder. ``make test`` installs the ``postgresql``
package (scripts/system-deps.sh) when it is missing.

Each test that needs a clean database asks ``cluster.create_database()`` for a new one
and gets its URL; nothing is shared between tests but the server process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def _bin() -> Path:
    """HELPDESK_PG_BIN, else the newest Debian PostgreSQL's binaries (15 on these machines)."""
    if os.environ.get("HELPDESK_PG_BIN"):
        return Path(os.environ["HELPDESK_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


BIN = _bin()
_USER = "postgres"


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres() -> list[str]:
    """How to run a command as the ``postgres`` user from here."""
    if os.geteuid() == 0:
        return ["runuser", "-u", _USER, "--"]
    return []  # already unprivileged: run as ourselves (the folder is ours then)


class PostgresCluster:
    """A PostgreSQL server in a temporary folder; a context manager.

    Attributes:
        port: its loopback port.
        admin_url: a ``postgresql://`` URL of the superuser's ``postgres`` database.
    """

    def __init__(self) -> None:
        if not (BIN / "initdb").exists():
            raise RuntimeError(
                f"{BIN}/initdb is missing; run `make system-deps` (apt-get install postgresql)"
            )
        self.root = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = _USER if os.geteuid() == 0 else _current_user()
        self.admin_url = f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*_as_postgres(), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            cwd=self.root,
        )

    def start(self) -> PostgresCluster:
        if os.geteuid() == 0:
            shutil.chown(self.root, _USER, _USER)
        self._run(
            str(BIN / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.restart_server()
        return self

    def restart_server(self) -> None:
        """Start the server (again, after ``kill``); waits until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
            " -c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
            str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def pid(self) -> int:
        """The postmaster's process id."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """``kill -9`` the postmaster and its backends, as a crash would."""
        import signal

        postmaster = self.pid()
        for pid in [postmaster, *_children(postmaster)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(postmaster, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        # Already down when a test killed it and did not restart it.
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _children(parent: int) -> list[int]:
    """Processes whose parent is ``parent`` (from /proc: no procps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def _current_user() -> str:
    import getpass

    return getpass.getuser()
