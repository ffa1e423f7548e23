"""The SQLite backend: one file, a connection per thread, one writer at a time.

WAL lets readers run beside the single writer; ``synchronous=FULL`` makes every
acknowledged write survive a crash or power cut. Writers take a process-wide lock
*and* ``BEGIN IMMEDIATE``: the lock keeps threads of one process from spinning on the
busy handler, the immediate transaction keeps a second process from upgrading a read
lock into a deadlock (the case where SQLite reports "database is locked" without
waiting). The file is created mode 0600 before SQLite opens it; SQLite gives its
``-wal`` and ``-shm`` files the same mode.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from helpdesk.errors import StorageError
from helpdesk.storage.migrations import Migration, apply_pending


def _create_private(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), rows by name."""
    try:
        _create_private(path)
        conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        _use_wal(conn)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot open the SQLite database {path}: {exc}") from exc
    return conn


WAL_SWITCH_SECONDS = 30.0


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (a no-op once it is).

    Switching a new file's journal mode needs it to itself, and SQLite answers "database
    is locked" at once, without waiting out the busy timeout, when another process is
    opening the same new file at that moment (four processes starting together did, one
    run in a few dozen). So the switch is retried for as long as the busy timeout.
    """
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class SqliteDatabase:
    """A SQLite file. ``connection()`` is this thread's; ``transaction()`` writes.

    Attributes:
        path: the database file.
        dialect: ``"sqlite"``.
    """

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    def describe(self) -> str:
        return str(self.path)

    def raw(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use), in autocommit mode."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads (each statement sees the latest commit)."""
        yield self.raw()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: commits on success, rolls back on any exception."""
        with self._write_lock:
            conn = self.raw()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # Also after a failed COMMIT (a deferred constraint): SQLite keeps that
                # transaction open, and the next BEGIN on this connection would fail.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def migrate(
        self, component: str, migrations: Sequence[Migration], *, adopt_user_version: bool = False
    ) -> int:
        """Apply ``component``'s pending migrations under the file's write lock.

        Args:
            adopt_user_version: a file migrated before ``schema_migrations`` existed
                recorded its version in ``PRAGMA user_version``; take it as applied.

        Returns:
            The component's schema version.
        """
        with self.transaction() as conn:
            legacy = 0
            if adopt_user_version:
                legacy = int(conn.execute("PRAGMA user_version").fetchone()[0])
            return apply_pending(conn, "sqlite", component, migrations, legacy_version=legacy)

    def close(self) -> None:
        """Close every connection this object opened (in any thread)."""
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
