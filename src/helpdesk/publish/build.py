"""``helpdesk build`` as a library call: check, render, generate, engines, atomic swap.

The steps, in order, and why each comes where it does:

1. load and check ``kb/`` -- content errors stop the build before anything is written;
2. per language: render every page (Jinja2, the language's catalog), write that
   language's generated docs folder and engine config (only changed files), and start
   its engine at once, each into its folder of a fresh site folder *next to* the site
   folder (same file system, so the swap below is a rename, not a copy);
3. the engines are separate processes, so the languages build side by side: the next
   language renders while the previous one's engine runs (rendering is one core's work,
   so an engine has the other cores meanwhile), and on a machine with several cores the
   total is far less than the sum. Every language's templates and catalog are loaded
   before the first engine starts, so a template syntax error or a bad catalog stops the
   build before any engine runs; an error that only one language's pages raise while
   rendering stops it after the earlier languages' engines were started: they are let
   finish, their output is discarded with the fresh site folder. Then the side steps
   (``SIDE_STEPS``) run: they depend only on the checked knowledge base, never on the
   engines' output;
4. the files of the site's root: the language chooser (``index.html``), the "not found"
   page for any address, and (with ``site_url``) a sitemap index of the languages';
5. swap: rename the old site away, rename the new one in, delete the old one. A
   failure at any earlier step leaves the previous site byte-for-byte as it was. A
   failed side step is reported after the swap: the new site is correct either way.

``--lang it`` builds one language for a quick look: only ``site/it/`` is swapped (and
the chooser rewritten), the other languages' folders stay as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import jinja2

from helpdesk._gc import paused_gc
from helpdesk.content.catalogs import missing_catalogs
from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.content.translations import translation_name
from helpdesk.errors import BuildError, ConfigError, Problem
from helpdesk.publish import engine, i18n, localized, root_files, site_search
from helpdesk.publish.config import (
    PREVIEW_SITE_URL,
    SITE_URL_VARIABLE,
    THEME_OVERRIDES,
    Project,
    find_project,
    public_site_url,
    site_name,
    write_engine_config,
)
from helpdesk.publish.generate import GenerateReport, write_docs
from helpdesk.publish.pages import SiteContent, collect_site
from helpdesk.publish.templates import TEMPLATES_FOLDER, load_template, make_env


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

None are registered today. The search index used to be one (about 55 s at 1,000 articles
in three languages, competing with the engines for the same cores); it is not part of the
build any more: it is the search's own cache, and every ``helpdesk search`` (and the
agent app) checks it against the knowledge base's files and updates what changed before
it answers (``helpdesk.search.freshness``), so a build has nothing to keep fresh for it.
``helpdesk index`` builds it ahead of time."""


NO_SITE_URL = (
    f"site_url is not set (in mkdocs.yml or ${SITE_URL_VARIABLE}), so the sitemaps list no "
    "page, pages name no hreflang alternates and the release feeds link relatively; set it to "
    "the help center's address before publishing (a local preview uses "
    f"{PREVIEW_SITE_URL}, which `make serve` sets)"
)


@dataclass
class BuildReport:
    """What a successful build did."""

    project: Project
    pages: int
    generate: GenerateReport
    languages: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    engine_warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """Things the writer should know once (e.g. that ``site_url`` is unset)."""


def render_site(
    kb: KnowledgeBase, *, today: dt.date, site_url: str | None = None, lang: str | None = None
) -> SiteContent:
    """Every page and file of one language's site, from the templates in ``kb/templates``.

    ``site_url`` (the public address) makes the links in feeds absolute; ``lang``
    defaults to the source language.
    """
    source = localized.source_language(kb)
    lang = lang or source
    env = make_env(kb.root / TEMPLATES_FOLDER, lang, source)
    return _render_with(kb, env, today=today, site_url=site_url, lang=lang)


def _render_with(
    kb: KnowledgeBase,
    env: jinja2.Environment,
    *,
    today: dt.date,
    site_url: str | None,
    lang: str,
    freeze: bool = False,
) -> SiteContent:
    with paused_gc(freeze=freeze):
        return collect_site(kb, env, today=today, site_url=site_url, lang=lang)


def _checked_envs(kb: KnowledgeBase, languages: list[str]) -> dict[str, jinja2.Environment]:
    """Each language's template environment, its catalog read and its page templates
    compiled, so that their errors surface before any engine starts."""
    source = localized.source_language(kb)
    envs: dict[str, jinja2.Environment] = {}
    for lang in languages:
        env = make_env(kb.root / TEMPLATES_FOLDER, lang, source)
        for name in env.list_templates(filter_func=lambda name: name.endswith(".md.j2")):
            load_template(env, name)
        envs[lang] = env
    return envs


