"""Real `helpdesk access-api serve` processes for the multi-process tests: start one (and
wait until it answers), stop it (its whole process group), seed its database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from helpdesk.cli import cli
from helpdesk.server.live import free_port

PEPPER = "workers-test-pepper"


def start_server(
    db: str, log: Path, workers: int, **env: str
) -> tuple[subprocess.Popen[bytes], str]:
    """``serve --workers N`` on a free port; returns the process and its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "helpdesk", "access-api", "serve", "--db", db,
        "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    environment = {**os.environ, "HELPDESK_PIN_PEPPER": PEPPER, "HELPDESK_PIN_SCRYPT_N": "16"}
    # A file, not a pipe: a pipe nobody reads fills up and stalls the server's log writes.
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env={**environment, **env}, stdout=subprocess.DEVNULL, stderr=out,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited: " + log.read_text()[-2000:])
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("server did not start: " + log.read_text()[-2000:])


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def seed_database(db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Seed the demo workspaces into ``db``; returns the demo admin token."""
    monkeypatch.setenv("HELPDESK_PIN_PEPPER", PEPPER)
    result = CliRunner().invoke(cli, ["access-api", "seed", "--db", db])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@contextlib.contextmanager
def seeded_server(
    db: str, log: Path, workers: int, monkeypatch: pytest.MonkeyPatch, **env: str
) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """Seed ``db``, serve it with ``workers`` processes; yields the server process, its
    base URL and the demo admin token, and stops the server afterwards."""
    token = seed_database(db, monkeypatch)
    process, base = start_server(db, log, workers, **env)
    try:
        yield process, base, token
    finally:
        stop_server(process)
