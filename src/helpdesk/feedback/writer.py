"""The service's one writer: accepted items wait in a bounded queue and are committed
in batches by a thread, so a request is answered (202) without waiting for the disk.

202 means exactly this: accepted, stored a moment later. Under load a commit carries
every item that arrived during the previous one; stopping the writer commits what is
still queued before it returns.
"""

from __future__ import annotations

import logging
import queue
import threading

from helpdesk.errors import StorageError
from helpdesk.feedback.records import Received
from helpdesk.feedback.store import FeedbackStore

MAX_PENDING = 10_000
"""Items waiting at most; past it the service answers 503 (overloaded) until it drains."""
MAX_BATCH = 500

log = logging.getLogger("helpdesk.feedback")
_STOP = object()


class Overloaded(Exception):
    """The queue is full: the database is not keeping up."""


class BatchWriter:
    """Commits queued items to ``store`` from a background thread."""

    def __init__(self, store: FeedbackStore, *, max_pending: int = MAX_PENDING) -> None:
        self.store = store
        self._queue: queue.Queue[Received | object] = queue.Queue(maxsize=max_pending)
        self._thread = threading.Thread(target=self._run, name="feedback-writer", daemon=True)
        self._idle = threading.Condition()
        self._in_flight = 0
        self.failed_batches = 0

    def start(self) -> None:
        self._thread.start()

    def put(self, item: Received) -> None:
        """Queue one item.

        Raises:
            Overloaded: the queue is full.
        """
        with self._idle:
            self._in_flight += 1
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._done(1)
            raise Overloaded from None

    def _done(self, count: int) -> None:
        with self._idle:
            self._in_flight -= count
            if self._in_flight == 0:
                self._idle.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is committed (tests and shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then end the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch: list[Received] = []
            stop = first is _STOP
            if not stop:
                batch.append(first)  # type: ignore[arg-type]
            while len(batch) < MAX_BATCH and not stop:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                else:
                    batch.append(item)  # type: ignore[arg-type]
            if batch:
                self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[Received]) -> None:
        try:
            self.store.add(batch)
        except StorageError as exc:
            # The readers were answered already; say loudly that these are lost.
            self.failed_batches += 1
            log.error("feedback: could not store %d item(s): %s", len(batch), exc)
        finally:
            self._done(len(batch))
