"""Fixtures shared by several test packages: the seeded access API on loopback, a static
site on loopback, the real browser."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpdesk.access.client import AccessClient
from helpdesk.server.testing import DemoServer, demo_server
from pg_support import PostgresCluster

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """One seeded uvicorn on 127.0.0.1 for the session (tests/diagnostics starts its own
    per test, since every tree path needs the seed untouched)."""
    with demo_server(tmp_path_factory.mktemp("access") / "access.db") as running:
        yield running


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL 15 cluster for the session, started on first use and stopped
    at the end (``tests/pg_support.py``); ``postgres.create_database()`` gives a test a
    fresh database's URL."""
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture
async def api(server: DemoServer) -> AsyncIterator[AccessClient]:
    """An agent-scoped client of ``server``."""
    async with server.client("agent") as client:
        yield client


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def serve_folder() -> Iterator[Callable[[Path], str]]:
    """Serve a built site over HTTP on 127.0.0.1; returns its base URL (ending in /).

    Servers live until the end of the session, so module-scoped site fixtures can use it.
    """
    running: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """The system Chromium driven by Playwright (never Playwright's own browser download).

    A missing browser fails the test instead of skipping it: `make test` installs it.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
