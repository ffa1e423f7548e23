"""``helpdesk build`` and ``helpdesk serve``: option parsing and display around the library."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from helpdesk.cli import handle_errors, kb_option
from helpdesk.publish.build import build_site


class RichStages:
    """Shows each build stage as a line with a spinner, then a tick and its time."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        # Stages nest (side steps run while the engine runs): notes go to the
        # innermost one, and each stage finishes its own line.
        self._open: list[tuple[TaskID, str]] = []

    @contextlib.contextmanager
    def stage(self, title: str) -> Iterator[None]:
        task = self._progress.add_task(title, total=1)
        self._open.append((task, title))
        try:
            yield
        except BaseException:
            # A spinner left turning beside a failed step would look like it is still running.
            self._progress.remove_task(task)
            self._progress.console.print(f"[red]✗[/] {title}", highlight=False)
            raise
        finally:
            self._open.remove((task, title))
        self._progress.update(task, completed=1)

    def note(self, message: str) -> None:
        if self._open:
            task, title = self._open[-1]
            self._progress.update(task, description=f"{title} [dim]({message})")


@click.command()
@kb_option
@click.option(
    "--site-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the site goes (default: site/ beside mkdocs.yml).",
)
@click.option(
    "--lang",
    "languages",
    multiple=True,
    metavar="LANG",
    help="Build only this language's site (repeatable), e.g. --lang it for a quick look.",
)
@handle_errors
def build(kb_dir: Path, site_dir: Path | None, languages: tuple[str, ...]) -> None:
    """Check the knowledge base, render the pages and build the site atomically.

    One site per language under site/<lang>/, side by side, and a language chooser at
    site/index.html. Content errors are listed as path:line:column and stop the build
    before the site engine runs; if anything fails, the previous site is left exactly
    as it was.
    """
    console = Console(stderr=True)
    started = time.perf_counter()
    columns = (
        SpinnerColumn(finished_text="[green]✓"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        report = build_site(
            kb_dir,
            site_dir=site_dir,
            progress=RichStages(progress),
            languages=list(languages) or None,
            one_shot=True,  # the command exits after it
        )
    for problem in report.warnings:
        console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    for line in report.engine_warnings:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for notice in report.notices:
        console.print(f"note: {notice}", markup=False, highlight=False, soft_wrap=True)
    elapsed = time.perf_counter() - started
    console.print(
        f"Built {report.pages} pages ({', '.join(report.languages)}) into "
        f"{report.project.site_dir} in {elapsed:.1f}s",
        markup=False,
        highlight=False,
    )


@click.command()
@kb_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
@click.option(
    "--lang",
    "languages",
    multiple=True,
    metavar="LANG",
    help="Preview only this language (repeatable); default every language.",
)
@handle_errors
def serve(kb_dir: Path, host: str, port: int, languages: tuple[str, ...]) -> None:
    """Preview the site while you write: re-render on every change, reload the browser.

    Every language at once (/en/, /it/, ...; / goes to the browser's language). Listens
    on the loopback address only unless --host says otherwise. A YAML error is printed
    here and the last good pages stay up. Ctrl-C (or SIGTERM) stops.
    """
    from helpdesk.publish.serve import serve_site

    serve_site(kb_dir, host=host, port=port, languages=list(languages) or None)
