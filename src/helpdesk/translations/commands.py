"""``helpdesk translations status|mark-current``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from helpdesk.cli import handle_errors, kb_option
from helpdesk.content.kb import load_kb
from helpdesk.errors import ConfigError, display_path


@click.group(name="translations")
def translations() -> None:
    """What is translated, stale or missing; mark a checked translation current."""


@translations.command(name="status")
@kb_option
@click.option("--lang", "langs", multiple=True, help="Only this language (repeatable).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@handle_errors
def status_command(kb_dir: Path, langs: tuple[str, ...], fmt: str) -> None:
    """Per language: articles, releases and taxonomy labels that are current, stale, missing.

    A stale item names the date its source changed and what changed. Exit status 0
    (a report; `helpdesk lint --strict` is the gate), 1 when the KB has errors.
    """
    from helpdesk.translations.status import render_text, translation_status

    kb = load_kb(kb_dir)
    try:
        statuses = translation_status(kb, list(langs) or None)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if fmt == "json":
        payload = {
            "source": kb.source_language,
            "languages": {s.lang: s.to_dict() for s in statuses},
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(render_text(statuses) or "no translation languages configured")


@translations.command(name="mark-current")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@handle_errors
def mark_current_command(files: tuple[Path, ...]) -> None:
    """Record that each translation FILE matches its source as it is today.

    Run it after checking the text against the English source; it writes the file's
    source_digest line (nothing else). A file whose structure differs from its source,
    or that does not validate, is refused and nothing is written. The knowledge base
    is the folder holding the file's articles/ or releases/.
    """
    from helpdesk.translations.mark import mark_current

    try:
        results = mark_current(list(files))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    for result in results:
        what = "marked current" if result.changed else "already current"
        click.echo(f"{display_path(result.path)}: {what}")
