"""One storage seam for helpdesk's services: SQLite by default, PostgreSQL when asked.

A service names its database with a file path or a ``postgresql://`` URL (a URL is
never taken for a file name), lists its numbered migrations, and reads and writes
through a connection whose SQL is written once for both backends::

    from helpdesk.storage import Migration, open_database

    MIGRATIONS = (
        Migration(1, "votes", sql=\"\"\"
            CREATE TABLE votes (article TEXT NOT NULL, lang TEXT NOT NULL,
                                helpful INTEGER NOT NULL, at TEXT NOT NULL)
        \"\"\"),
        # When the backends differ, one script each:
        Migration(2, "an id", sqlite="ALTER TABLE votes ADD COLUMN id INTEGER",
                  postgresql="ALTER TABLE votes ADD COLUMN id BIGSERIAL"),
    )

    db = open_database(os.environ.get("HELPDESK_FEEDBACK_DB", "feedback.sqlite3"))
    db.migrate("feedback", MIGRATIONS)          # once, under a lock, however many start
    with db.transaction() as conn:              # commits, or rolls back on an exception
        conn.execute("INSERT INTO votes VALUES (?, ?, ?, ?)", ("pin", "it", 1, now))
    with db.connection() as conn:               # reads
        rows = conn.execute("SELECT count(*) AS n FROM votes WHERE lang = ?", ("it",))
        count = rows.fetchone()["n"]
    db.close()

The rules that keep one SQL text valid on both:

- placeholders are ``?``; read columns by name (``AS n`` for expressions);
- ``INSERT … ON CONFLICT (…) DO NOTHING`` / ``DO UPDATE`` and ``… RETURNING id`` work on
  both (SQLite 3.35+); times are ISO-8601 text in UTC, so they sort as text;
- ``db.dialect`` (``"sqlite"`` or ``"postgresql"``) is there for the rare statement that
  must differ;
- ``fetch_one(conn, sql, args)`` is ``conn.execute(sql, args).fetchone()`` for the hot
  single-row reads (on PostgreSQL it spares a cursor per statement).

``Database`` is the protocol both backends implement:

- ``dialect``; ``describe()`` (the path, or the URL without its password);
- ``connection()`` and ``transaction()``, context managers yielding a ``Connection``;
- ``migrate(component, migrations)``: applies the component's pending migrations in one
  transaction under a lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock),
  recorded per component in ``schema_migrations``; returns the schema version;
- ``close()``.

SQLite files are created mode 0600 (and so are their WAL files). PostgreSQL uses
psycopg 3's connection pool (``open_database(url, pool_size=N)``).

Raises (from ``open_database`` and any call): ``StorageError`` when the database cannot
be reached or opened, ``ConfigError`` for a value that names no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from helpdesk.storage.migrations import Dialect, Migration
from helpdesk.storage.target import PostgresTarget, SqliteTarget, Target, parse_target
from helpdesk.storage.types import Connection, Cursor, Row, fetch_one


class Database(Protocol):
    """A database of either backend (see the module docstring)."""

    @property
    def dialect(self) -> str: ...

    def describe(self) -> str: ...

    def connection(self) -> AbstractContextManager[Connection]: ...

    def transaction(self) -> AbstractContextManager[Connection]: ...

    def migrate(
        self, component: str, migrations: Sequence[Migration], *, adopt_user_version: bool = False
    ) -> int: ...

    def close(self) -> None: ...


def open_database(target: str | Path | Target, *, pool_size: int = 8) -> Database:
    """Open the database named by ``target`` (a path, ``sqlite:///…`` or ``postgresql://…``).

    Args:
        target: where the database is; see ``parse_target``.
        pool_size: PostgreSQL only: the most connections this process keeps open.

    Raises:
        ConfigError: ``target`` names no database we can open (e.g. ``mysql://``).
        StorageError: the PostgreSQL server cannot be reached.
    """
    where = target if isinstance(target, (SqliteTarget, PostgresTarget)) else parse_target(target)
    if isinstance(where, SqliteTarget):
        from helpdesk.storage.sqlite import SqliteDatabase

        return SqliteDatabase(where.path)
    from helpdesk.storage.postgres import PostgresDatabase  # psycopg only when asked for

    return PostgresDatabase(where, max_size=pool_size)


__all__ = [
    "Connection",
    "Cursor",
    "Database",
    "Dialect",
    "Migration",
    "PostgresTarget",
    "Row",
    "SqliteTarget",
    "Target",
    "fetch_one",
    "open_database",
    "parse_target",
]
