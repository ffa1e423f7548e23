"""Numbered migrations, recorded per component in ``schema_migrations``.

Several components can keep their tables in one database (the access API and the
feedback service on one PostgreSQL database), so each names itself: the table holds
``(component, version, name, applied_at)``. Migrations run inside one transaction
under a lock that every process takes first (SQLite: the file's write lock from
``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so when four
workers start at once exactly one applies them and the others find them applied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from helpdesk.storage.types import Connection

Dialect = Literal["sqlite", "postgresql"]

SCHEMA_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (component, version)
)
"""


@dataclass(frozen=True)
class Migration:
    """One schema step.

    Attributes:
        version: 1, 2, 3… in order, without gaps.
        name: what it does, for ``schema_migrations``.
        sql: the script for both backends, when the same SQL serves both; else
            ``sqlite`` and ``postgresql`` give one script each (either may be empty
            when that backend needs nothing).
    """

    version: int
    name: str
    sql: str | None = None
    sqlite: str | None = None
    postgresql: str | None = None

    def script(self, dialect: Dialect) -> str:
        own = self.sqlite if dialect == "sqlite" else self.postgresql
        if own is not None:
            return own
        if self.sql is None:
            raise ValueError(f"migration {self.version} ({self.name}) has no {dialect} script")
        return self.sql


def check_numbering(migrations: Sequence[Migration]) -> None:
    """Refuse a list whose versions are not 1, 2, 3… (a bug in the caller, not input)."""
    found = [m.version for m in migrations]
    if found != list(range(1, len(found) + 1)):
        raise ValueError(f"migrations must be numbered 1..n in order, found {found}")


def apply_pending(
    conn: Connection,
    dialect: Dialect,
    component: str,
    migrations: Sequence[Migration],
    *,
    legacy_version: int = 0,
) -> int:
    """Apply the migrations ``conn`` lacks, in the caller's locked transaction.

    Args:
        legacy_version: versions already applied before ``schema_migrations`` existed
            (a SQLite file's ``user_version``); recorded as applied, not run again.

    Returns:
        The component's schema version afterwards.
    """
    check_numbering(migrations)
    conn.execute(SCHEMA_TABLE)
    rows = conn.execute(
        "SELECT version FROM schema_migrations WHERE component = ?", (component,)
    ).fetchall()
    applied = {int(row["version"]) for row in rows}
    now = datetime.now(UTC).isoformat()
    if not applied and legacy_version:
        for migration in migrations[:legacy_version]:
            _record(conn, component, migration, now)
            applied.add(migration.version)
    for migration in migrations:
        if migration.version in applied:
            continue
        script = migration.script(dialect)
        if dialect == "sqlite":
            for statement in split_sqlite(script):
                conn.execute(statement)
        elif script.strip():
            conn.execute(script)
        _record(conn, component, migration, now)
    return len(migrations)


def _record(conn: Connection, component: str, migration: Migration, now: str) -> None:
    conn.execute(
        "INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)",
        (component, migration.version, migration.name, now),
    )


def split_sqlite(script: str) -> list[str]:
    """Split a SQLite script into statements, keeping trigger bodies whole (comment lines
    are dropped)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
