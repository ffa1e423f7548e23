"""The store's group commit: queued write transactions share one commit, each in a
savepoint of its own; nobody is answered before the commit is on disk, and every
caller is answered, whatever its job raised."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from helpdesk.server import store as store_module
from helpdesk.server.store import PostgresStore, Store
from helpdesk.storage import PostgresTarget
from pg_support import PostgresCluster

# Long enough for a loaded CI machine, short enough that a hang fails the test quickly.
SETTLE_TIMEOUT = 5.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "store.db")
    store.migrate()
    with store.write() as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        conn.execute(
            "CREATE TABLE children (id INTEGER PRIMARY KEY,"
            " note_id INTEGER NOT NULL REFERENCES notes(id))"
        )
    yield store
    store.close()


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    # A separate connection: only what was committed is visible to it.
    with sqlite3.connect(path) as other:
        return list(other.execute(sql))


def _texts(store: Store) -> list[str]:
    return [str(text) for (text,) in _rows(store.path, "SELECT text FROM notes ORDER BY id")]


def _insert(text: str) -> Callable[[sqlite3.Connection], int]:
    def job(conn: sqlite3.Connection) -> int:
        cursor = conn.execute("INSERT INTO notes (text) VALUES (?)", (text,))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    return job


def _held(
    release: threading.Event, job: Callable[[sqlite3.Connection], int]
) -> Callable[[sqlite3.Connection], int]:
    """``job`` that first waits for ``release``: the writer stays on it while others queue."""

    def held(conn: sqlite3.Connection) -> int:
        release.wait(timeout=10)
        return job(conn)

    return held


async def _settled(*calls: Awaitable[Any]) -> list[asyncio.Future[Any]]:
    """Every call's task once done; fails (instead of hanging) if one never settles."""
    tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(call) for call in calls]
    _, pending = await asyncio.wait(tasks, timeout=SETTLE_TIMEOUT)
    for task in pending:
        task.cancel()
    assert not pending, f"{len(pending)} of {len(tasks)} callers were never answered"
    return tasks


async def test_a_job_returns_its_result_after_its_transaction_is_committed(store: Store) -> None:
    note_id = await store.run(_insert("first"))

    assert _rows(store.path, "SELECT id, text FROM notes") == [(note_id, "first")]


async def test_jobs_queued_together_are_committed_together_in_order(store: Store) -> None:
    # Hold the writer on the first job so the other nine queue up behind it.
    release = threading.Event()
    first = asyncio.ensure_future(store.run(_held(release, _insert("0"))))
    await asyncio.sleep(0.05)
    rest = [asyncio.ensure_future(store.run(_insert(str(n)))) for n in range(1, 10)]
    await asyncio.sleep(0.05)
    release.set()
    ids = await asyncio.gather(first, *rest)

    assert ids == sorted(ids)
    assert _texts(store) == [str(n) for n in range(10)]


async def test_a_failing_job_is_undone_alone_and_its_error_reaches_only_its_caller(
    store: Store,
) -> None:
    def half_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO notes (text) VALUES ('half')")
        raise ValueError("refused by a rule")

    results = await asyncio.gather(
        store.run(_insert("kept before")),
        store.run(half_then_fail),
        store.run(_insert("kept after")),
        return_exceptions=True,
    )

    assert isinstance(results[1], ValueError)
    assert str(results[1]) == "refused by a rule"
    assert _texts(store) == [
        "kept before",
        "kept after",
    ]


async def test_when_the_commit_fails_no_job_of_the_batch_is_acknowledged(store: Store) -> None:
    release = threading.Event()

    def hold(conn: sqlite3.Connection) -> None:
        release.wait(timeout=10)

    def breaks_the_commit(conn: sqlite3.Connection) -> None:
        # A deferred foreign-key violation passes the statement and fails the COMMIT.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.execute("INSERT INTO children (note_id) VALUES (424242)")

    held = asyncio.ensure_future(store.run(hold))
    await asyncio.sleep(0.05)
    batch = [
        asyncio.ensure_future(store.run(_insert("innocent"))),
        asyncio.ensure_future(store.run(breaks_the_commit)),
    ]
    await asyncio.sleep(0.05)
    release.set()
    await held
    results = await asyncio.gather(*batch, return_exceptions=True)

    assert all(isinstance(result, sqlite3.IntegrityError) for result in results)
    assert _rows(store.path, "SELECT text FROM notes") == []
    # The writer is still there for the next transaction.
    assert await store.run(_insert("after")) > 0


async def test_close_stops_the_writer_thread(store: Store) -> None:
    before = set(threading.enumerate())
    await store.run(_insert("one"))
    started = [t for t in set(threading.enumerate()) - before if t.name == "access-api-writer"]
    assert len(started) == 1

    store.close()

    assert not started[0].is_alive()