def generate(project: Project, kb: KnowledgeBase, content: SiteContent) -> GenerateReport:
    """Write one language's generated docs folder, theme folder and engine config (build
    and serve)."""
    report = write_docs(project.docs_dir(content.lang), content.all_files())
    write_docs(project.theme_dir(content.lang), theme_files(kb, content.lang))
    write_engine_config(project, kb, content, localized.site_languages(kb))
    return report


def theme_files(kb: KnowledgeBase, lang: str) -> dict[str, str | bytes]:
    """The engine's theme templates of ``kb/templates/theme`` plus ``lang``'s compiled
    catalog, which MkDocs installs for them (``{{ _("...") }}`` in theme templates)."""
    templates = kb.root / TEMPLATES_FOLDER
    folder = kb.root / THEME_OVERRIDES
    files: dict[str, str | bytes] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    if lang != kb.source_language:
        compiled = i18n.compiled_catalog(templates, lang)
        if compiled is not None:
            files[f"locales/{lang}/LC_MESSAGES/{i18n.DOMAIN}.mo"] = compiled
    words = f"partials/languages/{lang}.html"
    if words not in files and not _theme_has(words):
        # The theme has no words of its own for this language (Material knows some sixty):
        # name the language (its <html lang>, which the site search keys on) and let the
        # theme's English fallback supply every other word, rather than fail in the engine.
        files[words] = _THEME_LANGUAGE.format(lang=json.dumps(lang))
    return files


_THEME_LANGUAGE = """{{#- Written by helpdesk: the theme has no words for this language yet. -#}}
{{% macro t(key) %}}{{{{ {{"language": {lang}}}[key] }}}}{{% endmacro %}}
"""


@functools.cache
def _theme_has(template: str) -> bool:
    """Whether the engine's theme (Material, found without importing it) has ``template``;
    True when the theme cannot be found, so nothing is added blindly."""
    spec = importlib.util.find_spec("material")
    if spec is None or not spec.submodule_search_locations:
        return True
    return any(
        (Path(folder) / "templates" / template).is_file()
        for folder in spec.submodule_search_locations
    )


def chosen_languages(kb: KnowledgeBase, wanted: list[str] | None) -> list[str]:
    """The languages to build, in configuration order.

    Raises:
        ConfigError: a wanted language is not configured (lists the known ones).
    """
    known = localized.site_languages(kb)
    if not wanted:
        return known
    unknown = [lang for lang in wanted if lang not in known]
    if unknown:
        raise ConfigError(
            f"unknown language {', '.join(map(repr, unknown))}; "
            f"the knowledge base has: {', '.join(known)} (languages in kb/taxonomy.yaml)"
        )
    return [lang for lang in known if lang in wanted]


