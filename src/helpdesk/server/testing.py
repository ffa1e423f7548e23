"""A seeded demo server on loopback with one token per scope, for tests and benchmarks.

Other packages' tests (the terminal app, the diagnostics engine) can use it too::

    with demo_server(tmp_path / "access.db") as server:
        async with server.client("agent") as api:
            ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from helpdesk.access.client import AccessClient
from helpdesk.access.models import SCOPES
from helpdesk.server.live import LiveServer
from helpdesk.server.seed import AGENT_SCOPES, OTHER_WORKSPACE_ID, create_demo_token, seed
from helpdesk.server.settings import RateLimit, Settings


def fast_settings(db_path: Path, **overrides: Any) -> Settings:
    """Fast, generous settings: a cheap scrypt and rate limits that tests do not hit."""
    settings = Settings(
        db_path=db_path,
        pin_pepper="test-pepper-not-secret",
        scrypt_n=2**10,
        write_limit=RateLimit(burst=100_000, per_second=100_000.0),
        pin_limit=RateLimit(burst=100_000, per_second=100_000.0),
        demo_endpoints=True,
    )
    return replace(settings, **overrides)


@dataclass
class DemoServer:
    """A running, seeded server; ``tokens`` maps a role name to a bearer token.

    Roles: ``agent`` (every agent scope), ``admin``, one per single scope (e.g.
    ``users:read``), ``none`` (a valid token without scopes) and ``other`` (an agent
    token of the second workspace).
    """

    live: LiveServer
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.live.base_url

    @property
    def settings(self) -> Settings:
        return self.live.settings

    def client(self, role: str = "agent", **kwargs: Any) -> AccessClient:
        return AccessClient(self.base_url, token=self.tokens[role], **kwargs)


@contextmanager
def demo_server(db_path: Path, **overrides: Any) -> Iterator[DemoServer]:
    """Start a seeded server with ``fast_settings(db_path, **overrides)``."""
    settings = fast_settings(db_path, **overrides)
    with LiveServer(settings) as live:
        state = live.app.state.access
        now = settings.clock()
        seed(state.store, state.hasher, now)
        tokens = {
            "agent": create_demo_token(state.store, now, scopes=AGENT_SCOPES),
            "none": create_demo_token(state.store, now, scopes=()),
            "other": create_demo_token(
                state.store, now, workspace_id=OTHER_WORKSPACE_ID, scopes=AGENT_SCOPES
            ),
        }
        for scope in SCOPES:
            tokens[scope] = create_demo_token(state.store, now, scopes=(scope,))
        yield DemoServer(live, tokens)
