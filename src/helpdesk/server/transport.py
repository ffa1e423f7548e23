"""One socket write per response instead of two.

uvicorn writes a response's status line and headers as soon as the app sends
``http.response.start``, and its body as a second write. On a loopback or LAN socket
each write is a ``sendto`` system call that runs the whole TCP send path, and under
load that second call was about a sixth of the server's CPU per request (py-spy over
``bench/access_api.py``). Here the writes a handler makes in one step of the event loop
are joined and sent once, when that step ends: a small JSON answer leaves in one
segment, as it would from nginx or Go's net/http, which buffer the headers.

The HTTP protocol is uvicorn's own httptools one (httptools is a dependency); only the
transport it writes to is wrapped, so parsing, keep-alive, pipelining and flow control
stay uvicorn's.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# A body streamed in many chunks within one loop step is not held in memory beyond
# this: the writes pass through, and the transport's own flow control applies again.
_HOLD_BYTES = 64 * 1024


class CoalescingTransport:
    """A transport whose writes within one event-loop step leave as one write.

    Everything but ``write`` and ``close`` is the wrapped transport's.
    """

    __slots__ = ("_held", "_held_bytes", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None
        self._held_bytes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is None:
            self._held = [bytes(data)]
            self._held_bytes = len(data)
            self._loop.call_soon(self.flush)
            return
        held.append(bytes(data))
        self._held_bytes += len(data)
        if self._held_bytes >= _HOLD_BYTES:
            self.flush()

    def flush(self) -> None:
        """Hand what is held to the socket's transport (nothing if nothing is)."""
        held, self._held = self._held, None
        if held:
            self._transport.write(b"".join(held))  # one item: the item itself, no copy

    def close(self) -> None:
        # A response written just before a close (``Connection: close``, a 400) still
        # leaves: the wrapped transport sends its buffer before it closes.
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through a ``CoalescingTransport``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # The flow control set up above keeps the real transport: pauses come from it.
        self.transport = CoalescingTransport(transport, self.loop)  # type: ignore[assignment]
