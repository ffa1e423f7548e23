"""Per-client rate limits that remember no one.

A client is known only by ``sha256(day salt | address | user agent)``, truncated: the
salt is random, held in memory, and replaced at each UTC midnight, together with every
bucket, so yesterday's keys cannot be recomputed by anyone, the server included.
Nothing of it reaches the database (privacy-friendly analytics count visitors the
same way). The buckets live in this process: the service runs as one worker.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 100_000
"""Buckets kept at most; past it, full (idle) buckets are dropped first."""


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``burst`` requests at once, then ``per_second`` on average."""

    burst: int
    per_second: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"30/0.5"`` (burst 30, half a request per second).

        Raises:
            ValueError: not two positive numbers separated by ``/``.
        """
        burst_text, _, rate_text = text.partition("/")
        burst, rate = int(burst_text), float(rate_text)
        if burst < 1 or not rate > 0:
            raise ValueError("burst and rate must be positive")
        return cls(burst=burst, per_second=rate)


def _utc_day() -> int:
    """Days since the epoch, UTC: the salt's lifetime (cheaper than a date per request)."""
    return int(time.time() // 86400)


class ClientLimiter:
    """Token buckets by anonymous client key.

    Args:
        limit: the bucket shape.
        day: today's UTC day, any value that changes at midnight (tests pass their own).
        monotonic: the clock buckets refill on.
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        day: Callable[[], object] = _utc_day,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self._day_of = day
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._day: object = None
        self._salt = b""
        self._buckets: dict[bytes, tuple[float, float]] = {}

    def key(self, address: str, user_agent: str) -> bytes:
        """The client's key for today (also rotates the salt when the day changed)."""
        self._rotate()
        digest = hashlib.sha256(self._salt + address.encode() + b"\0" + user_agent.encode())
        return digest.digest()[:16]

    def _rotate(self) -> None:
        day = self._day_of()
        if day != self._day:
            with self._lock:
                if day != self._day:
                    self._day, self._salt = day, secrets.token_bytes(32)
                    self._buckets.clear()

    def take(self, address: str, user_agent: str) -> float:
        """Spend one request of this client's bucket.

        Returns:
            0 when allowed, else the seconds until the next request would be.
        """
        key = self.key(address, user_agent)
        now = self._monotonic()
        burst, rate = float(self.limit.burst), self.limit.per_second
        with self._lock:
            tokens, since = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - since) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            if len(self._buckets) >= MAX_CLIENTS and key not in self._buckets:
                self._prune(now)
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0

    def _prune(self, now: float) -> None:
        burst, rate = float(self.limit.burst), self.limit.per_second
        full = [k for k, (t, s) in self._buckets.items() if t + (now - s) * rate >= burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_CLIENTS:  # all busy: forget the oldest half
            for key in list(self._buckets)[: MAX_CLIENTS // 2]:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)
