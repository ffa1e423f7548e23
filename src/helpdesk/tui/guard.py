"""An access client wrapper that keeps service trouble out of the tree's logic.

The engine treats every ``APIStatusError`` as the API refusing the call and follows
the node's ``on_error`` edge (or ends the walk). That is right for "no such user"
(404) or "state does not allow it" (409/422), but wrong for a refused token (401),
a missing scope (403), a rate limit (429) or a server failure (5xx): those say
nothing about the caller's account, and the agent can fix them (new token, wait,
retry). This adapter re-raises them as ``ServiceInterrupted`` — a ``TransportError``,
which the engine lets through and which leaves the session where it was — so the
app can show the right dialog and retry the very same step (with the same
idempotency key for a write).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from helpdesk.errors import (
    APIStatusError,
    Forbidden,
    RateLimited,
    TransportError,
    Unauthorized,
    Unavailable,
)

_INTERRUPTING = (Unauthorized, Forbidden, RateLimited, Unavailable)


class ServiceInterrupted(TransportError):
    """The access API could not serve the call right now; ``cause`` says why."""

    def __init__(self, cause: APIStatusError) -> None:
        super().__init__(str(cause), request=cause.request)
        self.cause = cause


class GuardedClient:
    """Proxies an ``AccessClient``; its coroutine methods raise ``ServiceInterrupted``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @property
    def wrapped(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name.startswith("_") or not callable(attr):
            return attr

        @functools.wraps(attr)
        async def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return await attr(*args, **kwargs)
            except _INTERRUPTING as exc:
                raise ServiceInterrupted(exc) from exc

        return call


def unwrap(exc: BaseException) -> BaseException:
    """The error to advise on: the cause of an interruption, else the error itself."""
    return exc.cause if isinstance(exc, ServiceInterrupted) else exc


Step = Callable[[], Awaitable[Any]]
"""One engine call, re-runnable for a retry."""
