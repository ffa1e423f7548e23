"""The feedback repository: add what readers sent, read it back for the report.

It lives on the storage seam (``helpdesk.storage``): a SQLite file by default, a
PostgreSQL database for a ``postgresql://`` address, one SQL text for both, numbered
migrations of the ``feedback`` component applied once under the seam's lock (so the
feedback tables can share a PostgreSQL database with the access API's).

Writes come in batches from the service's writer thread (``writer.py``): one
transaction, and one multi-row INSERT per table, carries every item that arrived
while the previous commit was on disk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from helpdesk.errors import ConfigError, StorageError
from helpdesk.feedback.models import Vote
from helpdesk.feedback.records import (
    Received,
    SearchRecord,
    SearchTally,
    Selection,
    VoteRecord,
    VoteTally,
    parse_utc,
    utc_text,
)
from helpdesk.storage import Database, Migration, SqliteTarget, open_database, parse_target

COMPONENT = "feedback"
_TABLES = """
CREATE TABLE votes (
    id {id},
    received TEXT NOT NULL,
    lang TEXT NOT NULL,
    article TEXT NOT NULL,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    reason TEXT,
    comment TEXT
);
CREATE INDEX votes_received ON votes (received);
CREATE TABLE searches (
    id {id},
    received TEXT NOT NULL,
    lang TEXT NOT NULL,
    query TEXT NOT NULL,
    results INTEGER NOT NULL,
    opened TEXT
);
CREATE INDEX searches_received ON searches (received);
"""
MIGRATIONS: tuple[Migration, ...] = (
    # 1: votes and searches; no column for who sent them, by design.
    Migration(
        1,
        "votes and searches",
        sqlite=_TABLES.format(id="INTEGER PRIMARY KEY"),
        postgresql=_TABLES.format(id="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    ),
)
ROWS_PER_INSERT = 100
"""Rows in one multi-row INSERT (SQLite allows 32,766 parameters; 100 x 6 is far below)."""

ALL = Selection()


class FeedbackStore(Protocol):
    """Where feedback lives (the store tests run against each backend)."""

    def add(self, items: Sequence[Received]) -> None:
        """Store ``items`` in one transaction: all of them or none.

        Raises:
            StorageError: the database refused or could not be reached.
        """

    def votes(self, selection: Selection = ALL) -> list[VoteRecord]:
        """Votes in ``selection``, oldest first."""

    def searches(self, selection: Selection = ALL) -> list[SearchRecord]:
        """Searches in ``selection``, oldest first."""

    def vote_tallies(self, selection: Selection = ALL) -> list[VoteTally]:
        """Votes counted by article, answer and reason (the database does the counting)."""

    def latest_comments(self, selection: Selection = ALL, per_article: int = 3) -> list[VoteRecord]:
        """The newest ``per_article`` votes with a comment of each article, newest first."""

    def search_tallies(self, selection: Selection = ALL) -> list[SearchTally]:
        """Searches that opened no result, counted by language, wording and whether they
        found nothing."""

    def search_count(self, selection: Selection = ALL) -> int:
        """Every search in ``selection``."""

    def close(self) -> None: ...


def open_store(target: str | Path) -> FeedbackStore:
    """The store at ``target``: a SQLite file path, or a ``postgresql://`` URL; created
    and migrated when needed.

    Raises:
        ConfigError: the target names no database we can use (a folder, ``mysql://``).
        StorageError: the database cannot be opened, reached or migrated.
    """
    where = parse_target(target)
    if isinstance(where, SqliteTarget) and where.path.is_dir():
        raise ConfigError(f"feedback database {where.path} is a folder; give a file path")
    return SeamStore(open_database(where))


def open_existing_store(target: str | Path) -> FeedbackStore:
    """For reading: like :func:`open_store`, but a SQLite file that does not exist yet
    reads as no feedback (with a warning on stderr) instead of being created."""
    where = parse_target(target)
    if isinstance(where, SqliteTarget) and not where.path.exists():
        import click

        click.echo(
            f"warning: no feedback database at {where.path} yet (helpdesk feedback serve "
            "creates it); the report shows no votes or searches",
            err=True,
        )
        return NoFeedback()
    return open_store(target)


class NoFeedback:
    """The store of a SQLite database nobody created yet: nothing was sent."""

    def add(self, items: Sequence[Received]) -> None:
        raise RuntimeError("NoFeedback is read-only")

    def votes(self, selection: Selection = ALL) -> list[VoteRecord]:
        return []

    def searches(self, selection: Selection = ALL) -> list[SearchRecord]:
        return []

    def vote_tallies(self, selection: Selection = ALL) -> list[VoteTally]:
        return []

    def latest_comments(self, selection: Selection = ALL, per_article: int = 3) -> list[VoteRecord]:
        return []

    def search_tallies(self, selection: Selection = ALL) -> list[SearchTally]:
        return []

    def search_count(self, selection: Selection = ALL) -> int:
        return 0

    def close(self) -> None:
        pass


def _where(selection: Selection, *extra: str) -> tuple[str, list[str]]:
    clauses, params = list(extra), []
    if selection.since is not None:
        clauses.append("received >= ?")
        params.append(selection.since.isoformat())
    if selection.lang is not None:
        clauses.append("lang = ?")
        params.append(selection.lang)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _insert(
    table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> Iterator[tuple[str, list[Any]]]:
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start : start + ROWS_PER_INSERT]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * len(chunk))
        yield sql, [value for row in chunk for value in row]


class SeamStore:
    """Feedback on a ``helpdesk.storage`` database (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._errors = _backend_errors(db)
        with self._translated("migrate"):
            db.migrate(COMPONENT, MIGRATIONS)

    @contextmanager
    def _translated(self, doing: str) -> Iterator[None]:
        # The backend's own errors become StorageError here, once, naming the database.
        try:
            yield
        except self._errors as exc:
            raise StorageError(
                f"feedback database {self.db.describe()}: could not {doing}: {exc}"
            ) from exc

    def add(self, items: Sequence[Received]) -> None:
        votes, searches = [], []
        for received in items:
            item, at = received.item, utc_text(received.at)
            if isinstance(item, Vote):
                votes.append(
                    (at, item.lang, item.article, int(item.helpful), item.reason, item.comment)
                )
            else:
                searches.append((at, item.lang, item.query, item.results, item.opened))
        statements = [
            *_insert(
                "votes", ("received", "lang", "article", "helpful", "reason", "comment"), votes
            ),
            *_insert("searches", ("received", "lang", "query", "results", "opened"), searches),
        ]
        with self._translated("store feedback"), self.db.transaction() as conn:
            for sql, params in statements:
                conn.execute(sql, params)

    def votes(self, selection: Selection = ALL) -> list[VoteRecord]:
        where, params = _where(selection)
        sql = (
            "SELECT received, lang, article, helpful, reason, comment"
            f" FROM votes{where} ORDER BY id"
        )
        with self._translated("read votes"), self.db.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            VoteRecord(
                parse_utc(r["received"]),
                r["lang"],
                r["article"],
                bool(r["helpful"]),
                r["reason"],
                r["comment"],
            )
            for r in rows
        ]

    def searches(self, selection: Selection = ALL) -> list[SearchRecord]:
        where, params = _where(selection)
        sql = f"SELECT received, lang, query, results, opened FROM searches{where} ORDER BY id"
        with self._translated("read searches"), self.db.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            SearchRecord(
                parse_utc(r["received"]), r["lang"], r["query"], int(r["results"]), r["opened"]
            )
            for r in rows
        ]

    def vote_tallies(self, selection: Selection = ALL) -> list[VoteTally]:
        where, params = _where(selection)
        sql = (
            "SELECT article, helpful, reason, count(*) AS n"
            f" FROM votes{where} GROUP BY article, helpful, reason"
        )
        with self._translated("count votes"), self.db.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [VoteTally(r["article"], bool(r["helpful"]), r["reason"], int(r["n"])) for r in rows]

    def latest_comments(self, selection: Selection = ALL, per_article: int = 3) -> list[VoteRecord]:
        where, params = _where(selection, "comment IS NOT NULL")
        # A window function (SQLite 3.25+, PostgreSQL): the database keeps the newest few
        # of each article instead of sending every comment ever written.
        sql = (
            "SELECT received, lang, article, helpful, reason, comment FROM ("
            " SELECT received, lang, article, helpful, reason, comment, row_number() OVER"
            " (PARTITION BY article ORDER BY received DESC, id DESC) AS place"
            f" FROM votes{where}) AS ranked WHERE place <= ? ORDER BY article, place"
        )
        with self._translated("read comments"), self.db.connection() as conn:
            rows = conn.execute(sql, [*params, per_article]).fetchall()
        return [
            VoteRecord(
                parse_utc(r["received"]),
                r["lang"],
                r["article"],
                bool(r["helpful"]),
                r["reason"],
                r["comment"],
            )
            for r in rows
        ]

    def search_tallies(self, selection: Selection = ALL) -> list[SearchTally]:
        where, params = _where(selection, "opened IS NULL")
        nothing = "CASE WHEN results = 0 THEN 1 ELSE 0 END"
        sql = (
            f"SELECT lang, query, {nothing} AS empty, count(*) AS n"
            f" FROM searches{where} GROUP BY lang, query, {nothing}"
        )
        with self._translated("count searches"), self.db.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [SearchTally(r["lang"], r["query"], bool(r["empty"]), int(r["n"])) for r in rows]

    def search_count(self, selection: Selection = ALL) -> int:
        where, params = _where(selection)
        with self._translated("count searches"), self.db.connection() as conn:
            row = conn.execute(f"SELECT count(*) AS n FROM searches{where}", params).fetchone()
        return int(row["n"])

    def close(self) -> None:
        self.db.close()


def _backend_errors(db: Database) -> tuple[type[Exception], ...]:
    if db.dialect == "postgresql":
        import psycopg  # only when PostgreSQL is what was asked for

        return (psycopg.Error,)
    return (sqlite3.Error,)
