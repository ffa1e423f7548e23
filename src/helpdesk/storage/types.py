"""The small DB-API surface both backends offer: ``Connection.execute`` and a cursor.

SQL is written once, with ``?`` placeholders, and rows are read by column name
(``row["email"]``): a SQLite connection is used as it is (``sqlite3.Row`` rows), a
PostgreSQL one through a thin wrapper that turns ``?`` into ``%s`` and returns dicts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, Protocol


class Row(Protocol):
    def __getitem__(self, key: str, /) -> Any: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...


def fetch_one(conn: Connection, sql: str, parameters: Sequence[Any], /) -> Any:
    """The first row of ``sql`` or None: ``conn.execute(sql, parameters).fetchone()``,
    which a PostgreSQL connection answers without a new cursor (``PgConnection.fetch_one``).
    For the hot single-row reads; anything that keeps a cursor uses ``execute``."""
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, parameters).fetchone()
    return conn.fetch_one(sql, parameters)  # type: ignore[attr-defined]
