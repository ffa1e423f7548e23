"""The SQLite store: connections, numbered migrations and write transactions.

WAL lets readers run beside the single writer; ``synchronous=FULL`` makes every
acknowledged write survive a crash or power cut. Writers take a process-wide lock
*and* ``BEGIN IMMEDIATE``: the lock keeps threads of one server from spinning on the
busy handler, the immediate transaction keeps a second process from upgrading a
read lock into a deadlock (the case where SQLite reports "database is locked"
without waiting).

The server's writes go through :meth:`Store.run`, a group commit: one writer thread
takes every transaction queued while the previous commit was on disk, runs each in
a savepoint of its own (a failing one is rolled back alone) and commits them with a
single fsync. Every caller is answered only after that commit, so an acknowledged
write is still on disk after a crash; under load the fsync and the hand-offs between
threads are shared instead of paid once per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
# A batch this large is committed even if more are waiting, so one commit stays short.
MAX_BATCH = 64

MIGRATIONS: tuple[str, ...] = (
    # 1: the domain and the security tables.
    """
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'receptionist')),
        permissions TEXT NOT NULL DEFAULT '[]',
        mfa_enabled INTEGER NOT NULL DEFAULT 0,
        mfa_suspended_until TEXT,
        pin_hash TEXT,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (workspace_id, email)
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        platform TEXT NOT NULL,
        mode TEXT NOT NULL,
        client_version TEXT,
        status TEXT NOT NULL
            CHECK (status IN ('pending_activation', 'active', 'disabled')),
        user_id TEXT REFERENCES users(id),
        code_hash TEXT UNIQUE,
        code_expires_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX devices_workspace ON devices (workspace_id);
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        salt TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        subject TEXT,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER NOT NULL,
        ticket TEXT,
        reason TEXT,
        request_id TEXT NOT NULL,
        idempotency_key TEXT,
        before TEXT,
        after TEXT,
        detail TEXT
    );
    CREATE INDEX audit_workspace ON audit (workspace_id, id);
    -- The audit log is append-only below the API too.
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TABLE idempotency (
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, key)
    );
    """,
    # 2: languages, time zones, and the transcript head of each audited write.
    """
    ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
        CHECK (language IN ('en', 'it', 'es'));
    ALTER TABLE workspaces ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
    ALTER TABLE audit ADD COLUMN transcript_head TEXT;
    """,
)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class Store:
    """One database file; a connection per thread, one writer at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def migrate(self) -> int:
        """Apply every migration not yet applied; returns the schema version."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.write() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    conn.execute(statement)
                # PRAGMA does not take parameters; the number is ours, not input.
                conn.execute(f"PRAGMA user_version={number}")
            return len(MIGRATIONS)

    def schema_version(self) -> int:
        return int(self.connection().execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: commits on success, rolls back on any exception."""
        with self._write_lock:
            conn = self.connection()
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

    async def run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``job`` in a write transaction on the writer thread; its result once the
        transaction is committed. An exception from ``job`` undoes only its own changes
        and is raised here; a failed commit is raised to every job of the batch.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._enqueue(_Job(job, loop, future))
        return await future

    async def run_after(
        self, executor: Executor, make_job: Callable[[], Callable[[sqlite3.Connection], T]]
    ) -> T:
        """``make_job()`` on ``executor`` (a slow step such as a KDF), then the job it
        returns as :meth:`run` does. The executor's thread queues the job itself, so the
        event loop is woken once, by the commit, instead of once per step.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def step() -> None:
            # A caller that gave up while waiting for this thread gets no write at all.
            if future.cancelled():
                return
            try:
                self._enqueue(_Job(make_job(), loop, future))
            except BaseException as exc:  # the caller's failure, answered to the caller
                # (Also when the writer cannot start: nobody reads the executor's future.)
                with contextlib.suppress(RuntimeError):  # its loop has closed
                    loop.call_soon_threadsafe(_settle, [(future, False, exc)])

        executor.submit(step)
        return await future

    def _enqueue(self, job: _Job) -> None:
        # Queued under the lock that close() takes too: a job is either ahead of the
        # writer's stop mark (and served) or handed to a new writer, never stranded.
        with self._writer_lock:
            if self._writer is None:
                self._jobs = queue.SimpleQueue()
                self._writer = threading.Thread(
                    target=self._write_batches,
                    args=(self._jobs,),
                    name="access-api-writer",
                    daemon=True,
                )
                self._writer.start()
            self._jobs.put(job)

    def _write_batches(self, jobs: queue.SimpleQueue[_Job | None]) -> None:
        while (first := jobs.get()) is not None:
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            outcomes = self._commit(batch)
            # One wake-up per event loop for the whole batch, not one per job.
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]]
            by_loop = {}
            for job, (ok, value) in zip(batch, outcomes, strict=True):
                by_loop.setdefault(job.loop, []).append((job.future, ok, value))
            for loop, settled in by_loop.items():
                # A closed loop means nobody is waiting any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, settled)
            if stop:
                return

    def _commit(self, batch: list[_Job]) -> list[tuple[bool, Any]]:
        # Whatever a job raises is answered to its caller: the writer thread must
        # outlive every job, or each later write would wait for ever.
        outcomes: list[tuple[bool, Any]] = []
        try:
            with self.write() as conn:
                for job in batch:
                    if job.future.cancelled():
                        # Its caller is gone and will never see the result: a change
                        # nobody asked to keep is not made (once begun, it is finished).
                        outcomes.append((False, asyncio.CancelledError()))
                        continue
                    conn.execute("SAVEPOINT job")
                    try:
                        result = job.work(conn)
                    except BaseException as exc:  # the job's own failure, its own answer
                        conn.execute("ROLLBACK TO job")
                        outcomes.append((False, exc))
                    else:
                        outcomes.append((True, result))
                    conn.execute("RELEASE job")
        except BaseException as exc:
            # Nothing of the batch was committed, so nothing may be acknowledged.
            return [(False, exc)] * len(batch)
        return outcomes

    def close(self) -> None:
        with self._writer_lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                self._jobs.put(None)  # behind every job already queued
        if writer is not None:
            writer.join(timeout=30)
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class _Job:
    __slots__ = ("future", "loop", "work")

    def __init__(
        self,
        work: Callable[[sqlite3.Connection], Any],
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[Any],
    ) -> None:
        self.work = work
        self.loop = loop
        self.future = future


def _settle(settled: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    for future, ok, value in settled:
        if future.done():  # the caller has gone (a closed connection)
            continue
        if ok:
            future.set_result(value)
        elif isinstance(value, Exception) and not isinstance(value, StopIteration):
            future.set_exception(value)
        else:
            # Futures refuse StopIteration and should not carry SystemExit and the like
            # into a request; the caller gets an ordinary error that names it.
            error = RuntimeError(f"a write job raised {type(value).__name__}")
            error.__cause__ = value
            future.set_exception(error)


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
