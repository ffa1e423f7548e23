"""The server writes each response to its socket once, and nothing is lost or reordered
by holding the writes: pipelined requests, a close after the answer, a large body."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from helpdesk.server.live import free_port, uvicorn_config
from helpdesk.server.transport import CoalescingHttpProtocol, CoalescingTransport


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


async def _next_step() -> None:
    await asyncio.sleep(0)


async def test_writes_in_one_step_leave_as_one_write_when_the_step_ends() -> None:
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(b'{"ok":true}')
    assert raw.writes == []
    await _next_step()
    assert raw.writes == [b'HTTP/1.1 200 OK\r\n\r\n{"ok":true}']
    transport.write(b"next")
    await _next_step()
    assert raw.writes[1:] == [b"next"]


async def test_a_close_sends_what_is_held_first() -> None:
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    transport.close()
    assert raw.writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"] and raw.closed
    await _next_step()  # the scheduled flush finds nothing left to send
    assert len(raw.writes) == 1


async def test_a_long_body_in_one_step_is_not_held_in_memory() -> None:
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    chunk = b"x" * 16384
    for _ in range(10):
        transport.write(chunk)
    # Passed on every 64 KiB, then the rest when the step ends, in order.
    assert [len(w) for w in raw.writes] == [65536, 65536]
    await _next_step()
    assert b"".join(raw.writes) == chunk * 10


async def test_everything_else_is_the_wrapped_transports() -> None:
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    assert transport.is_closing() is False
    with pytest.raises(AttributeError):
        transport.no_such_method  # noqa: B018


# -- over a real socket --------------------------------------------------------------

_RAW_WRITES: list[int] = []


class CountingProtocol(CoalescingHttpProtocol):
    """Counts the writes that reach the socket's transport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        write = transport.write

        def counted(data: Any) -> None:
            _RAW_WRITES.append(len(data))
            write(data)

        transport.write = counted  # type: ignore[method-assign]
        super().connection_made(transport)


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/small")
    async def small() -> dict[str, object]:
        return {"ok": True, "items": list(range(20))}

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for n in range(200):
                yield bytes([65 + n % 26]) * 10_000
                if n % 50 == 0:
                    await asyncio.sleep(0)

        return StreamingResponse(body(), media_type="application/octet-stream")

    return app


@pytest.fixture
def live() -> Iterator[int]:
    port = free_port()
    config = uvicorn_config(_app(), "127.0.0.1", port)
    config.http = CountingProtocol
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _exchange(port: int, request: bytes, *, until: bytes | None = None) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while until is None or received.count(until) < 1:
            data = sock.recv(65536)
            if not data:
                break
            received += data
        return received


def test_a_json_answer_leaves_in_one_write(live: int) -> None:
    _RAW_WRITES.clear()
    answer = _exchange(live, b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and body.startswith(b'{"ok":true')
    assert [len(answer)] == _RAW_WRITES


def test_pipelined_requests_get_their_answers_in_order(live: int) -> None:
    request = b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n"
    close = b"GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = _exchange(live, request * 3 + close)
    statuses = re.findall(rb"HTTP/1\.1 \d{3} [A-Za-z ]+", answer)
    assert statuses == [b"HTTP/1.1 200 OK"] * 3 + [b"HTTP/1.1 404 Not Found"]


def test_a_streamed_body_arrives_whole_and_in_order(live: int) -> None:
    answer = _exchange(live, b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    _, _, chunked = answer.partition(b"\r\n\r\n")
    body, rest = b"", chunked
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        body, rest = body + rest[:size], rest[size + 2 :]
    assert body == b"".join(bytes([65 + n % 26]) * 10_000 for n in range(200))


def test_a_malformed_request_still_gets_its_400_before_the_close(live: int) -> None:
    answer = _exchange(live, b"GET /small HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")
