"""Which access API the agent talks to: the embedded demo, or a server at a URL.

Opening a connection is I/O (and, for the embedded API, importing FastAPI and
creating or migrating a SQLite database), so the app calls ``open_client`` from a
worker after the first screen is up; nothing here imports the server at module
import time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from helpdesk.errors import ConfigError

if TYPE_CHECKING:
    import httpx

    from helpdesk.access.client import AccessClient

EMBEDDED_LABEL = "demo workspace (embedded)"
ClientFactory = Callable[[], Awaitable["AccessClient"]]
"""Makes a ready client; tests pass their own (a failing transport, a manual clock)."""


@dataclass(frozen=True)
class Connection:
    """Where the access API is and how to reach it.

    Attributes:
        api_url: a server URL, or None for the embedded demo workspace.
        token: the bearer token for ``api_url`` (unused when embedded: a demo token
            is minted at every start and never leaves the process).
        db_path: the embedded database (in the user's data folder).
        timeout: seconds allowed per call.
        transport: an httpx transport for ``api_url`` (tests only).
    """

    api_url: str | None
    token: str | None = None
    db_path: Path | None = None
    timeout: float = 10.0
    transport: httpx.AsyncBaseTransport | None = None

    @property
    def embedded(self) -> bool:
        return self.api_url is None

    @property
    def label(self) -> str:
        """What the header says; never the token."""
        if self.api_url is None:
            return EMBEDDED_LABEL
        parts = urlsplit(self.api_url)
        return f"{parts.netloc or self.api_url}{parts.path.rstrip('/')}"

    def with_token(self, token: str) -> Connection:
        return Connection(self.api_url, token, self.db_path, self.timeout, self.transport)

    async def open_client(self) -> AccessClient:
        """A client ready to use (the caller closes it).

        Raises:
            ConfigError: a URL without a token.
        """
        if self.api_url is None:
            import asyncio

            from helpdesk.server.embedded import open_embedded_client

            if self.db_path is None:
                raise ConfigError("the embedded access API needs a database path")
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            # Creating the app, migrating and seeding touch SQLite: keep it off the UI loop.
            return await asyncio.to_thread(open_embedded_client, self.db_path, timeout=self.timeout)
        if not self.token:
            raise ConfigError(
                "no token for the access API: pass --token, set HELPDESK_TOKEN or add "
                "'token' to the config file"
            )
        from helpdesk.access.client import AccessClient

        return AccessClient(
            self.api_url, token=self.token, timeout=self.timeout, transport=self.transport
        )


def resolve_connection(
    *,
    api_url: str | None,
    token: str | None,
    config_url: str | None,
    config_token: str | None,
    env_token: str | None,
    data_dir: Path,
    timeout: float = 10.0,
) -> Connection:
    """Options first, then the environment, then the config file.

    The token comes from ``--token``, then ``HELPDESK_TOKEN``, then the config file;
    with no URL anywhere the embedded API runs on ``data_dir/access-api.sqlite3``.
    """
    url = api_url or config_url
    if url is None:
        return Connection(None, db_path=data_dir / "access-api.sqlite3", timeout=timeout)
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"--api-url must start with http:// or https:// (got {url!r})")
    return Connection(url, token or env_token or config_token, timeout=timeout)
