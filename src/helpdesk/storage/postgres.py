"""The PostgreSQL backend: psycopg 3 with its connection pool.

SQL arrives written for both backends, with ``?`` placeholders; ``to_pg`` turns them
into psycopg's ``%s`` once per distinct statement (a cached translation), and rows are
dicts. Connections are autocommit; ``transaction()`` wraps a block in BEGIN/COMMIT.
psycopg prepares a statement on the server after it has run a few times on a
connection, so the hot queries are parsed once per pooled connection.

Migrations take ``pg_advisory_xact_lock`` first: DDL is transactional on PostgreSQL,
so the whole set is applied in one transaction by whichever process gets the lock,
and the rest wait and then find nothing left to do.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from helpdesk.errors import StorageError
from helpdesk.storage.migrations import Migration, apply_pending
from helpdesk.storage.target import PostgresTarget
from helpdesk.storage.types import Cursor

# pg_advisory_xact_lock key of every helpdesk migration ("hdmigrat" as a number).
MIGRATION_LOCK = 0x68646D6967726174
# The longest a caller waits for a pooled connection (psycopg_pool's default is 30 s).
# Busy pools hand one over in milliseconds; a wait this long means the server is down or
# unreachable, and the caller is told so (an OperationalError) before an HTTP client's
# own timeout (the access client's is 10 s) turns it into a silent hang.
POOL_WAIT_SECONDS = 5.0
# Seconds to establish a new connection: a host that drops packets fails instead of
# holding a pool's background worker for as long as the kernel retries.
CONNECT_TIMEOUT_SECONDS = 5
# Every connection's settings: autocommit (a transaction is asked for), rows as dicts.
_CONNECTION: dict[str, Any] = {
    "autocommit": True,
    "row_factory": dict_row,
    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
}


@functools.lru_cache(maxsize=1024)
def to_pg(sql: str) -> str:
    """``?`` placeholders to ``%s`` (and a literal ``%`` to ``%%``), outside quotes."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


class PgConnection:
    """A pooled psycopg connection that takes SQL written with ``?`` placeholders."""

    __slots__ = ("_cursor", "raw")

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        self._cursor: psycopg.Cursor[Any] | None = None

    def fetch_one(self, sql: str, parameters: Sequence[Any], /) -> Any:
        """The first row of ``sql``, or None, on a cursor this connection keeps for it.

        ``execute`` makes a cursor per statement because its caller may hold the result;
        here nothing escapes but the row, so one cursor serves every call, and the
        connection that answers a server's reads one after another saves a sixth of each
        indexed read's CPU (measured in bench/access_api.py's access-check).
        """
        cursor = self._cursor
        if cursor is None or cursor.closed:
            cursor = self._cursor = self.raw.cursor()
        return cursor.execute(to_pg(sql), parameters).fetchone()  # type: ignore[arg-type]

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        if parameters:
            return self.raw.execute(to_pg(sql), parameters)  # type: ignore[arg-type]
        # Without parameters: sent as written (a migration script may hold several
        # statements, which only the simple query protocol accepts).
        return self.raw.execute(sql.encode(), prepare=False)


class PostgresDatabase:
    """A PostgreSQL database through a pool of ``min_size``..``max_size`` connections.

    Attributes:
        target: the URL it was opened with.
        dialect: ``"postgresql"``.
    """

    dialect = "postgresql"

    def __init__(self, target: PostgresTarget, *, min_size: int = 1, max_size: int = 8) -> None:
        self.target = target
        self._pool = ConnectionPool(
            target.url,
            min_size=min_size,
            max_size=max_size,
            kwargs=_CONNECTION,
            timeout=POOL_WAIT_SECONDS,
            open=False,
            name="helpdesk",
        )
        try:
            # One connection first: a refused one or a wrong password is said at once, in
            # libpq's words. The pool would retry it for 10 s, logging each attempt.
            psycopg.connect(target.url, **_CONNECTION).close()
            self._pool.open(wait=True, timeout=10.0)
        except psycopg.Error as exc:  # PoolTimeout is an OperationalError too
            self._pool.close()
            reason = " ".join(str(exc).split())
            raise StorageError(
                f"cannot connect to PostgreSQL at {target.describe()}: {reason}"
            ) from exc

    def describe(self) -> str:
        return self.target.describe()

    @contextmanager
    def connection(self) -> Iterator[PgConnection]:
        """A pooled connection for reads (autocommit: each statement sees the latest)."""
        with self._pool.connection() as raw:
            yield PgConnection(raw)

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """A write transaction (READ COMMITTED): commits on success, else rolls back."""
        with self._pool.connection() as raw, raw.transaction():
            yield PgConnection(raw)

    def connect(self, *, statement_timeout_ms: int) -> PgConnection:
        """A connection of its own, outside the pool (autocommit, dict rows), whose
        statements are cancelled by the server after ``statement_timeout_ms``.

        Raises:
            psycopg.OperationalError: the server cannot be reached.
        """
        raw = psycopg.connect(
            self.target.url,
            **_CONNECTION,
            options=f"-c statement_timeout={int(statement_timeout_ms)}",
        )
        return PgConnection(raw)

    def migrate(
        self, component: str, migrations: Sequence[Migration], *, adopt_user_version: bool = False
    ) -> int:
        """Apply ``component``'s pending migrations under the advisory lock.

        ``adopt_user_version`` is accepted for symmetry with SQLite and has no effect.
        """
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            return apply_pending(conn, "postgresql", component, migrations)

    def close(self) -> None:
        self._pool.close()
