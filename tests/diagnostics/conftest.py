"""Fixtures of the diagnostics tests: the repository's trees and a seeded access API.

Each test that changes data gets its own seeded server on loopback (uvicorn in a
thread, SQLite in the test's temp folder), so a path's assertions about server state
never see another test's changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from helpdesk.access.client import AccessClient
from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.server.testing import DemoServer, demo_server

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb(REPO / "kb")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DemoServer]:
    with demo_server(tmp_path / "access.db") as running:
        yield running


@pytest.fixture
async def api(server: DemoServer) -> AsyncIterator[AccessClient]:
    async with server.client("agent", retries=0) as client:
        yield client


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sessions"
    folder.mkdir()
    return folder
