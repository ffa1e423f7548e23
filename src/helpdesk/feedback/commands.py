"""``helpdesk feedback serve`` and ``helpdesk report``."""

from __future__ import annotations

from collections.abc import Callable
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
