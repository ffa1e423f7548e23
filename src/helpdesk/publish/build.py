"""``helpdesk build`` as a library call: check, render, generate, engine, atomic swap, search.

The steps, in order, and why each comes where it does:

1. load and check ``kb/`` -- content errors stop the build before anything is written;
2. render every page (Jinja2) -- template errors stop it before the engine runs;
3. write the generated docs folder and engine config -- only changed files;
4. run the engine into a fresh folder *next to* the site folder (same file system,
   so the swap below is a rename, not a copy) -- and, while it runs, the side steps
   (the search index). The index depends only on the checked knowledge base, never on
   the engine's output, and the engine is a separate process: running both at once
   makes a build cost max(engine, index) instead of their sum;
5. swap: rename the old site away, rename the new one in, delete the old one. A
   failure at any earlier step leaves the previous site byte-for-byte as it was. A
   failed side step is reported after the swap: the new site is correct either way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from helpdesk._gc import paused_gc
from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.errors import BuildError, Problem
from helpdesk.publish import engine, site_search
from helpdesk.publish.config import Project, find_project, public_site_url, write_engine_config
from helpdesk.publish.generate import GenerateReport, write_docs
from helpdesk.publish.pages import SiteContent, collect_site
from helpdesk.publish.templates import TEMPLATES_FOLDER, make_env


class Progress(Protocol):
    """What the build tells its caller; the CLI shows it with rich, tests ignore it."""

    def stage(self, title: str) -> AbstractContextManager[None]:
        """A named step; the context ends when the step is done."""
        ...

    def note(self, message: str) -> None:
        """A line of detail about the current step."""
        ...


class QuietProgress:
    """A ``Progress`` that shows nothing."""

    @contextlib.contextmanager
    def stage(self, title: str) -> Iterator[None]:
        yield

    def note(self, message: str) -> None:
        pass


SideStep = Callable[[KnowledgeBase, Progress], None]

SIDE_STEPS: list[tuple[str, SideStep]] = []
"""Steps run while the engine builds, as (stage title, step). A failing step raises a
HelpdeskError, reported once the engine is done; the site is swapped in regardless when
the engine succeeded, because it is correct on its own.

The search index (``helpdesk.search.update_index``) is registered at the end of this module."""


@dataclass
class BuildReport:
    """What a successful build did."""

    project: Project
    pages: int
    generate: GenerateReport
    warnings: list[Problem] = field(default_factory=list)
    engine_warnings: list[str] = field(default_factory=list)


def render_site(kb: KnowledgeBase, *, today: dt.date, site_url: str | None = None) -> SiteContent:
    """Every page and file of the site, from the templates in ``kb/templates``.

    ``site_url`` (the public address) makes the links in feeds absolute.
    """
    env = make_env(kb.root / TEMPLATES_FOLDER)
    with paused_gc():
        return collect_site(kb, env, today=today, site_url=site_url)


def generate(project: Project, kb: KnowledgeBase, content: SiteContent) -> GenerateReport:
    """Write the generated docs folder and engine config (shared by build and serve)."""
    report = write_docs(project.docs_dir, content.all_files())
    write_engine_config(project, kb, content)
    return report


def build_site(
    kb_dir: Path,
    *,
    site_dir: Path | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> BuildReport:
    """Build the site from ``kb_dir`` into ``site_dir``, atomically.

    Args:
        kb_dir: the knowledge base folder.
        site_dir: the site folder; defaults to ``site/`` beside the root ``mkdocs.yml``.
        progress: receives the stages; nothing is shown when None.
        today: the rendering date (defaults to today).

    Returns:
        Counts and warnings of the build.

    Raises:
        ContentError: the knowledge base or a template has errors (nothing written).
        BuildError: the engine failed (the previous site is left as it was).
        ConfigError: no project folder around ``kb_dir``.
    """
    progress = progress or QuietProgress()
    today = today or dt.date.today()
    project = find_project(kb_dir, site_dir)
    site_url = public_site_url(project.root)  # a bad address stops the build before any work
    with progress.stage("Checking the knowledge base"):
        kb = load_kb(project.kb_dir, today=today)
        progress.note(f"{len(kb.articles)} articles, {len(kb.site_articles())} on the site")
    with progress.stage("Rendering pages"):
        content = render_site(kb, today=today, site_url=site_url)
    with progress.stage("Writing the generated docs folder"):
        report = generate(project, kb, content)
        progress.note(str(report))
    side_error: BaseException | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine") as pool:
        engine_run = pool.submit(_engine_build, project)
        with progress.stage("Building the site (MkDocs)"):
            for title, step in SIDE_STEPS:
                try:
                    with progress.stage(title):
                        step(kb, progress)
                except Exception as exc:  # reported after the engine, see SIDE_STEPS
                    side_error = exc
                    break
            new_site, engine_warnings = engine_run.result()
    with progress.stage("Indexing the site for search (Pagefind)"):
        _index_or_discard(kb, new_site, progress)
    with progress.stage("Publishing the new site"):
        swap_into_place(new_site, project.site_dir)
    if side_error is not None:
        raise side_error
    return BuildReport(
        project=project,
        pages=len(content.pages),
        generate=report,
        warnings=kb.warnings,
        engine_warnings=engine_warnings,
    )


def _engine_build(project: Project) -> tuple[Path, list[str]]:
    """Run the engine into a new hidden folder beside the site; removed again on failure."""
    parent = project.site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=f".{project.site_dir.name}.new-", dir=parent))
    try:
        warnings = engine.run_build(project.generated_config, out, cwd=project.root)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return out, warnings


def _index_or_discard(kb: KnowledgeBase, new_site: Path, progress: Progress) -> None:
    """The site search index goes into the new site before the swap; a failure drops it."""
    try:
        site_search.index_site(kb, new_site, note=progress.note)
    except BaseException:
        shutil.rmtree(new_site, ignore_errors=True)
        raise


def swap_into_place(new_site: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` with ``new_site`` by two renames; the old site is deleted last.

    Raises:
        BuildError: a rename failed; the old site is put back and the new one removed.
    """
    old: Path | None = None
    try:
        if site_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
            os.rmdir(old)  # only the unique name is wanted; rename needs it free
            os.rename(site_dir, old)
        os.rename(new_site, site_dir)
    except OSError as exc:
        if old is not None and not site_dir.exists():
            os.rename(old, site_dir)
        shutil.rmtree(new_site, ignore_errors=True)
        raise BuildError(f"could not move the new site into {site_dir}: {exc}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _update_search_index(kb: KnowledgeBase, progress: Progress) -> None:
    # Imported here so that only a build that got this far pays for (and depends on) Whoosh.
    from helpdesk.search import update_index

    # One writer process: the engine already keeps the other core busy.
    stats = update_index(kb, progress=progress.note, processes=1)
    progress.note(f"{stats.added} added, {stats.changed} changed, {stats.removed} removed")


SIDE_STEPS.append(("Updating the search index", _update_search_index))
