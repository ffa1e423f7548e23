"""The access API's stores: SQLite (embedded, one process) and PostgreSQL (several).

Both give the app the same few calls: ``read(fn)`` for a read, ``run(job)`` for a write
transaction answered once it is committed, ``run_after(executor, make_job)`` for a
write that needs a slow step first (the PIN KDF), and ``write()`` for the seed and the
command line. Jobs get a ``helpdesk.storage.Connection`` and one SQL text serves both.

SQLite (``Store``): reads run on the calling thread (an indexed read costs
microseconds). Writes go through a group commit: one writer thread takes every
transaction queued while the previous commit was on disk, runs each in a savepoint of
its own (a failing one is rolled back alone) and commits them with a single fsync.
Every caller is answered only after that commit, so an acknowledged write is still on
disk after a crash; under load the fsync and the hand-offs between threads are shared
instead of paid once per request.

PostgreSQL (``PostgresStore``): writes run on a small thread pool over psycopg's
connection pool. Reads run on the calling thread, over one connection of their own
(opened in the background, outside the pool): an indexed read is one round trip of
~0.1 ms on the server's side, while the hop to a pool thread and back cost 0.24 ms of
CPU per request (bench/access_api.py), more than the wait it spared the event loop.
Its statements time out after ``READ_TIMEOUT_MS``, so the loop never waits long; while
that connection is missing, broken or busy (another thread's read), a read takes the
thread-pool path as before. That trade holds for a database next door only: when inline
reads come to take ``INLINE_SLOW_SECONDS`` on average (a database across a network, or
one struggling), the loop would wait that long per request, so reads go to the pool
threads for ``INLINE_PAUSE_SECONDS``, and are then tried inline again. Each write
transaction first takes a transaction-scoped advisory lock on its workspace: writes to
one workspace are serialized across every worker (a plan is checked against the state
it changes, the idempotency key is claimed once, the audit chain never forks) while
other workspaces write in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from helpdesk.server.schema import COMPONENT, MIGRATIONS, SCHEMA_VERSION
from helpdesk.storage import Connection, PostgresTarget, SqliteTarget, parse_target
from helpdesk.storage.sqlite import SqliteDatabase

if TYPE_CHECKING:
    from helpdesk.storage.postgres import PgConnection, PostgresDatabase

T = TypeVar("T")
log = logging.getLogger("helpdesk.access_api")
# A read on the event loop's own connection is cancelled after this long (PostgreSQL).
READ_TIMEOUT_MS = 2000
# A failed attempt to open that connection is not retried sooner than this (seconds).
READ_RECONNECT_SECONDS = 0.5
# Inline reads slower than this on average (a moving average over about ten) hold up
# every other request of the worker that long: reads then take the pool threads instead,
# for this many seconds, before inline reads are tried again.
INLINE_SLOW_SECONDS = 0.001
INLINE_PAUSE_SECONDS = 10.0
# A batch this large is committed even if more are waiting, so one commit stays short.
MAX_BATCH = 64
Job = Callable[[Connection], T]


class DatabaseUnavailable(Exception):
    """The database could not be reached or answered with an operational error (503)."""


class AccessStore(Protocol):
    """What the app, the seed and the command line need from a store."""

    @property
    def dialect(self) -> str: ...

    @property
    def shared(self) -> bool:
        """True when several processes may serve from this store at once."""
        ...

    def describe(self) -> str: ...

    def migrate(self) -> int: ...

    def schema_version(self) -> int: ...

    def write(self) -> AbstractContextManager[Connection]: ...

    def reading(self) -> AbstractContextManager[Connection]: ...

    async def read(self, fn: Callable[[Connection], T]) -> T: ...

    async def run(self, job: Callable[[Connection], T], *, lock: str | None = None) -> T: ...

    async def run_after(
        self,
        executor: Executor,
        make_job: Callable[[], Callable[[Connection], T]],
        *,
        lock: str | None = None,
    ) -> T: ...

    def close(self) -> None: ...


def open_store(db: str | Path, *, pool_size: int = 8) -> AccessStore:
    """The store of ``db``: a SQLite file path, or a ``postgresql://`` URL.

    Raises:
        ConfigError: ``db`` names no database we can open.
        StorageError: the PostgreSQL server cannot be reached.
    """
    target = parse_target(db)
    if isinstance(target, SqliteTarget):
        return Store(target.path)
    return PostgresStore(target, pool_size=pool_size)


class Store:
    """A SQLite file; a connection per thread, one writer thread with group commit."""

    dialect = "sqlite"
    shared = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = SqliteDatabase(path)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    def describe(self) -> str:
        return str(self.path)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        return self._db.raw()

    def migrate(self) -> int:
        """Apply every migration not yet applied; returns the schema version."""
        return self._db.migrate(COMPONENT, MIGRATIONS, adopt_user_version=True)

    def schema_version(self) -> int:
        row = (
            self._db.raw()
            .execute(
                "SELECT max(version) AS v FROM schema_migrations WHERE component = ?", (COMPONENT,)
            )
            .fetchone()
        )
        return int(row["v"] or 0)

    def write(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction: commits on success, rolls back on any exception."""
        return self._db.transaction()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        yield self._db.raw()

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """``fn(connection)`` right here: an indexed SQLite read is cheaper than a hop."""
        return fn(self._db.raw())

    async def run(self, job: Callable[[Connection], T], *, lock: str | None = None) -> T:
        """Run ``job`` in a write transaction on the writer thread; its result once the
        transaction is committed. An exception from ``job`` undoes only its own changes
        and is raised here; a failed commit is raised to every job of the batch.
        (``lock`` is for PostgreSQL: one writer thread already serializes SQLite.)
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._enqueue(_Job(job, loop, future))
        return await future

    async def run_after(
        self,
        executor: Executor,
        make_job: Callable[[], Callable[[Connection], T]],
        *,
        lock: str | None = None,
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
        self._db.close()


class _Job:
    __slots__ = ("future", "loop", "work")

    def __init__(
        self,
        work: Callable[[Any], Any],
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


class PostgresStore:
    """A PostgreSQL database shared by every worker; see the module docstring."""

    dialect = "postgresql"
    shared = True

    def __init__(self, target: PostgresTarget, *, pool_size: int = 8) -> None:
        from helpdesk.storage.postgres import PostgresDatabase

        self.target = target
        self._db: PostgresDatabase = PostgresDatabase(target, max_size=pool_size)
        self._threads = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="access-pg")
        import psycopg

        self._operational = psycopg.OperationalError
        self._pg_error = psycopg.Error
        self._idle = psycopg.pq.TransactionStatus.IDLE
        # The inline reads' connection (None until opened, or after it broke), the lock
        # that gives it to one reader at a time, and when it may next be (re)opened.
        self._reader: PgConnection | None = None
        self._reader_lock = threading.Lock()
        self._reader_state = threading.Lock()
        self._reader_opening = False
        self._reader_retry_at = 0.0
        # The inline reads' moving average (seconds), and until when they are paused.
        self._inline_seconds = 0.0
        self._inline_paused_until = 0.0
        self._closed = False

    def describe(self) -> str:
        return self.target.describe()

    def migrate(self) -> int:
        return self._db.migrate(COMPONENT, MIGRATIONS)

    def schema_version(self) -> int:
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT max(version) AS v FROM schema_migrations WHERE component = ?",
                (COMPONENT,),
            ).fetchone()
        return int(row["v"] or 0)

    def write(self) -> AbstractContextManager[Connection]:
        return self._db.transaction()

    def reading(self) -> AbstractContextManager[Connection]:
        return self._db.connection()

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except self._operational as exc:
            raise DatabaseUnavailable(type(exc).__name__) from exc

    def _read_now(self, fn: Callable[[Connection], T]) -> T:
        with self._db.connection() as conn:
            return fn(conn)

    def _write_now(self, job: Callable[[Connection], T], lock: str | None) -> T:
        with self._db.transaction() as conn:
            if lock is not None:
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (lock,))
            return job(conn)

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """``fn(connection)`` on this thread over the reads' connection when it is open
        and free, else on a pool thread (see the module docstring)."""
        reader = self._reader
        if reader is None:
            self._open_reader_soon()
        elif time.monotonic() >= self._inline_paused_until and self._reader_lock.acquire(
            blocking=False
        ):
            try:
                if reader is self._reader:
                    return self._read_inline(reader, fn)
            finally:
                self._reader_lock.release()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._call, lambda: self._read_now(fn))

    def _read_inline(self, reader: PgConnection, fn: Callable[[Connection], T]) -> T:
        started = time.perf_counter()
        try:
            return fn(reader)
        except self._operational as exc:
            self._drop_reader(reader)
            raise DatabaseUnavailable(type(exc).__name__) from exc
        finally:
            self._time_inline(time.perf_counter() - started)
            # Any other failure (a 404 raised by ``fn``) leaves an autocommit connection
            # idle; anything else about it is not trusted with the next read.
            raw = reader.raw
            if raw.broken or raw.closed or raw.info.transaction_status != self._idle:
                self._drop_reader(reader)

    def _time_inline(self, seconds: float) -> None:
        """Fold one inline read's time into the average; pause inline reads when slow."""
        average = self._inline_seconds = 0.9 * self._inline_seconds + 0.1 * seconds
        if average > INLINE_SLOW_SECONDS:
            self._inline_paused_until = time.monotonic() + INLINE_PAUSE_SECONDS
            self._inline_seconds = 0.0  # the next try starts afresh
            # One line per pause: an operator sees a slow or distant database in the log.
            log.warning(
                json.dumps(
                    {
                        "event": "slow-reads",
                        "average_ms": round(average * 1000, 2),
                        "pool_threads_for_s": INLINE_PAUSE_SECONDS,
                    }
                )
            )

    def _drop_reader(self, reader: PgConnection) -> None:
        with self._reader_state:
            if self._reader is reader:
                self._reader = None
                self._reader_retry_at = time.monotonic() + READ_RECONNECT_SECONDS
        with contextlib.suppress(self._pg_error, OSError):  # a broken one may fail to close
            reader.raw.close()

    def _open_reader_soon(self) -> None:
        """Open the reads' connection on a pool thread (never on the event loop)."""
        with self._reader_state:
            if (
                self._closed
                or self._reader_opening
                or self._reader is not None
                or time.monotonic() < self._reader_retry_at
            ):
                return
            self._reader_opening = True
        try:
            self._threads.submit(self._open_reader)
        except RuntimeError:  # the pool is shutting down
            with self._reader_state:
                self._reader_opening = False

    def _open_reader(self) -> None:
        reader = None
        # The database away: reads keep taking the pool until it is back.
        with contextlib.suppress(self._operational):
            reader = self._db.connect(statement_timeout_ms=READ_TIMEOUT_MS)
        with self._reader_state:
            self._reader_opening = False
            if reader is None:
                self._reader_retry_at = time.monotonic() + READ_RECONNECT_SECONDS
            elif self._closed:
                reader.raw.close()
            else:
                self._reader = reader

    async def run(self, job: Callable[[Connection], T], *, lock: str | None = None) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._threads, self._call, lambda: self._write_now(job, lock)
        )

    async def run_after(
        self,
        executor: Executor,
        make_job: Callable[[], Callable[[Connection], T]],
        *,
        lock: str | None = None,
    ) -> T:
        loop = asyncio.get_running_loop()
        job = await loop.run_in_executor(executor, make_job)
        return await self.run(job, lock=lock)

    def close(self) -> None:
        with self._reader_state:
            self._closed = True
        self._threads.shutdown(wait=True)
        with self._reader_lock, self._reader_state:
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.raw.close()
        self._db.close()


def schema_version_expected() -> int:
    """The schema version this code migrates to."""
    return SCHEMA_VERSION
