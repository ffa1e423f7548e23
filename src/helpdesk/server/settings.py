"""Settings of the reference access API server, and the clocks it can run on."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpdesk.errors import ConfigError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand, so expiry rules are checked without sleeping.

    It starts at ``start`` (default: now) and only moves when ``advance`` is called.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or system_clock()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``burst`` requests at once, refilled at ``per_second``."""

    burst: int
    per_second: float


@dataclass
class Settings:
    """Everything the server needs; build one by hand or with :meth:`from_env`.

    Attributes:
        db_path: the database, created and migrated at start: a SQLite file path, or a
            ``postgresql://`` URL (then ``pin_pepper`` is required).
        pin_pepper: server-side secret mixed into every PIN hash. None: read
            HELPDESK_PIN_PEPPER, else a generated one stored beside the database.
        clock: the time source; tests inject a ManualClock.
        scrypt_n: scrypt cost of new PIN hashes (HELPDESK_PIN_SCRYPT_N); each hash
            records its own, so changing it never invalidates a stored PIN.
        write_limit / pin_limit: per-token rate limits for writes and PIN calls.
        max_body_bytes: larger request bodies are refused with 413.
        demo_endpoints: expose the failed-login simulation used by demos and tests
            (``serve --demo``, HELPDESK_ACCESS_DEMO=1); off by default.
        token_cache_seconds: how long a verified token is trusted without a lookup;
            a revoked token still reads for at most this long, and writes never.
        pool_size: PostgreSQL connections per worker.
    """

    db_path: Path | str
    pin_pepper: str | None = None
    clock: Clock = system_clock
    scrypt_n: int = 2**14
    write_limit: RateLimit = field(default_factory=lambda: RateLimit(burst=30, per_second=1.0))
    pin_limit: RateLimit = field(default_factory=lambda: RateLimit(burst=5, per_second=0.2))
    max_body_bytes: int = 16 * 1024
    demo_endpoints: bool = False
    lockout_threshold: int = 5
    lockout: timedelta = timedelta(minutes=59)
    code_lifetime: timedelta = timedelta(hours=24)
    token_cache_seconds: float = 1.0
    pool_size: int = 8

    @classmethod
    def from_env(cls, db_path: Path | str | None = None) -> Settings:
        """Settings from the environment.

        HELPDESK_ACCESS_DB (database), HELPDESK_PIN_PEPPER (PIN pepper),
        HELPDESK_ACCESS_WRITE_LIMIT and HELPDESK_ACCESS_PIN_LIMIT (``BURST/PER_SECOND``),
        HELPDESK_PIN_SCRYPT_N (a power of two).

        Raises:
            ConfigError: a limit or a scrypt cost that cannot be read.
        """
        path = db_path or os.environ.get("HELPDESK_ACCESS_DB") or Path("access-api.sqlite3")
        settings = cls(
            db_path=path,
            pin_pepper=os.environ.get("HELPDESK_PIN_PEPPER") or None,
            demo_endpoints=os.environ.get("HELPDESK_ACCESS_DEMO", "") == "1",
        )
        for name in ("write", "pin"):
            raw = os.environ.get(f"HELPDESK_ACCESS_{name.upper()}_LIMIT")
            if raw:
                setattr(settings, f"{name}_limit", _parse_limit(raw))
        raw_n = os.environ.get("HELPDESK_PIN_SCRYPT_N")
        if raw_n:
            settings.scrypt_n = _parse_scrypt_n(raw_n)
        return settings


def _parse_limit(raw: str) -> RateLimit:
    try:
        burst, per_second = raw.split("/")
        limit = RateLimit(burst=int(burst), per_second=float(per_second))
    except ValueError:
        limit = RateLimit(burst=0, per_second=0.0)
    if limit.burst < 1 or limit.per_second <= 0:
        raise ConfigError(f"rate limit {raw!r} must look like BURST/PER_SECOND, e.g. 30/1")
    return limit


def _parse_scrypt_n(raw: str) -> int:
    n = int(raw) if raw.strip().isdigit() else 0
    if n < 2 or n > 2**20 or n & (n - 1):
        raise ConfigError(
            f"HELPDESK_PIN_SCRYPT_N={raw!r} must be a power of two from 2 to 1048576, e.g. 1024"
        )
    return n
