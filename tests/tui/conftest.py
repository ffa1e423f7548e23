"""Fixtures of the terminal app's tests: an isolated home, the embedded access API on a
fresh database with a fixed clock, a transport that can be told to fail, and a frozen
copy of the knowledge base with a test MFA tree (so snapshots do not move when writers
edit ``kb/``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpdesk.access.client import AccessClient
from helpdesk.server.app import create_app
from helpdesk.server.embedded import EMBEDDED_URL
from helpdesk.server.seed import create_demo_token, seed
from helpdesk.server.settings import ManualClock, Settings
from helpdesk.tui.app import HelpdeskApp, make_app
from helpdesk.tui.catalog import Catalog, load_catalog
from helpdesk.tui.connection import Connection

FIXTURES = Path(__file__).parent / "fixtures"
FIXED_NOW = datetime(2025, 9, 15, 9, 30, tzinfo=UTC)
SIZE = (100, 32)


class FlakyTransport(httpx.AsyncBaseTransport):
    """The in-process ASGI transport, except that the next ``fail`` requests fail.

    ``down=True`` fails every request, like a server that was stopped.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.fail = 0
        self.down = False
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        if self.down or self.fail > 0:
            self.fail = max(0, self.fail - 1)
            raise httpx.ConnectError("connection refused (test)", request=request)
        return await self.inner.handle_async_request(request)


@dataclass
class Embedded:
    """The access API in-process on a fresh database, with a manual clock."""

    db_path: Path
    clock: ManualClock = field(default_factory=lambda: ManualClock(FIXED_NOW))

    def __post_init__(self) -> None:
        self.settings = Settings(db_path=self.db_path, clock=self.clock, scrypt_n=2**4)
        self.app = create_app(self.settings)
        state = self.app.state.access
        seed(state.store, state.hasher, self.clock())
        self.token = create_demo_token(state.store, self.clock(), name="tests")
        self.transport = FlakyTransport(httpx.ASGITransport(app=self.app))

    def client(self) -> AccessClient:
        # No client-side retries: a failure must reach the app on the first attempt.
        return AccessClient(EMBEDDED_URL, token=self.token, transport=self.transport, retries=0)

    async def factory(self) -> AccessClient:
        return self.client()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data folders under tmp_path; no token or URL leaks in from the shell."""
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(home / "data" / "helpdesk"))
    monkeypatch.setenv("HELPDESK_STATE_DIR", str(home / "data" / "helpdesk" / "sessions"))
    for name in ("HELPDESK_TOKEN", "HELPDESK_API_URL", "HELPDESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the frozen KB (the search index is written beside it, not in the repo)."""
    target = tmp_path_factory.mktemp("kb") / "kb"
    shutil.copytree(FIXTURES / "kb", target)
    return target


@pytest.fixture(scope="session")
def catalog(kb_dir: Path) -> Catalog:
    return load_catalog(kb_dir)


@pytest.fixture
def embedded(tmp_path: Path) -> Embedded:
    return Embedded(tmp_path / "access.sqlite3")


@pytest.fixture
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Session ids (and the idempotency keys made from them) without randomness."""
    import helpdesk.diagnostics.engine as engine

    monkeypatch.setattr(engine.secrets, "token_hex", lambda n=3: "0" * (2 * n))


@pytest.fixture
def app_factory(
    embedded: Embedded, catalog: Catalog, kb_dir: Path, isolated_home: Path
) -> Iterator[Any]:
    """Builds apps that share one data folder (so a second app can resume the first's walk)."""

    def build(**overrides: Any) -> HelpdeskApp:
        options: dict[str, Any] = {
            "connection": Connection(None, db_path=embedded.db_path),
            "kb_dir": kb_dir,
            "data_dir": isolated_home / "data" / "helpdesk",
            "clock": embedded.clock,
            "client_factory": embedded.factory,
            "catalog": catalog,
            "cursor_blink": False,
        }
        options.update(overrides)
        return make_app(**options)

    yield build


@pytest.fixture
def settle() -> Any:
    return _settle


async def _settle(pilot: Any, rounds: int = 3) -> None:
    """Let workers finish and the screen catch up (workers may start further workers)."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
