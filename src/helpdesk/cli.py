"""The ``helpdesk`` command line.

Commands are a few lines each: they parse options, call the library and turn
``HelpdeskError`` into a clear message and an exit status (0 success, 1 content or
data, 2 usage, 3 unreachable service). Sub-command groups live beside the code they
drive and are imported only when used, so ``helpdesk agent`` does not pay for MkDocs
and ``helpdesk lint`` does not pay for Textual.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from helpdesk import __version__
from helpdesk.errors import ContentError, HelpdeskError

F = TypeVar("F", bound=Callable[..., Any])

# name -> ("module:attribute" of a click command, its line in `helpdesk --help`). The
# module is imported on first use only: the list of commands is written here, so that
# `helpdesk --help` does not import every command's module (the access API's FastAPI
# app, Textual, MkDocs' config) to read one line of each.
_LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "lint": ("helpdesk.content.commands:lint", "Check every file of the knowledge base."),
    "schema": ("helpdesk.content.commands:schema", "Print the JSON Schema of a kind of file."),
    "search": ("helpdesk.search.commands:search_command", "Search the knowledge base."),
    "index": ("helpdesk.search.commands:index_command", "Bring the search indexes up to date."),
    "agent": ("helpdesk.tui.commands:agent", "Guided troubleshooting for support agents."),
    "build": ("helpdesk.publish.commands:build", "Check, render and build the help site."),
    "serve": ("helpdesk.publish.commands:serve", "Preview the site, rebuilt as you write."),
    "release": ("helpdesk.releases.commands:release", "Write, publish and list release notes."),
    "access-api": (
        "helpdesk.server.commands:access_api",
        "Run and administer the access API.",
    ),
    "diagnose": (
        "helpdesk.diagnostics.commands:diagnose",
        "Walk a tree from recorded answers, without the app.",
    ),
    "transcript": (
        "helpdesk.diagnostics.commands:transcript",
        "Check and show diagnosis transcripts.",
    ),
    "trees": (
        "helpdesk.diagnostics.commands:trees",
        "List diagnostic trees; report how their walks end.",
    ),
    "translations": (
        "helpdesk.translations.commands:translations",
        "What is translated, stale or missing.",
    ),
    "feedback": (
        "helpdesk.feedback.commands:feedback",
        'The service behind the site\'s "Was this helpful?".',
    ),
    "report": ("helpdesk.feedback.commands:report", "Content health for writers."),
}

LINT_CHECKS: tuple[str, ...] = (
    "helpdesk.feedback.lint:low_rated_articles",
    "helpdesk.content.catalogs:catalog_warnings",
)
"""Checks ``helpdesk lint`` runs beyond the loader's: "module:function", each called with
the loaded KnowledgeBase and returning Problems. Wired here, at the command layer, so the
content package imports none of them (the feedback check reads the feedback database)."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS:
            module_name, attr = _LAZY_COMMANDS[cmd_name][0].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands' list from the table above, importing none of the lazy ones."""
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            if name in _LAZY_COMMANDS:
                rows.append((name, _LAZY_COMMANDS[name][1]))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def kb_option(func: F) -> F:
    """``--kb DIR``: the knowledge base folder (default ./kb or $HELPDESK_KB)."""
    return click.option(
        "--kb",
        "kb_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=lambda: os.environ.get("HELPDESK_KB", "kb"),
        show_default="./kb or $HELPDESK_KB",
        help="Knowledge base folder.",
    )(func)


INTERRUPTED = 130


def handle_errors(func: F) -> F:
    """Turn library errors into a message on stderr and an exit status, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ContentError as exc:
            click.echo(exc.render(), err=True)
            errors = sum(1 for p in exc.problems if p.severity == "error")
            click.echo(f"{errors} error(s); fix them and run the command again.", err=True)
            sys.exit(exc.exit_code)
        except HelpdeskError as exc:
            click.echo(f"error: {exc}", err=True)
            output = getattr(exc, "output", "")
            if output:
                click.echo(output.rstrip(), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            # Ctrl-C: the shell's own convention (128 + SIGINT), not click's "Aborted!"
            # with 1, which here means a problem in the content.
            click.echo("interrupted (Ctrl-C)", err=True)
            sys.exit(INTERRUPTED)

    return wrapper  # type: ignore[return-value]


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="helpdesk")
def cli() -> None:
    """helpdesk: help center, search and guided troubleshooting from one knowledge base."""


def main() -> None:
    cli(prog_name="helpdesk")
