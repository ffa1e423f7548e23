"""Run the feedback service: in the foreground (``feedback serve``) or, for tests and
the benchmark, in a background thread on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from helpdesk.feedback.app import FeedbackService, create_app
from helpdesk.feedback.settings import FeedbackSettings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    # No access log: it would print every reader's address, which this service keeps
    # nowhere. Lifespan on: it starts and stops the writer thread.
    return uvicorn.Config(
        app, host=host, port=port, access_log=False, log_level="warning", lifespan="on"
    )


class LiveFeedback:
    """The service on 127.0.0.1 in a thread; a context manager with a bounded start wait."""

    def __init__(
        self, settings: FeedbackSettings, *, app: FastAPI | None = None, port: int | None = None
    ) -> None:
        self.app = app if app is not None else create_app(settings)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base_url}/v1/feedback"
        self._server = uvicorn.Server(_config(self.app, "127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._server.run, name="feedback", daemon=True)

    @property
    def service(self) -> FeedbackService:
        service: FeedbackService = self.app.state.feedback
        return service

    def __enter__(self) -> LiveFeedback:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the feedback service did not start in time")
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


def serve(settings: FeedbackSettings, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve in the foreground until interrupted."""
    import gc

    app = create_app(settings)
    gc.collect()
    gc.freeze()  # start-up objects live as long as the process; spare the collector them
    uvicorn.Server(_config(app, host, port)).run()
