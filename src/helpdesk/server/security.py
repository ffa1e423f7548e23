"""Secrets: bearer tokens, PIN and activation-code hashing, the pepper, rate limits.

Tokens look like ``hdk_<token id>_<secret>``. Only a salted SHA-256 of the secret is
stored: the secret has 256 bits of entropy, so a fast hash is enough and keeps every
request cheap. PINs have only 10,000 values, so they get scrypt plus a pepper kept
outside the database: a stolen database alone does not give the PINs away.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.server.settings import RateLimit
from helpdesk.storage import Connection

if TYPE_CHECKING:
    from helpdesk.server.store import AccessStore

TOKEN_PREFIX = "hdk_"
_PIN_DENY_LIST = frozenset(
    {"1212", "1313", "2020", "6969", "1004", "2580", "0852", "1122", "1010", "2000", "4444"}
)


@dataclass(frozen=True)
class TokenInfo:
    """An authenticated caller: the token id (never the secret), its workspace, its scopes
    and when it expires (None: never)."""

    id: str
    workspace_id: str
    scopes: frozenset[str]
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


def _hash_secret(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def create_token(
    conn: Connection,
    *,
    workspace_id: str,
    scopes: list[str],
    name: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[str, str]:
    """Store a new token and return ``(token_id, token)``; the token is not kept."""
    token_id = "tok_" + secrets.token_hex(6)
    secret = secrets.token_hex(32)
    salt = secrets.token_hex(8)
    conn.execute(
        "INSERT INTO tokens (id, workspace_id, name, scopes, salt, secret_hash, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            token_id,
            workspace_id,
            name,
            json.dumps(sorted(set(scopes))),
            salt,
            _hash_secret(salt, secret),
            now.isoformat(),
            None if expires_at is None else expires_at.isoformat(),
        ),
    )
    return token_id, f"{TOKEN_PREFIX}{token_id}_{secret}"


def verify_token(conn: Connection, token: str) -> TokenInfo | None:
    """The token's identity, or None when it is malformed, unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    # "tok_" + 12 hex digits, "_", then the secret.
    rest = token[len(TOKEN_PREFIX) :]
    token_id, sep, secret = rest[:16], rest[16:17], rest[17:]
    if sep != "_" or not token_id.startswith("tok_") or not secret:
        return None
    row = conn.execute(
        "SELECT workspace_id, scopes, salt, secret_hash, expires_at FROM tokens"
        " WHERE id = ? AND revoked_at IS NULL",
        (token_id,),
    ).fetchone()
    if row is None:
        return None
    if not hmac.compare_digest(_hash_secret(row["salt"], secret), row["secret_hash"]):
        return None
    expires = row["expires_at"]
    return TokenInfo(
        token_id,
        row["workspace_id"],
        frozenset(json.loads(row["scopes"])),
        None if expires is None else datetime.fromisoformat(expires),
    )


def token_active(conn: Connection, token_id: str, now: datetime) -> bool:
    """Whether the token still exists unrevoked and unexpired (every write asks again)."""
    row = conn.execute(
        "SELECT 1 FROM tokens WHERE id = ? AND revoked_at IS NULL"
        " AND (expires_at IS NULL OR expires_at > ?)",
        (token_id, now.isoformat()),
    ).fetchone()
    return row is not None


class TokenCache:
    """Verified tokens, remembered for ``ttl`` seconds so most requests skip the lookup.

    Only successes are kept (a token created a moment ago works at once; a wrong one
    costs a lookup every time), keyed by a hash of the token so no secret lingers.
    A revocation reaches reads within ``ttl``; writes never wait for it, because every
    write transaction checks the token again (``token_active``). The monotonic clock:
    tests that move the domain clock must not age entries by accident.
    """

    def __init__(self, ttl: float = 1.0, max_entries: int = 1024) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[TokenInfo, float]] = {}

    def forget(self, token_id: str) -> None:
        """Drop a token known to be revoked, so its reads stop now, not within ``ttl``."""
        for key, (info, _) in list(self._entries.items()):
            if info.id == token_id:
                self._entries.pop(key, None)

    def cached(self, token: str) -> TokenInfo | None:
        """The token's identity if it was verified less than ``ttl`` ago."""
        hit = self._entries.get(hashlib.sha256(token.encode()).digest())
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        return None

    def remember(self, token: str, info: TokenInfo | None) -> None:
        key = hashlib.sha256(token.encode()).digest()
        if info is None:
            self._entries.pop(key, None)
        elif self.ttl > 0:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # rare (few tokens exist); bounded memory either way
            self._entries[key] = (info, time.monotonic() + self.ttl)

    def verify(self, conn: Connection, token: str) -> TokenInfo | None:
        hit = self.cached(token)
        if hit is not None:
            return hit
        info = verify_token(conn, token)
        self.remember(token, info)
        return info


# ---------------------------------------------------------------- PINs


