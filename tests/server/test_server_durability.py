"""Concurrency and crash safety: consistent state under 50 writers, and every
acknowledged write survives a kill -9 of the server."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from helpdesk.access.client import AccessClient
from helpdesk.errors import Conflict, TransportError
from helpdesk.server import seed as demo
from helpdesk.server.live import free_port
from helpdesk.server.security import PinHasher
from helpdesk.server.seed import create_demo_token, seed
from helpdesk.server.settings import system_clock
from helpdesk.server.store import Store
from helpdesk.server.testing import demo_server

W = {"reason": "load test", "ticket": "T-LOAD"}


async def test_fifty_concurrent_writers_on_one_user_end_consistent(database: str) -> None:
    user_id = demo.ADMIN_MFA_NO_PIN.id
    with demo_server(database) as server:
        async with server.client(timeout=30) as api:

            async def writer(i: int) -> tuple[str, bool]:
                kind = ("suspend", "restore", "pin")[i % 3]
                try:
                    if kind == "suspend":
                        await api.suspend_mfa(user_id, minutes=10, verified_channel=True, **W)
                    elif kind == "restore":
                        await api.restore_mfa(user_id, **W)
                    else:
                        await api.set_pin(user_id, generate=True, **W)
                except Conflict:
                    return kind, False
                return kind, True

            outcomes = await asyncio.gather(*(writer(i) for i in range(50)))
            ok = {
                k: sum(1 for kind, done in outcomes if kind == k and done)
                for k in ("suspend", "restore", "pin")
            }
            refused = sum(1 for _, done in outcomes if not done)
            user = await api.get_user(user_id)
            audit = await api.list_audit(subject=f"user:{user_id}", limit=1000)

    assert ok["pin"] == len(range(2, 50, 3)), "PIN writes never conflict"
    assert ok["suspend"] - ok["restore"] in (0, 1)
    assert user.mfa.state == ("suspended" if ok["suspend"] > ok["restore"] else "enabled")
    assert user.pin_set
    outcomes_in_audit = [r.outcome for r in audit.items]
    assert outcomes_in_audit.count("applied") == sum(ok.values())
    # Identical refusals (same token, action and problem) fold into one record's count.
    assert sum(r.count for r in audit.items if r.outcome == "refused") == refused
    assert outcomes_in_audit.count("refused") <= 4


def _start(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HELPDESK_PIN_PEPPER": "durability-test",
        "HELPDESK_ACCESS_WRITE_LIMIT": "100000/100000",
    }
    # A file, not a pipe: a pipe nobody reads fills up and stalls the server's log writes.

    command = [
        sys.executable,
        "-m",
        "helpdesk",
        "access-api",
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
    ]
    with (db.parent / "server.log").open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start: " + (db.parent / "server.log").read_text()[-2000:])


@pytest.mark.slow
async def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    store = Store(db)
    store.migrate()
    seed(store, PinHasher("durability-test", n=2**10), system_clock())
    token = create_demo_token(store, system_clock())
    store.close()

    port = free_port()
    process = _start(db, port)
    acknowledged: list[str] = []
    stop = asyncio.Event()

    async def load(api: AccessClient) -> None:
        while not stop.is_set():
            email = f"load-{uuid.uuid4().hex[:12]}@hotel-aurora.example"
            try:
                await api.create_limited_user(email=email, name="Load", **W)
            except TransportError:
                return
            acknowledged.append(email)

    try:
        async with AccessClient(f"http://127.0.0.1:{port}", token=token, timeout=5) as api:
            tasks = [asyncio.create_task(load(api)) for _ in range(8)]
            deadline = time.monotonic() + 20
            while len(acknowledged) < 40 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert len(acknowledged) >= 40, "the load never got going"
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        if process.poll() is None:  # the test failed before the kill
            process.kill()
            process.wait(timeout=10)

    process = _start(db, port)
    try:
        async with AccessClient(f"http://127.0.0.1:{port}", token=token, timeout=5) as api:
            for email in acknowledged:
                assert (await api.find_user_by_email(email)).email == email
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