async def test_a_job_raising_stopiteration_strands_no_caller_of_its_batch(store: Store) -> None:
    # ``next()`` on an exhausted iterator raises StopIteration, an ordinary Exception;
    # asyncio refuses it in ``Future.set_exception`` (TypeError), and ``_settle`` then
    # stops before answering the rest of the batch on that loop.
    release = threading.Event()

    def hold(conn: sqlite3.Connection) -> None:
        release.wait(timeout=10)

    def no_such_row(conn: sqlite3.Connection) -> int:
        return next(iter(()))

    held = asyncio.ensure_future(store.run(hold))
    await asyncio.sleep(0.05)
    failing = store.run(no_such_row)
    innocent = store.run(_insert("committed"))
    release.set()
    await held

    failing_task, innocent_task = await _settled(failing, innocent)

    assert innocent_task.result() > 0
    assert failing_task.exception() is not None
    assert _texts(store) == ["committed"]


class _Abort(BaseException):
    """Not an ``Exception``: like SystemExit, it passes ``except Exception``."""


async def test_a_job_raising_a_base_exception_is_answered_and_the_writer_survives(
    store: Store,
) -> None:
    def aborts(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO notes (text) VALUES ('undone')")
        raise _Abort

    (aborted,) = await _settled(store.run(aborts))
    assert aborted.exception() is not None

    # The next write must still be served, not queued for a writer that has died.
    (after,) = await _settled(store.run(_insert("after")))
    assert after.result() > 0
    assert _texts(store) == ["after"]


async def test_a_store_used_after_close_starts_a_new_writer(store: Store) -> None:
    await store.run(_insert("before"))
    store.close()

    (after,) = await _settled(store.run(_insert("after")))

    assert after.result() > 0
    assert _texts(store) == [
        "before",
        "after",
    ]


async def test_a_job_prepared_on_another_thread_is_queued_by_that_thread(store: Store) -> None:
    threads: list[str] = []

    def prepare() -> Callable[[sqlite3.Connection], int]:
        threads.append(threading.current_thread().name)
        return _insert(f"prepared on {threads[-1]}")

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="slow-step") as pool:
        (done,) = await _settled(store.run_after(pool, prepare))

    assert done.result() > 0
    assert threads == ["slow-step_0"]
    assert _texts(store) == ["prepared on slow-step_0"]


async def test_a_failing_preparation_reaches_its_caller_and_writes_nothing(store: Store) -> None:
    def prepare() -> Callable[[sqlite3.Connection], int]:
        raise ValueError("the slow step failed")

    with ThreadPoolExecutor(max_workers=1) as pool:
        failed, ok = await _settled(
            store.run_after(pool, prepare), store.run_after(pool, lambda: _insert("next"))
        )

    assert isinstance(failed.exception(), ValueError)
    assert str(failed.exception()) == "the slow step failed"
    assert ok.result() > 0
    assert _texts(store) == ["next"]


async def test_a_caller_that_gives_up_before_its_job_starts_gets_no_write(store: Store) -> None:
    release = threading.Event()
    first = asyncio.ensure_future(store.run(_held(release, _insert("first"))))
    await asyncio.sleep(0.05)
    gone = asyncio.ensure_future(store.run(_insert("nobody waits for this")))
    await asyncio.sleep(0.05)
    gone.cancel()
    release.set()
    await first

    assert _texts(store) == ["first"]


async def test_a_caller_that_gives_up_during_the_slow_step_gets_no_write(store: Store) -> None:
    entered, release = threading.Event(), threading.Event()

    def prepare() -> Callable[[sqlite3.Connection], int]:
        entered.set()
        release.wait(timeout=10)
        return _insert("after the caller left")

    with ThreadPoolExecutor(max_workers=1) as pool:
        task = asyncio.ensure_future(store.run_after(pool, prepare))
        await asyncio.to_thread(entered.wait, 10)
        task.cancel()
        release.set()
    await asyncio.sleep(0.1)  # the writer would have committed by now

    assert task.cancelled()
    assert _texts(store) == []


async def test_a_job_that_cannot_be_queued_is_answered_not_stranded(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_writer(job: object) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(store, "_enqueue", no_writer)
    with ThreadPoolExecutor(max_workers=1) as pool:
        (failed,) = await _settled(store.run_after(pool, lambda: _insert("never")))

    assert isinstance(failed.exception(), RuntimeError)
    assert "can't start new thread" in str(failed.exception())


async def _read_where(store: PostgresStore, *, seconds: float = 0.0) -> str:
    """Which thread a read ran on, the read taking ``seconds`` (a slow database)."""

    def where(conn: Any) -> str:
        conn.execute("SELECT 1").fetchone()
        time.sleep(seconds)
        return threading.current_thread().name

    return await store.read(where)


async def test_postgres_reads_leave_the_event_loop_when_they_come_to_take_long(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "INLINE_PAUSE_SECONDS", 0.5)
    store = PostgresStore(PostgresTarget(postgres.create_database("inline")))
    loop_thread = threading.current_thread().name
    try:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while await _read_where(store) != loop_thread:  # its own connection opens first
            assert time.monotonic() < deadline, "reads never ran on the event loop"
            await asyncio.sleep(0.01)
        for _ in range(20):  # fast reads stay on the loop
            assert await _read_where(store) == loop_thread

        slow = [await _read_where(store, seconds=0.003) for _ in range(20)]
        # A few slow ones inline raise the average, then every read goes to the threads.
        assert slow[0] == loop_thread
        assert all(name.startswith("access-pg") for name in slow[-5:]), slow

        await asyncio.sleep(0.6)  # after the pause, inline reads are tried again
        assert await _read_where(store) == loop_thread
    finally:
        store.close()
