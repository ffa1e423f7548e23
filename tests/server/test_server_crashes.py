"""Crashes on PostgreSQL with several workers: a kill -9 of one worker, or of the
database server itself, during writes loses no write the server acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from serving import seeded_server

from helpdesk.access.client import AccessClient
from helpdesk.errors import AccessError, Unavailable
from helpdesk.server import seed as demo
from pg_support import PostgresCluster, _children

W = {"reason": "load test", "ticket": "T-CRASH"}
pytestmark = pytest.mark.slow


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of its own: this test kills it, which the session's must survive."""
    with PostgresCluster() as cluster:
        yield cluster


async def _load_through(base: str, token: str, crash: Callable[[], None]) -> list[str]:
    """Create users from 8 writers; once 40 are acknowledged, ``crash()``; keep writing
    for a second, then return every email the server acknowledged."""
    acknowledged: list[str] = []
    stop = asyncio.Event()

    async def writer(api: AccessClient) -> None:
        while not stop.is_set():
            email = f"load-{uuid.uuid4().hex[:12]}@hotel-aurora.example"
            try:
                await api.create_limited_user(email=email, name="Load", **W)
            except AccessError:
                await asyncio.sleep(0.05)  # refused or cut off: not acknowledged
                continue
            acknowledged.append(email)

    async with AccessClient(base, token=token, timeout=5, retries=0) as api:
        tasks = [asyncio.create_task(writer(api)) for _ in range(8)]
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert len(acknowledged) >= 40, "the load never got going"
        crash()
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*tasks)
    return acknowledged


async def _all_there(base: str, token: str, emails: list[str]) -> None:
    async with AccessClient(base, token=token, timeout=10, retries=5) as api:
        for email in emails:
            assert (await api.find_user_by_email(email)).email == email


async def test_acknowledged_writes_survive_kill_9_of_a_worker(
    postgres: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = postgres.create_database("crash")
    with seeded_server(db, tmp_path / "server.log", 2, monkeypatch) as (process, base, token):
        workers = _children(process.pid)
        assert workers, "no worker processes"

        def kill_a_worker() -> None:
            # uvicorn's supervisor, not a shell: its children are the workers.
            with contextlib.suppress(ProcessLookupError):
                os.kill(max(workers), signal.SIGKILL)

        acknowledged = await _load_through(base, token, kill_a_worker)
        await _all_there(base, token, acknowledged)


async def test_acknowledged_writes_survive_kill_9_of_the_postgresql_server(
    own_cluster: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = own_cluster.create_database("crash")
    with seeded_server(db, tmp_path / "server.log", 2, monkeypatch) as (_, base, token):
        acknowledged = await _load_through(base, token, own_cluster.kill)
        own_cluster.restart_server()
        # The same server processes, their pools reconnecting: nothing acknowledged lost.
        await _all_there(base, token, acknowledged)
        log = (tmp_path / "server.log").read_text()
        assert "Traceback" not in log, log[log.find("Traceback") :][:6000]


async def test_with_the_postgresql_server_down_a_request_is_told_so_before_its_timeout(
    own_cluster: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a hang until the client gives up: a 503 "database unavailable" problem that the
    agent's client (its default timeout, no retries) reports as such, for reads on the
    event loop's connection and for those that wait for the pool alike; and the same
    processes serve again once the database is back."""
    db = own_cluster.create_database("down")
    user = demo.ADMIN_MFA_PIN.id
    with seeded_server(db, tmp_path / "server.log", 2, monkeypatch) as (_, base, token):
        async with AccessClient(base, token=token, retries=0) as api:
            assert (await api.get_user(user)).id == user
            own_cluster.kill()
            for _ in range(4):  # the first per worker breaks its reads' connection
                with pytest.raises(Unavailable) as refused:
                    await api.get_user(user)
                assert refused.value.type.endswith("database-unavailable"), refused.value
        own_cluster.restart_server()
        async with AccessClient(base, token=token, retries=5) as api:
            assert (await api.get_user(user)).id == user
    # The pool's reconnection attempts and the 503s are in the log, one JSON line each
    # like the requests', so an operator's log pipeline reads all of it.
    lines = (tmp_path / "server.log").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    logged = [r["message"] for r in records if r["event"] == "log"]
    assert any("database error" in m for m in logged), logged
    assert any(r["event"] == "request" and r["status"] == 503 for r in records)
