"""The embedded access API: the default of the terminal app, with no server to run.

``open_embedded_client(db_path)`` creates (or migrates) the database, seeds the demo
workspace, makes a fresh agent token and returns an ``AccessClient`` that talks to
the app in-process over ``httpx.ASGITransport``. Nothing depends on lifespan events,
which that transport does not run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from helpdesk.access.client import AccessClient
from helpdesk.server.app import create_app
from helpdesk.server.seed import create_demo_token, seed
from helpdesk.server.settings import Settings

EMBEDDED_URL = "http://embedded.helpdesk"


def open_embedded_client(
    db_path: Path | str, *, settings: Settings | None = None, timeout: float = 10.0
) -> AccessClient:
    """A client over an in-process access API on ``db_path``, seeded, with a demo token.

    Args:
        db_path: the SQLite file; created with the demo data if missing.
        settings: full settings to use instead of the defaults (``db_path`` is then ignored).
        timeout: per-call timeout of the returned client.

    Returns:
        An ``AccessClient``; use it as ``async with client: ...``.
    """
    settings = settings or Settings.from_env(Path(db_path))
    app = create_app(settings)
    state = app.state.access
    now = settings.clock()
    seed(state.store, state.hasher, now)
    token = create_demo_token(state.store, now, name="embedded")
    transport = _EmbeddedTransport(app, close=state.close)
    return AccessClient(EMBEDDED_URL, token=token, timeout=timeout, transport=transport)


class _EmbeddedTransport(httpx.ASGITransport):
    """``ASGITransport`` that also stops the app's writer and KDF threads and closes its
    database when the client is closed (a server would do that at shutdown)."""

    def __init__(self, app: Any, *, close: Callable[[], None]) -> None:
        super().__init__(app=app)
        self._close = close

    async def aclose(self) -> None:
        await super().aclose()
        # Joins the writer after its last commit: quick, and nothing may be left queued.
        await asyncio.to_thread(self._close)
