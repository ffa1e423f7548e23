"""Helpers shared by the feedback tests: a service on loopback over a fixed catalog."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpdesk.feedback.app import create_app
from helpdesk.feedback.catalog import Catalog
from helpdesk.feedback.limits import RateLimit
from helpdesk.feedback.live import LiveFeedback
from helpdesk.feedback.settings import FeedbackSettings

ROOT = Path(__file__).resolve().parents[2]
CATALOG = Catalog(
    articles=frozenset({"pin-login", "device-activation", "clp-rules"}),
    languages=("en", "it", "es"),
)
GENEROUS = RateLimit(burst=100_000, per_second=100_000)


@contextmanager
def running_service(
    db: str | Path, *, limit: RateLimit = GENEROUS, origins: tuple[str, ...] = ("*",)
) -> Iterator[LiveFeedback]:
    settings = FeedbackSettings(db=str(db), kb_dir=ROOT / "kb", limit=limit, origins=origins)
    with LiveFeedback(settings, app=create_app(settings, catalog=CATALOG)) as live:
        yield live


def table_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the votes and searches tables, read straight from the file."""
    with sqlite3.connect(db) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("votes", "searches")
        }
