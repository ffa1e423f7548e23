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


def make_project(tmp_path: Path, kb_source: Path) -> Path:
    """A project folder: the root mkdocs.yml, ``kb_source`` and the real templates."""
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(kb_source, root / "kb", ignore=shutil.ignore_patterns(".cache", "templates"))
    shutil.copytree(ROOT / "kb" / "templates", root / "kb" / "templates")
    return root


def page_of(site: Path, article: str) -> str:
    """The site path of an article's page (whatever the URL layout of the build)."""
    marker = f'data-article="{article}"'
    for path in sorted(site.rglob("index.html")):
        if marker in path.read_text(encoding="utf-8"):
            return path.parent.relative_to(site).as_posix() + "/"
    raise AssertionError(f"no page of {article} with a feedback widget under {site}")
