"""Fixtures of the server tests: one seeded uvicorn on loopback for the session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from helpdesk.access.client import AccessClient
from helpdesk.server.testing import DemoServer, demo_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("access") / "access.db") as running:
        yield running


@pytest.fixture
async def api(server: DemoServer) -> AsyncIterator[AccessClient]:
    async with server.client("agent") as client:
        yield client
