"""Run the access API on loopback for tests, benchmarks and the ``serve`` command.

``LiveServer`` runs uvicorn in a background thread of this process (the test
fixtures and the benchmark use it); ``serve`` runs it in the foreground.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from helpdesk.errors import ConfigError
from helpdesk.server.app import create_app
from helpdesk.server.settings import Settings
from helpdesk.server.transport import CoalescingHttpProtocol


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


# asyncio's own event loop, not uvloop: libuv accepts one connection per loop iteration
# (libuv/libuv#3696), and under load an iteration runs every ready request, so 64 clients
# connecting at once waited up to 1.7 s to be accepted (the p99 of bench/access_api.py;
# the handlers themselves never took 11 ms). asyncio accepts every waiting connection at
# once, at the same CPU time per request.
EVENT_LOOP = "asyncio"


# uvicorn's access log prints query strings; our middleware logs one safe line instead.
# The HTTP protocol is uvicorn's httptools one, writing each response once (transport.py).
_UVICORN_OPTIONS: dict[str, Any] = {
    "access_log": False,
    # uvicorn's own loggers keep no handler of theirs: their records reach the root's
    # (``configure_logging``), one JSON line each like every other.
    "log_config": None,
    "log_level": "warning",
    "loop": EVENT_LOOP,
    "http": CoalescingHttpProtocol,
}


def uvicorn_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, lifespan="off", **_UVICORN_OPTIONS)


class LiveServer:
    """uvicorn on 127.0.0.1 in a thread; a context manager with a bounded startup wait.

    Attributes:
        app: the FastAPI app (its ``state.access`` holds settings and store).
        base_url: ``http://127.0.0.1:<port>``.
    """

    def __init__(
        self, settings: Settings, *, app: FastAPI | None = None, startup_timeout: float = 10.0
    ) -> None:
        self.settings = settings
        self.app = app if app is not None else create_app(settings)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn_config(self.app, "127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._server.run, name="access-api", daemon=True)
        self._startup_timeout = startup_timeout

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the access API did not start in time")
            time.sleep(0.02)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.app.state.access.close()


class _PortReservation(socket.socket):
    """The supervisor's socket for ``serve --workers N``: bound, never listening.

    uvicorn hands one socket list to every worker it starts (at start, after a crash, on
    SIGHUP or SIGTTIN). Sharing one listening socket, the worker whose loop wakes first
    accepts every waiting connection (asyncio accepts them all at once): under 64
    connections one worker of two did over 95% of the work. So what a worker receives
    of this socket is not a copy: unpickling it, as the spawned worker does, binds a
    listening socket of the worker's own to the same address with SO_REUSEPORT, and
    the kernel spreads new connections over the workers' sockets. This one holds the
    port, so a port already taken is one error in the supervisor, and it never
    listens, so it takes no connection nobody would accept.
    """

    def __reduce_ex__(self, protocol: object) -> tuple[Any, tuple[Any, ...]]:
        return (_worker_listener, (self.family, self.getsockname()))


def _share_port(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)


def _worker_listener(family: int, address: tuple[Any, ...]) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    _share_port(sock)
    sock.bind(address)
    return sock


@contextlib.contextmanager
def reserve_port(host: str, port: int) -> Iterator[_PortReservation]:
    """The address the workers will share, bound for the supervisor's lifetime.

    Raises:
        ConfigError: the address cannot be bound (taken, or not this machine's).
    """
    with _bound(host, port, _PortReservation, shared=True) as sock:
        yield sock


@contextlib.contextmanager
def bound_socket(host: str, port: int) -> Iterator[socket.socket]:
    """The one worker's socket, bound before anything says it listens.

    Raises:
        ConfigError: the address cannot be bound (taken, or not this machine's).
    """
    with _bound(host, port, socket.socket, shared=False) as sock:
        yield sock


_S = TypeVar("_S", bound=socket.socket)


@contextlib.contextmanager
def _bound(host: str, port: int, kind: type[_S], *, shared: bool) -> Iterator[_S]:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = kind(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if shared:
            # SO_REUSEPORT alone would let a second `serve --workers` of the same user
            # join this port's group and silently take half of its connections: a first
            # bind without it fails on any socket listening there.
            with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
            _share_port(sock)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc};"
            " choose another --port or stop what holds it"
        ) from None
    try:
        yield sock
    finally:
        sock.close()


class JsonLines(logging.Formatter):
    """Every record as one JSON line, so that an operator's pipeline can read stderr as
    JSON lines whatever wrote to it.

    The request lines and the store's are JSON already and pass as they are (the hot
    path: one check). Anything else (uvicorn, psycopg's pool retrying a lost server, the
    app's own errors) becomes ``{"event": "log", "level", "logger", "message", "worker"}``,
    a traceback (rare) folded into the line as ``"error"``.
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.msg
        if not record.args and isinstance(message, str) and message.startswith("{"):
            return message
        line: dict[str, Any] = {
            "event": "log",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "worker": os.getpid(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line)


def configure_logging() -> None:
    """One JSON line per record on stderr, made as cheaply as the logging module allows."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    # The line carries what it needs; skip the caller lookup and the thread/process
    # names every record would otherwise compute (the logging HOWTO's "Optimization").
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def _ready(app: FastAPI) -> FastAPI:
    # Everything built so far (modules, the app, its compiled validators) lives as long
    # as the process. Frozen, the collector stops walking it: a full collection under
    # load took ~40 ms with it and ~10 ms without, which showed as the p99 latency.
    gc.collect()
    gc.freeze()
    return app


def app_from_env() -> FastAPI:
    """The app factory each worker of ``serve --workers N`` calls: settings from the
    environment (HELPDESK_ACCESS_DB and the rest, which ``serve`` sets for them)."""
    configure_logging()
    return _ready(create_app(Settings.from_env()))


def serve(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8765, workers: int = 1
) -> None:
    """Serve in the foreground until interrupted; one JSON log line per request.

    With ``workers`` > 1, uvicorn starts that many processes over ``app_from_env``; the
    caller has put the settings in the environment. Only a shared store (PostgreSQL)
    may be served by several processes.

    Raises:
        ConfigError: several workers over a SQLite file, or an address the workers
            cannot listen on.
    """
    if workers > 1:
        from helpdesk.storage import SqliteTarget, parse_target

        if isinstance(parse_target(settings.db_path), SqliteTarget):
            raise ConfigError(
                f"--workers {workers} needs a PostgreSQL database (--db postgresql://…):"
                " a SQLite file is served by one process, whose single writer keeps every"
                " write, rate limit and audit record consistent"
            )
        # Once here, before any worker: a bad setting stops the command with its message
        # (not N crashing workers), and the migrations are applied before they start.
        create_app(settings).state.access.close()
        configure_logging()
        config = uvicorn.Config(
            "helpdesk.server.live:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            lifespan="on",
            **_UVICORN_OPTIONS,
        )
        with reserve_port(host, port) as reservation, contextlib.suppress(KeyboardInterrupt):
            _log_listening(settings, host, port, workers)
            Multiprocess(config, sockets=[reservation]).run()
        return
    configure_logging()
    app = _ready(create_app(settings))
    config = uvicorn_config(app, host, port)
    config.lifespan = "on"  # closes the store (and a PostgreSQL pool) at shutdown
    with bound_socket(host, port) as sock:
        _log_listening(settings, host, port, workers)
        uvicorn.Server(config).run(sockets=[sock])


def _log_listening(settings: Settings, host: str, port: int, workers: int) -> None:
    """The first line an operator sees: where it listens and which database it serves
    (uvicorn's own "running on" line is below the log level kept)."""
    from helpdesk.storage import parse_target

    database = parse_target(settings.db_path).describe()  # never a password
    logging.getLogger("helpdesk.access_api").info(
        json.dumps(
            {"event": "listening", "host": host, "port": port, "workers": workers,
             "database": database}
        )
    )  # fmt: skip
