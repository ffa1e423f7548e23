"""Request ids, one structured log line per request, and the request size limit.

Plain ASGI middleware (no BaseHTTPMiddleware) so streaming and background tasks
keep working and the cost per request stays small.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.server.problems import ApiProblem, problem_response

log = logging.getLogger("helpdesk.access_api")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(Exception):
    """The request body passed ``max_body_bytes``; answered with 413."""


class RequestContext:
    """Gives every request an id, echoes it in X-Request-Id and logs one line for it."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Which process answered: with `serve --workers N` an operator can see the load
        # spread (the app is built in each worker, so this is the worker's own pid).
        self.worker = os.getpid()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming, length = _headers(scope)
        # A caller's id is reused only when it is harmless to log and echo.
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else _new_id()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        too_large = length is not None and length.isdigit() and int(length) > self.max_body_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if too_large:
                # Refused before anything reads it: a huge body costs us nothing.
                problem = ApiProblem(
                    413,
                    "payload-too-large",
                    f"Request bodies are limited to {self.max_body_bytes} bytes.",
                ).to_problem(instance=scope["path"], request_id=request_id)
                await problem_response(problem)(scope, receive, send_with_id)
                return
            await self.app(scope, limited_receive, send_with_id)
        finally:
            token = state.get("token")
            # Path only: query strings can carry emails, and nothing here may carry a secret.
            log.info(
                json.dumps(
                    {
                        "event": "request",
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "token_id": getattr(token, "id", None),
                        "worker": self.worker,
                    }
                )
            )


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    """The request's ``X-Request-Id`` and ``Content-Length`` (one pass over the headers)."""
    request_id = length = None
    for key, value in scope.get("headers", []):
        if key == b"x-request-id" and request_id is None:
            request_id = bytes(value).decode("latin-1")
        elif key == b"content-length" and length is None:
            length = bytes(value).decode("latin-1")
    return request_id, length


# A random prefix per process and a counter: unique without a system call per request
# (request ids identify, they are not secrets).
_ID_PREFIX = "req_" + secrets.token_hex(4)
_ID_COUNTER = itertools.count(1)


def _new_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):08x}"
