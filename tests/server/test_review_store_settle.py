"""Review of the group commit (``Store.run``): every caller is answered, whatever its
job raised. A job that escapes the ``except Exception`` of the batch, or an error that
``Future.set_exception`` refuses, must not leave callers (its own or its batch
neighbours', whose writes are already committed) waiting forever."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpdesk.server.store import Store

# Long enough for a loaded CI machine, short enough that a hang fails the test quickly.
SETTLE_TIMEOUT = 5.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "store.db")
    store.migrate()
    with store.write() as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    yield store
    store.close()


def _insert(text: str) -> Callable[[sqlite3.Connection], int]:
    def job(conn: sqlite3.Connection) -> int:
        cursor = conn.execute("INSERT INTO notes (text) VALUES (?)", (text,))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    return job


def _committed(path: Path) -> list[str]:
    with sqlite3.connect(path) as other:
        return [text for (text,) in other.execute("SELECT text FROM notes ORDER BY id")]


async def _settled(*calls: Awaitable[Any]) -> list[asyncio.Future[Any]]:
    """Every call's task once done; fails (instead of hanging) if one never settles."""
    tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(call) for call in calls]
    _, pending = await asyncio.wait(tasks, timeout=SETTLE_TIMEOUT)
    for task in pending:
        task.cancel()
    assert not pending, f"{len(pending)} of {len(tasks)} callers were never answered"
    return tasks


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
    assert _committed(store.path) == ["committed"]


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
    assert _committed(store.path) == ["after"]
