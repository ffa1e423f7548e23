"""The feedback repository: add what readers sent, read it back for the report.

:class:`FeedbackStore` is the interface the service and the report use; the
backends (SQLite by default, PostgreSQL for a ``postgresql://`` address) keep it.
Writes come in batches from the service's writer thread (see ``writer.py``), so one
commit carries every item that arrived while the previous one was on disk.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from helpdesk.errors import ConfigError, HelpdeskError
from helpdesk.feedback.models import Vote
from helpdesk.feedback.records import (
    Received,
    SearchRecord,
    Selection,
    VoteRecord,
    parse_utc,
    utc_text,
)

MIGRATIONS: tuple[str, ...] = (
    # 1: votes and searches; no column for who sent them.
    """
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        received TEXT NOT NULL,
        lang TEXT NOT NULL,
        article TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        reason TEXT,
        comment TEXT
    );
    CREATE INDEX votes_received ON votes (received);
    CREATE TABLE searches (
        id INTEGER PRIMARY KEY,
        received TEXT NOT NULL,
        lang TEXT NOT NULL,
        query TEXT NOT NULL,
        results INTEGER NOT NULL,
        opened TEXT
    );
    CREATE INDEX searches_received ON searches (received);
    """,
)


class StoreError(HelpdeskError):
    """The feedback database cannot be opened, migrated or read."""


class FeedbackStore(Protocol):
    """Where feedback lives. Every backend keeps this contract (the store tests run
    against each one)."""

    def add(self, items: Sequence[Received]) -> None:
        """Store ``items`` in one transaction: all of them or none."""

    def votes(self, selection: Selection = ...) -> list[VoteRecord]:
        """Votes in ``selection``, oldest first."""

    def searches(self, selection: Selection = ...) -> list[SearchRecord]:
        """Searches in ``selection``, oldest first."""

    def close(self) -> None: ...


ALL = Selection()


def is_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def open_store(target: str | Path) -> FeedbackStore:
    """The store at ``target``: a SQLite file path, or a ``postgresql://`` URL.

    The database is created and migrated when needed.

    Raises:
        ConfigError: the target cannot be used (a folder, an unsupported URL).
        StoreError: the database cannot be opened or migrated.
    """
    text = str(target)
    if is_url(text):
        raise ConfigError(
            "a postgresql:// feedback database needs the storage seam (not in this build)"
        )
    if "://" in text:
        raise ConfigError(f"{text!r} is neither a file path nor a postgresql:// URL")
    return SQLiteStore(Path(text))


class NoFeedback:
    """The store of a SQLite database nobody created yet: nothing was sent."""

    def add(self, items: Sequence[Received]) -> None:
        raise RuntimeError("NoFeedback is read-only")

    def votes(self, selection: Selection = ALL) -> list[VoteRecord]:
        return []

    def searches(self, selection: Selection = ALL) -> list[SearchRecord]:
        return []

    def close(self) -> None:
        pass


def open_existing_store(target: str | Path) -> FeedbackStore:
    """For reading: like :func:`open_store`, but a SQLite file that does not exist yet
    reads as no feedback (with a warning on stderr) instead of being created."""
    text = str(target)
    if not is_url(text) and "://" not in text and not Path(text).exists():
        import click

        click.echo(
            f"warning: no feedback database at {text} yet (helpdesk feedback serve creates it);"
            " the report shows no votes or searches",
            err=True,
        )
        return NoFeedback()
    return open_store(target)


def _where(selection: Selection) -> tuple[str, list[str]]:
    clauses, params = [], []
    if selection.since is not None:
        clauses.append("received >= ?")
        params.append(selection.since.isoformat())
    if selection.lang is not None:
        clauses.append("lang = ?")
        params.append(selection.lang)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class SQLiteStore:
    """SQLite in WAL mode with ``synchronous=NORMAL``.

    NORMAL, not FULL: a crash of the process loses no committed feedback, and a power
    cut can lose at most the last commits of anonymous votes, which no one is owed;
    the service's throughput is worth more than those (an fsync per batch instead of
    two). The file is created readable by its owner only (comments are free text).
    """

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            raise ConfigError(f"feedback database {path} is a folder; give a file path")
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the feedback database {path}: {exc}") from None
        self._lock = threading.Lock()

    def _migrate(self) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")  # one process migrates; others wait, then see it done
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"feedback database {self.path} is at schema {version}, newer than this "
                    f"helpdesk ({len(MIGRATIONS)}); upgrade helpdesk"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

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
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT INTO votes (received, lang, article, helpful, reason, comment)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    votes,
                )
                conn.executemany(
                    "INSERT INTO searches (received, lang, query, results, opened)"
                    " VALUES (?, ?, ?, ?, ?)",
                    searches,
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def votes(self, selection: Selection = ALL) -> list[VoteRecord]:
        where, params = _where(selection)
        sql = (
            "SELECT received, lang, article, helpful, reason, comment"
            f" FROM votes{where} ORDER BY id"
        )
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [
            VoteRecord(parse_utc(at), lang, article, bool(helpful), reason, comment)
            for at, lang, article, helpful, reason, comment in rows
        ]

    def searches(self, selection: Selection = ALL) -> list[SearchRecord]:
        where, params = _where(selection)
        sql = f"SELECT received, lang, query, results, opened FROM searches{where} ORDER BY id"
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [
            SearchRecord(parse_utc(at), lang, query, int(results), opened)
            for at, lang, query, results, opened in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