def build_site(
    kb_dir: Path,
    *,
    site_dir: Path | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    languages: list[str] | None = None,
    one_shot: bool = False,
) -> BuildReport:
    """Build the site from ``kb_dir`` into ``site_dir``, atomically.

    Args:
        kb_dir: the knowledge base folder.
        site_dir: the site folder; defaults to ``site/`` beside the root ``mkdocs.yml``.
        progress: receives the stages; nothing is shown when None.
        today: the rendering date (defaults to today).
        languages: build only these languages (default: every configured one).
        one_shot: the process ends after this build (the ``build`` command). What loading
            and each language's rendering made is then frozen out of the collector's
            reach (``gc.freeze``) instead of scanned by its next run, about a third of a
            second each at 1,000 articles, only to find it alive. Not in a long-lived
            process (a preview, the tests): the cyclic garbage frozen with it would stay.

    Returns:
        Counts and warnings of the build.

    Raises:
        ContentError: the knowledge base or a template has errors (nothing written).
        BuildError: an engine failed (the previous site is left as it was).
        ConfigError: no project folder around ``kb_dir``, or an unknown language.
    """
    progress = progress or QuietProgress()
    today = today or dt.date.today()
    project = find_project(kb_dir, site_dir)
    site_url = public_site_url(project.root)  # a bad address stops the build before any work
    indexer = site_search.SiteIndexer(processes=_index_processes(project, languages))
    contents: list[SiteContent] = []
    side_error: BaseException | None = None
    engine_warnings: list[str] = []
    total = GenerateReport(0, 0, 0)
    new_site: Path | None = None
    try:
        with progress.stage("Checking the knowledge base"):
            with paused_gc(freeze=one_shot):
                kb = load_kb(project.kb_dir, today=today)
            progress.note(f"{len(kb.articles)} articles, {len(kb.site_articles())} on the site")
        every = localized.site_languages(kb)
        chosen = chosen_languages(kb, languages)
        envs = _checked_envs(kb, chosen)  # template syntax and catalog errors: no engine yet
        new_site = _new_site_folder(project)
        with ThreadPoolExecutor(max_workers=len(chosen), thread_name_prefix="engine") as pool:
            runs: list[tuple[str, Future[list[str]]]] = []
            with progress.stage("Rendering and writing pages"):
                for lang in chosen:
                    content = _render_with(
                        kb, envs[lang], today=today, site_url=site_url, lang=lang, freeze=one_shot
                    )
                    contents.append(content)
                    total += generate(project, kb, content)
                    # Started at once: this language builds while the next one renders,
                    # and is indexed for search while the others build.
                    index = functools.partial(
                        indexer.submit, lang, new_site / lang, site_search.synonym_groups(kb, lang)
                    )
                    run = pool.submit(_engine_build, project, lang, new_site, index)
                    runs.append((lang, run))
                    progress.note(lang)
                progress.note(str(total))
            with progress.stage(f"Building the site (MkDocs, {', '.join(chosen)})"):
                for title, step in SIDE_STEPS:
                    try:
                        with progress.stage(title):
                            step(kb, progress)
                    except Exception as exc:  # reported after the engine, see SIDE_STEPS
                        side_error = exc
                        break
                failures: list[BuildError] = []
                for lang, run in runs:
                    try:
                        engine_warnings += [f"[{lang}] {line}" for line in run.result()]
                    except BuildError as exc:
                        failures.append(exc)
                if failures:
                    raise failures[0]
        with progress.stage("Indexing the site for search"):
            indexer.finish().note_each(progress.note)
        with progress.stage("Publishing the new site"):
            root_files.write_root(
                kb,
                new_site,
                every,
                site_url=site_url,
                site_name=site_name(project.root),
                previous=project.site_dir,
            )
            if chosen == every:
                swap_into_place(new_site, project.site_dir)
            else:
                _swap_languages(new_site, project.site_dir, chosen)
    finally:
        indexer.close()  # no process may still be writing into what is removed next
        if new_site is not None:
            shutil.rmtree(new_site, ignore_errors=True)
    if side_error is not None:
        raise side_error
    return BuildReport(
        project=project,
        pages=sum(len(c.pages) for c in contents),
        generate=total,
        languages=chosen,
        warnings=[*kb.warnings, *missing_catalogs(kb.root, every)],
        engine_warnings=engine_warnings,
        notices=[] if site_url else [NO_SITE_URL],
    )


def _index_processes(project: Project, languages: list[str] | None) -> int:
    """How many processes index the languages' sites (none for a small site), decided
    before loading so that they start while the knowledge base is checked.

    Pages and languages are counted from the article files' names (each translation is
    a file ``<id>.<lang>.yaml``), which is close enough for this choice. One process per
    language even beyond the cores: the engines share the cores and finish nearly
    together, and three indexes side by side end sooner than two and then one."""
    names = [translation_name(path) for path in (project.kb_dir / "articles").glob("*.yaml")]
    translated = [named for named in names if named is not None]
    if languages:  # only these languages are built
        count = len(languages)
        pages = (len(names) - len(translated)) * count
    else:
        count = 1 + len({lang for _, lang in translated})
        pages = len(names)
    return count if pages >= site_search.PAGES_FOR_PROCESSES else 0


def _new_site_folder(project: Project) -> Path:
    """A fresh hidden folder beside the site, with the permissions of a normal folder.

    ``mkdtemp`` makes it 0700 (right for a temporary folder, wrong for a published site
    that a web server running as another user must read), so it gets what ``mkdir``
    would have given it under the current umask, 0755 usually.
    """
    parent = project.site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=f".{project.site_dir.name}.new-", dir=parent))
    os.chmod(out, 0o777 & ~_umask())
    return out


def _umask() -> int:
    # The only way to read the umask is to set it; set it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _engine_build(
    project: Project, lang: str, new_site: Path, then: Callable[[], None]
) -> list[str]:
    """Run one language's engine into ``new_site/<lang>``; ``then`` runs once it succeeded."""
    warnings = engine.run_build(
        project.generated_config(lang),
        new_site / lang,
        cwd=project.root,
        label=f"the '{lang}' site",
    )
    then()
    return warnings


def _swap_languages(new_site: Path, site_dir: Path, languages: list[str]) -> None:
    """Swap in only some languages' folders and the root files (``--lang``)."""
    if not site_dir.is_dir():
        os.rename(new_site, site_dir)
        return
    for lang in languages:
        swap_into_place(new_site / lang, site_dir / lang)
    for path in new_site.iterdir():
        if path.is_file():
            os.replace(path, site_dir / path.name)


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
