"""``helpdesk feedback serve`` and ``helpdesk report``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from helpdesk.cli import handle_errors, kb_option
from helpdesk.feedback.settings import DB_VARIABLE

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(flag: str) -> Callable[[F], F]:
    return click.option(
        flag,
        "db",
        default=None,
        metavar="PATH|URL",
        help=f"Feedback database: a SQLite file or a postgresql:// URL "
        f"(default ${DB_VARIABLE}, else feedback.sqlite3 in the state folder).",
    )


@click.group()
def feedback() -> None:
    """The feedback service the help site's "Was this helpful?" and searches report to."""


@feedback.command()
@_db_option("--db")
@kb_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--allow-origin",
    "origins",
    multiple=True,
    metavar="ORIGIN",
    help="A site origin allowed to read the answers (CORS), e.g. https://help.example.com; "
    "repeat for several (default $HELPDESK_FEEDBACK_ORIGINS, else any).",
)
@handle_errors
def serve(db: str | None, kb_dir: Path, host: str, port: int, origins: tuple[str, ...]) -> None:
    """Serve POST /v1/feedback (public, anonymous; loopback unless --host says otherwise)."""
    from helpdesk.feedback.live import serve as run
    from helpdesk.feedback.settings import FeedbackSettings

    settings = FeedbackSettings.from_env(db=db, kb_dir=kb_dir, origins=origins)
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(f"warning: listening on {host}, beyond this machine", err=True)
    click.echo(f"feedback: http://{host}:{port}/v1/feedback -> {settings.db}", err=True)
    run(settings, host=host, port=port)


FORMATS = {"text": "txt", "json": "json", "html": "html"}


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-01") from None


@click.command()
@_db_option("--feedback-db")
@kb_option
@click.option("--since", callback=_date, metavar="DATE", help="Only feedback from this day on.")
@click.option("--lang", metavar="L", help="Only feedback and translations in this language.")
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write content-health.<ext> into this folder instead of printing it.",
)
@click.option(
    "--transcripts",
    "transcripts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of the agents' transcripts (default: the state folder).",
)
@click.option("--today", callback=_date, hidden=True, help="The report's date (for tests).")
@handle_errors
def report(
    db: str | None,
    kb_dir: Path,
    since: date | None,
    lang: str | None,
    fmt: str,
    output: Path | None,
    transcripts_dir: Path | None,
    today: date | None,
) -> None:
    """Content health for writers: votes and reasons per article, failed searches with
    the nearest article, articles past review, stale translations, and how the
    diagnostic trees' walks end."""
    import json

    from helpdesk._files import atomic_write
    from helpdesk.content.kb import load_kb
    from helpdesk.diagnostics.state import default_state_dir
    from helpdesk.errors import ConfigError
    from helpdesk.feedback.catalog import site_languages
    from helpdesk.feedback.records import Selection
    from helpdesk.feedback.report import build_health, render_html, render_text, search_nearest
    from helpdesk.feedback.settings import default_db
    from helpdesk.feedback.store import open_existing_store

    kb = load_kb(kb_dir)
    languages = site_languages(kb)
    if lang is not None and lang not in languages:
        raise ConfigError(f"--lang {lang}: the site has {', '.join(languages)}")
    store = open_existing_store(db or default_db())
    try:
        health = build_health(
            kb,
            store,
            selection=Selection(since=since, lang=lang),
            today=today or date.today(),
            transcripts_dir=transcripts_dir or default_state_dir(),
            nearest=search_nearest(kb),
        )
    finally:
        store.close()
    if fmt == "json":
        text = json.dumps(health.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        text = render_html(health)
    else:
        text = render_text(health)
    if output is None:
        click.echo(text, nl=False)
        return
    path = output / f"content-health.{FORMATS[fmt]}"
    atomic_write(path, text)
    click.echo(f"wrote {path}", err=True)