def pin_weakness(pin: str) -> str | None:
    """Why ``pin`` is too easy to guess, or None when it is acceptable."""
    if len(set(pin)) == 1:
        return "a PIN of one repeated digit is too easy to guess"
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps == {1}:
        return "an ascending run of digits is too easy to guess"
    if steps == {9}:
        return "a descending run of digits is too easy to guess"
    if pin in _PIN_DENY_LIST:
        return "this PIN is on the list of commonly used PINs"
    return None


def generate_pin() -> str:
    """A random acceptable PIN (weak ones are drawn again)."""
    while True:
        pin = f"{secrets.randbelow(10_000):04d}"
        if pin_weakness(pin) is None:
            return pin


class PinHasher:
    """scrypt(HMAC(pepper, pin), salt); the stored form names its parameters."""

    def __init__(self, pepper: str, n: int = 2**14) -> None:
        self._pepper = pepper.encode()
        self._n = n

    def _derive(self, pin: str, salt: bytes, n: int) -> bytes:
        keyed = hmac.new(self._pepper, pin.encode(), hashlib.sha256).digest()
        return hashlib.scrypt(keyed, salt=salt, n=n, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)

    def chain_key(self) -> bytes:
        """The key of the audit chain's HMACs, derived from the pepper."""
        return hmac.new(self._pepper, b"helpdesk audit chain v1", hashlib.sha256).digest()

    def keyed(self, secret: str | None) -> str | None:
        """A peppered HMAC of a short secret, for fingerprints that must not reveal it."""
        if secret is None:
            return None
        return hmac.new(self._pepper, secret.encode(), hashlib.sha256).hexdigest()

    def hash(self, pin: str) -> str:
        salt = os.urandom(16)
        return f"scrypt${self._n}${salt.hex()}${self._derive(pin, salt, self._n).hex()}"

    def verify(self, pin: str, stored: str) -> bool:
        _, n, salt, digest = stored.split("$")
        return hmac.compare_digest(self._derive(pin, bytes.fromhex(salt), int(n)).hex(), digest)

    def __repr__(self) -> str:  # never show the pepper in a traceback or a log
        return f"PinHasher(n={self._n})"


def load_pepper(configured: str | None, store: AccessStore) -> str:
    """The configured pepper, else the one stored beside the SQLite file (created once)."""
    if configured:
        return configured
    db_path = Path(store.describe())
    path = db_path.with_name(db_path.name + ".pepper")
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pepper = secrets.token_urlsafe(32)
    # O_EXCL: two servers starting at once must not overwrite each other's pepper.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(pepper)
    return pepper


# ------------------------------------------------------- activation codes


def generate_activation_code(hasher: PinHasher) -> tuple[str, str]:
    """``(code, hash)``: 10 characters from an alphabet without look-alikes."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(10))
    return code, hash_activation_code(hasher, code)


def hash_activation_code(hasher: PinHasher, code: str) -> str:
    """The stored form of a code: an HMAC with the server's pepper (``hmac-sha256$…``).

    A code has about 49 bits and lives a day; a fast keyed hash is enough, and it must
    stay a lookup key (the device sends only the code). Without the pepper a stolen
    database gives no way to test guesses offline.
    """
    keyed = hasher.keyed(code.strip().upper())
    assert keyed is not None
    return "hmac-sha256$" + keyed


# ---------------------------------------------------------- rate limits


class RateLimiter:
    """Token buckets per (token, class); the monotonic clock, so tests of expiry rules
    that move the domain clock do not refill buckets by accident."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: tuple[str, str], limit: RateLimit) -> float:
        """Take one request; returns 0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - last) * limit.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return max(1.0, math.ceil((1.0 - tokens) / limit.per_second))

    async def take(self, key: tuple[str, str], limit: RateLimit) -> float:
        return self.acquire(key, limit)


class SharedRateLimiter:
    """The same token buckets, kept in the database so that every worker draws on one
    bucket per (token, class): a limit of 30 is 30 whatever the number of workers.

    One short transaction per limited request; the bucket's row is locked with
    ``FOR UPDATE`` (PostgreSQL only, where several processes serve), and times are the
    wall clock, the one clock all workers share.
    """

    def __init__(self, store: AccessStore) -> None:
        self._store = store

    async def take(self, key: tuple[str, str], limit: RateLimit) -> float:
        token_id, kind = key

        def job(conn: Connection) -> float:
            now = time.time()
            conn.execute(
                "INSERT INTO rate_limits (token_id, class, tokens, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (token_id, kind, float(limit.burst), now),
            )
            row = conn.execute(
                "SELECT tokens, updated FROM rate_limits WHERE token_id = ? AND class = ?"
                " FOR UPDATE",
                (token_id, kind),
            ).fetchone()
            elapsed = max(0.0, now - float(row["updated"]))
            tokens = min(float(limit.burst), float(row["tokens"]) + elapsed * limit.per_second)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = max(1.0, math.ceil((1.0 - tokens) / limit.per_second))
            conn.execute(
                "UPDATE rate_limits SET tokens = ?, updated = ? WHERE token_id = ? AND class = ?",
                (tokens, now, token_id, kind),
            )
            return wait

        return await self._store.run(job)
