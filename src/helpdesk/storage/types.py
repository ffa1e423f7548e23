"""The small DB-API surface both backends offer: ``Connection.execute`` and a cursor.

SQL is written once, with ``?`` placeholders, and rows are read by column name
(``row["email"]``): a SQLite connection is used as it is (``sqlite3.Row`` rows), a
PostgreSQL one through a thin wrapper that turns ``?`` into ``%s`` and returns dicts.
"""

from __future__ import annotations

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
