"""Benchmark of ``helpdesk build`` against the site engine alone (prints figures, asserts nothing).

For each size N (default 1,000 and 10,000) it writes N synthetic articles into a
temporary knowledge base (the real taxonomy, synonyms and templates) -- with
``--languages en,it,es``, each article also in every other language (a translation file
of the same structure, marked current) -- then, in the same run:

1. load+validate and render every language in-process, per article per language (wall
   clock, and the CPU time of each phase -- parse, validate, the rest of the loader,
   render and write per language -- for one language and for all; ``--profile``
   adds cProfile's costliest functions);
2. ``helpdesk build`` end to end in this process (``build_site``, every language side by
   side), by stage;
3. ``--rounds`` times, alternated: the ``helpdesk build`` command as a writer runs it (a
   whole process, into a fresh site folder), the engine alone over the same generated
   folders (one plain ``mkdocs build`` per language, side by side as helpdesk runs them),
   and ``helpdesk build --lang`` of the source language (what "one language" costs);
   medians are compared, and the engine one language after another is timed once;
   beside them, the CPU time (user and kernel) of every process each run started, the
   number of files each wrote, and what creating one small file costs in the run's
   folder (nothing is deleted between timed runs: see ``file_creation_us``; ``--dir``
   puts the run elsewhere);
4. the same generated folders with Zensical, if it is installed (``pip install zensical``;
   it reads the same generated configs).

Targets printed beside the figures: load+validate+render <= 1 ms per article per
language; ``helpdesk build`` <= 1.15x the engine alone; every language well under 3x one
language; 10,000 articles <= 12x the 1,000-article time. The machine's cores are shared,
so run it once or twice and read the figures as noisy.

    .venv/bin/python bench/build.py --languages en,it,es --sizes 1000
    .venv/bin/python bench/build.py                  # English only, 1,000 and 10,000
    .venv/bin/python bench/build.py --languages en,it,es --sizes 1000 --dir /dev/shm
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import functools
import gc
import io
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from helpdesk._gc import paused_gc
from helpdesk.content.articles import BLOCK_KINDS, Article
from helpdesk.content.kb import load_kb
from helpdesk.content.problems import ProblemList, validate_document
from helpdesk.content.translation import ArticleTranslation
from helpdesk.content.translations import article_parts
from helpdesk.content.yaml import parse_yaml
from helpdesk.publish import engine
from helpdesk.publish.build import build_site, generate, render_site
from helpdesk.publish.config import Project, find_project

REPO = Path(__file__).resolve().parents[1]
T = TypeVar("T")


class Timings:
    """A ``Progress`` that records how long each build stage took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, title: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[title] = time.perf_counter() - start

    def note(self, message: str) -> None:
        pass


def make_project(root: Path, n: int, languages: list[str], seed: int = 7) -> Path:
    """A project folder with the real config/taxonomy/templates and ``n`` synthetic articles,
    each translated into every language after the first."""
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    kb = root / "kb"
    (kb / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "kb" / "templates", kb / "templates")
    for path in sorted((REPO / "kb").glob("*.yaml")):
        if path.name.startswith(("taxonomy", "synonyms")):
            shutil.copy(path, kb / path.name)
    taxonomy = yaml.safe_load((kb / "taxonomy.yaml").read_text(encoding="utf-8"))
    taxonomy["languages"] = languages
    # The real home's featured articles and categories' weights name real articles,
    # which this synthetic knowledge base does not have.
    taxonomy.pop("featured", None)
    for category in taxonomy["categories"]:
        category.pop("weights", None)
    (kb / "taxonomy.yaml").write_text(yaml.safe_dump(taxonomy, sort_keys=False), encoding="utf-8")
    for extra in kb.glob("*.*.yaml"):  # labels/synonyms of languages this run does not build
        if extra.name.split(".")[1] not in languages:
            extra.unlink()
    categories = [c["id"] for c in taxonomy["categories"]]
    tags = [t["id"] for t in taxonomy["tags"]]
    rng = random.Random(seed)
    for i in range(n):
        (kb / "articles" / f"article-{i}.yaml").write_text(
            _article(i, n, rng, categories, tags), encoding="utf-8"
        )
    if len(languages) > 1:
        _translate(kb, n, languages[1:])
    return kb


def _translate(kb: Path, n: int, languages: list[str]) -> None:
    """A translation of every article in each language, marked current (its source digest)."""
    from helpdesk.content.kb import load_kb as load_sources

    sources = load_sources(kb)
    for i in range(n):
        article = sources.articles[f"article-{i}"]
        digest = article_parts(article).digest()
        for lang in languages:
            text = _article_translation(i, n, lang, digest)
            (kb / "articles" / f"article-{i}.{lang}.yaml").write_text(text, encoding="utf-8")


def _article_translation(i: int, n: int, lang: str, digest: str) -> str:
    other = (i * 7 + 3) % n if n > 1 else i
    link = f" [{lang}](kb:article-{other})." if other != i else ""
    return f"""id: article-{i}
lang: {lang}
source_digest: "{digest}"
title: Articolo sintetico {i} ({lang}) su accesso e dispositivi
summary: Un articolo generato per misurare la build; ha passaggi, schede e una tabella.
body:
  - paragraph: >-
      Articolo {i} in {lang}: cosa fare quando l'app chiede qualcosa di nuovo, con
      abbastanza testo da sembrare una pagina vera.{link}
  - heading: Cosa fare
  - steps:
      - Apri il Workspace nel browser e accedi.
      - text: Vai in **Profile Settings** e apri la scheda **Security**.
        note: Gli account meno recenti la mostrano in **User Menu**.
      - Fai clic su **Save**.
  - tabs:
      - platform: windows
        body:
          - paragraph: Su Windows riavvia il client dopo il salvataggio.
          - steps: [Chiudi il client., Avvialo di nuovo.]
      - platform: android
        body:
          - paragraph: Su Android trascina verso il basso per aggiornare.
      - platform: ios
        body:
          - paragraph: Su iOS chiudi l'app e riaprila.
  - admonition:
      kind: tip
      text: Se non cambia nulla, esci e accedi di nuovo.
  - table:
      columns: [Prodotto, Versione, Note]
      rows:
        - [Client Windows, "20.0", Chiede un PIN]
        - [App Cloud, "1.5", Chiede un PIN]
"""


def _article(i: int, n: int, rng: random.Random, categories: list[str], tags: list[str]) -> str:
    other = (i * 7 + 3) % n if n > 1 else i
    related = f"related: [article-{other}]\n" if other != i else ""
    link = f" See [a related article](kb:article-{other})." if other != i else ""
    chosen = ", ".join(rng.sample(tags, 2))
    return f"""id: article-{i}
title: Synthetic article number {i} about signing in and devices
summary: A generated article used to measure how the build scales; it has steps, tabs and a table.
category: {categories[i % len(categories)]}
updated: 2025-{1 + i % 12:02d}-{1 + i % 28:02d}
tags: [{chosen}]
products: [windows-client, mobile-app]
applies_to:
  windows-client: ">=20.0"
{related}body:
  - paragraph: >-
      This is article {i}. It explains what to do when the app asks for something new,
      with enough text to look like a real page.{link}
  - heading: What to do
  - steps:
      - Open the Workspace in a browser and sign in.
      - text: Go to **Profile Settings** and open the **Security** tab.
        note: Older accounts show this under **User Menu**.
      - Click **Save**.
  - tabs:
      - platform: windows
        body:
          - paragraph: On Windows, restart the client after saving.
          - steps: [Close the client., Start it again.]
      - platform: android
        body:
          - paragraph: On Android, pull down to refresh.
      - platform: ios
        body:
          - paragraph: On iOS, close the app and open it again.
  - admonition:
      kind: tip
      text: If nothing changes, sign out and in again.
  - table:
      columns: [Product, Version, Notes]
      rows:
        - [Windows client, "20.0", Asks for a PIN]
        - [Cloud app, "1.5", Asks for a PIN]
"""


def run_zensical(project: Path, languages: list[str]) -> tuple[float | None, str]:
    """Build the generated folders with Zensical, side by side; (seconds or None, message)."""
    exe = Path(sys.executable).with_name("zensical")
    if not exe.exists():
        return None, "zensical is not installed (pip install zensical); skipped"
    # Zensical requires docs_dir and site_dir inside the config file's folder, so each
    # language gets its own generated config in build/<lang>/ (same INHERIT, nav, pages).
    configs = []
    for lang in languages:
        folder = project / "build" / lang
        generated = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
        generated.update(docs_dir="docs", site_dir="site-zensical")
        config = folder / "zensical.yml"
        config.write_text(yaml.safe_dump(generated, sort_keys=False), encoding="utf-8")
        configs.append(config)

    def one(config: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe), "build", "--clean", "--config-file", str(config)],
            cwd=config.parent,
            capture_output=True,
            text=True,
            check=False,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(configs)) as pool:
        results = list(pool.map(one, configs))
    seconds = time.perf_counter() - start
    for result in results:
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
            return None, f"zensical failed (exit {result.returncode}): " + " | ".join(tail)
    pages = sum(
        1
        for lang in languages
        for _ in (project / "build" / lang / "site-zensical").rglob("*.html")
    )
    return seconds, f"{pages} HTML files"


@dataclass
class Run:
    """One timed run: its wall clock, the CPU of the processes it started (getrusage of
    the waited children, user and kernel) and the files it wrote."""

    seconds: float = 0.0
    user: float = 0.0
    system: float = 0.0
    files: int = 0


@contextlib.contextmanager
def timed_run() -> Iterator[Run]:
    """Times the block and the child processes that end inside it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = Run()
    start = time.perf_counter()
    yield run
    run.seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.user, run.system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def file_creation_us(folder: Path, count: int = 400) -> tuple[float, float]:
    """Microseconds of wall clock and of kernel time to create one small file in a new
    folder two levels under ``folder`` (where a site's pages and search files go).

    The usual figure is 0.02-0.03 ms. On ext4 it can be 0.3-0.7 ms: for 30 seconds after
    a file is deleted the kernel will not reuse its inode, and every new file scans past
    each such inode of its group (``recently_deleted`` in ``find_inode_bit``). So the
    runs here never delete between timings (see ``discard``), and this says what the
    folder costs.
    """
    probe = folder / "file-probe" / "sub"
    probe.mkdir(parents=True)
    try:
        start_cpu, start = resource.getrusage(resource.RUSAGE_SELF).ru_stime, time.perf_counter()
        for i in range(count):
            (probe / f"{i}.json").write_bytes(b'{"n": 1}')
        wall = time.perf_counter() - start
        kernel = resource.getrusage(resource.RUSAGE_SELF).ru_stime - start_cpu
    finally:
        discard(folder / "file-probe", folder)
    return wall / count * 1e6, kernel / count * 1e6


def discard(path: Path, project: Path) -> None:
    """Move ``path`` out of the way, into the project's trash, deleted with the project.

    Deleting thousands of files just before a timed run would slow that run's own file
    creation for half a minute (see ``file_creation_us``), and the more so the more files
    it writes: a rename frees no inode.
    """
    if path.exists():
        trash = project / ".bench-trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.monotonic_ns()}")


def file_count(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def settle() -> None:
    """Flush what earlier runs wrote before the next timed one starts: thousands of new
    files leave the file system work for its next journal commit, which would land
    inside whichever run came next; ``sync`` does it now, outside the timing."""
    os.sync()


def engines_alone(project: Path, languages: list[str], *, side_by_side: bool) -> Run:
    """The plain engine over the generated folders: one ``mkdocs build`` per language."""
    paths = find_project(project / "kb")
    out = Path(tempfile.mkdtemp(dir=project, prefix="engine-"))

    def one(lang: str) -> list[str]:
        return engine.run_build(paths.generated_config(lang), out / lang, cwd=project)

    settle()
    with timed_run() as run:
        if side_by_side:
            with ThreadPoolExecutor(max_workers=len(languages)) as pool:
                list(pool.map(one, languages))
        else:
            for lang in languages:
                one(lang)
    run.files = file_count(out)
    discard(out, project)
    return run


def _cpu(work: Callable[[], T]) -> tuple[float, T]:
    """CPU time of ``work`` with the cyclic GC paused, as the build runs loading and
    rendering; the collection of what earlier phases left is done first, untimed, so
    that no phase pays for another's objects (it made parsing look four times dearer
    than it is, and the loader's other parts cost less than nothing)."""
    gc.collect()
    start = time.process_time()
    with paused_gc():
        result = work()
    return time.process_time() - start, result


def phases(
    project: Path, kb_dir: Path, languages: list[str], n: int, *, profile: bool
) -> dict[str, float]:
    """CPU time (``time.process_time``, which other processes on shared cores do not
    inflate) of each phase, for one language and for all, printed as a table.

    The loader's parts are measured by doing each part's work on its own over the same
    files (parse every file; validate every parsed document), then the whole
    ``load_kb``; what the whole costs beyond the parts is the cross-file checks and the
    translations' digests and structure checks. Writing goes to fresh folders.
    """
    files = sorted(kb_dir.rglob("*.yaml"))
    articles = [p for p in files if p.parent.name == "articles"]
    parse_s, docs = _cpu(lambda: {p: parse_yaml(p) for p in files})
    problems = ProblemList(kb_dir)

    def validate() -> None:
        for path in articles:
            model = ArticleTranslation if "." in path.stem else Article
            validate_document(docs[path], model, problems, tags=BLOCK_KINDS)

    validate_s, _ = _cpu(validate)
    load_s, kb = _cpu(functools.partial(load_kb, kb_dir))
    today = kb.articles["article-0"].updated
    # Written into a folder of its own, fresh, so the builds below start as they did.
    out = project / "phases"
    out.mkdir()
    shutil.copy(project / "mkdocs.yml", out / "mkdocs.yml")
    paths = Project(root=out, kb_dir=kb_dir, site_dir=out / "site")
    render_s: dict[str, float] = {}
    write_s: dict[str, float] = {}
    for lang in languages:
        render_s[lang], content = _cpu(functools.partial(render_site, kb, today=today, lang=lang))
        write_s[lang], _ = _cpu(functools.partial(generate, paths, kb, content))
    render_all, write_all = sum(render_s.values()), sum(write_s.values())
    units = n * len(languages)

    def row(title: str, seconds: float, per: int) -> None:
        print(f"  {title:<46} {seconds:7.2f} s  {seconds / per * 1000:7.3f} ms/article/lang")

    print(f"CPU time per phase ({len(files):,} YAML files, time.process_time):")
    row("parse YAML (every file)", parse_s, units)
    row("validate articles and translations (pydantic)", validate_s, units)
    row("cross-checks, digests, structure (the rest)", load_s - parse_s - validate_s, units)
    row("load_kb in all", load_s, units)
    for lang in languages:
        row(f"render {lang}", render_s[lang], n)
        row(f"write {lang} (fresh folder)", write_s[lang], n)
    first = languages[0]
    one = (load_s + render_s[first]) / n * 1000
    row(f"load+validate+render, one language ({first})", load_s + render_s[first], n)
    row(f"load+validate+render, {len(languages)} language(s)", load_s + render_all, units)
    row(f"write, {len(languages)} language(s)", write_all, units)
    if profile:
        _profile(kb_dir, languages, today)
    return {
        "load": load_s,
        "render": render_all,
        "per_article_ms": (load_s + render_all) / units * 1000,
        "one_language_ms": one,
    }


def _profile(kb_dir: Path, languages: list[str], today: dt.date) -> None:
    """cProfile of load+render (every language): the 25 costliest functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    kb = load_kb(kb_dir)
    for lang in languages:
        render_site(kb, today=today, lang=lang)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def command_build(project: Path, kb_dir: Path, languages: list[str] | None = None) -> Run:
    """``helpdesk build`` as a command, into a fresh site folder (as the engine alone
    writes into a fresh one: replacing an old site costs its deletion)."""
    discard(project / "site", project)
    wanted = [arg for lang in languages or [] for arg in ("--lang", lang)]
    command = [sys.executable, "-m", "helpdesk", "build", "--kb", str(kb_dir), *wanted]
    settle()
    with timed_run() as run:
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"helpdesk build failed:\n{result.stdout}\n{result.stderr}")
    run.files = file_count(project / "site")
    return run


def bench(
    n: int,
    languages: list[str],
    *,
    zensical: bool,
    profile: bool = False,
    rounds: int = 3,
    folder: Path | None = None,
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"helpdesk-bench-{n}-", dir=folder) as tmp:
        project = Path(tmp)
        kb_dir = make_project(project, n, languages)

        # load+validate and render on their own, in-process, per article per language.
        start = time.perf_counter()
        kb = load_kb(kb_dir)
        loaded = time.perf_counter()
        today = kb.articles["article-0"].updated
        pages = 0
        for lang in languages:
            pages += len(render_site(kb, today=today, lang=lang).pages)
        rendered = time.perf_counter()
        load_s, render_s = loaded - start, rendered - loaded
        cpu = phases(project, kb_dir, languages, n, profile=profile)

        timings = Timings()
        start = time.perf_counter()
        build_site(kb_dir, progress=timings, one_shot=True)  # by stage, in this process
        in_process = time.perf_counter() - start

        # The command as a writer runs it, whole process included, and the engine alone
        # over the folders it generated, in turn, so that a noisy neighbour slows both.
        probe_wall, probe_kernel = file_creation_us(project)
        builds: list[Run] = []
        engines: list[Run] = []
        ones: list[Run] = []
        for _ in range(rounds):
            ones.append(command_build(project, kb_dir, languages[:1]))
            builds.append(command_build(project, kb_dir))
            engines.append(engines_alone(project, languages, side_by_side=True))
        totals, plains = [r.seconds for r in builds], [r.seconds for r in engines]
        one_language = statistics.median(r.seconds for r in ones)
        total, plain = statistics.median(totals), statistics.median(plains)
        sequential = (
            engines_alone(project, languages, side_by_side=False).seconds
            if len(languages) > 1
            else plain
        )
        z_seconds, z_message = run_zensical(project, languages) if zensical else (None, "skipped")

    units = n * len(languages)
    per_article_ms = (load_s + render_s) / units * 1000
    print(
        f"\n== {n:,} articles x {len(languages)} language(s) ({', '.join(languages)}): "
        f"{pages:,} pages =="
    )
    print(f"load+validate          {load_s:8.2f} s   {load_s / units * 1000:6.3f} ms/article/lang")
    print(
        f"render (all languages) {render_s:8.2f} s   {render_s / units * 1000:6.3f} ms/article/lang"
    )
    target = "ok" if per_article_ms <= 1.0 else "OVER"
    print(
        f"load+validate+render   {load_s + render_s:8.2f} s   {per_article_ms:6.3f} ms/article/lang"
        f"   (target <= 1 ms: {target})"
    )
    print(
        f"  CPU time: load+validate {cpu['load'] / units * 1000:6.3f}, render "
        f"{cpu['render'] / units * 1000:6.3f}, together {cpu['per_article_ms']:6.3f} "
        f"ms/article/lang   (target <= 1 ms: {'ok' if cpu['per_article_ms'] <= 1.0 else 'OVER'})"
    )
    print(f"helpdesk build, in this process, by stage: {in_process:.2f} s")
    for title, seconds in timings.seconds.items():
        print(f"  build stage: {title:<44} {seconds:8.2f} s")
    # The site search (publish/site_search.py) indexes each language's HTML as soon as its
    # engine is done, on processes of its own; the stage is the wait for what is left.
    indexing = sum(v for k, v in timings.seconds.items() if "for search" in k)
    print(
        f"helpdesk build (total) {total:8.2f} s   (the command, whole process, languages side "
        f"by side, with the index; median of {rounds})"
    )
    print(f"  waiting for the index{indexing:8.2f} s   (after the engines, in the by-stage build)")
    print(f"helpdesk build --lang {languages[0]} {one_language:7.2f} s   (one language)")
    print(
        f"engine alone           {plain:8.2f} s   (plain mkdocs build per language, side by side)"
    )
    if len(languages) > 1:
        print(
            f"engine alone, in turn  {sequential:8.2f} s   (the same, one language after another)"
        )
    ratio = total / plain
    verdict = "ok" if ratio <= 1.15 else "OVER"
    print(f"ratio helpdesk/engine  {ratio:8.2f} x   (target <= 1.15: {verdict})")
    each = ", ".join(f"{t / e:.2f}" for t, e in zip(totals, plains, strict=True))
    print(f"  each round           {each}")

    def core_seconds(runs: list[Run]) -> str:
        user = statistics.median(c.user for c in runs)
        system = statistics.median(c.system for c in runs)
        return f"{user + system:6.1f} core-s ({user:.1f} user, {system:.1f} kernel)"

    print(f"  CPU, helpdesk build  {core_seconds(builds)}   (medians; every process it ran)")
    print(f"  CPU, engine alone    {core_seconds(engines)}")
    print(
        f"  files written        {builds[-1].files:,} by helpdesk build,"
        f" {engines[-1].files:,} by the engine alone; creating one file in this folder:"
        f" {probe_wall:.0f} us ({probe_kernel:.0f} us of it in the kernel)"
    )
    if len(languages) > 1:
        scale = total / one_language
        verdict = "ok" if scale < 0.75 * len(languages) else "OVER"
        print(
            f"all / one language     {scale:8.2f} x   "
            f"(target well under {len(languages)}x: {verdict})"
        )
    if z_seconds is not None:
        print(
            f"zensical build         {z_seconds:8.2f} s   ({z_message}; "
            f"{plain / z_seconds:.1f}x faster than MkDocs)"
        )
    else:
        print(f"zensical build              n/a   ({z_message})")
    return {
        "total": total,
        "plain": plain,
        "per_article_ms": per_article_ms,
        "cpu_per_article_ms": cpu["per_article_ms"],
    }


def warm_up(languages: list[str]) -> None:
    """One small untimed build, so imports and the theme's files are warm for every engine."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-warm-") as tmp:
        build_site(make_project(Path(tmp), 10, languages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument(
        "--languages",
        default="en",
        help="comma-separated, the source first (default: en), e.g. en,it,es",
    )
    parser.add_argument("--no-zensical", action="store_true", help="skip the Zensical build")
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's costliest functions of load+render"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="builds and engine-alone runs, alternated; medians are printed (default: 3)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where the temporary projects go (default: the system's temporary folder)",
    )
    args = parser.parse_args()
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    warm_up(languages)
    results = {
        n: bench(
            n,
            languages,
            zensical=not args.no_zensical,
            profile=args.profile,
            rounds=args.rounds,
            folder=args.dir,
        )
        for n in args.sizes
    }
    if 1_000 in results and 10_000 in results:
        scale = results[10_000]["total"] / results[1_000]["total"]
        verdict = "ok" if scale <= 12 else "OVER"
        print(f"\n10,000 / 1,000 articles: {scale:.1f} x   (target <= 12: {verdict})")


if __name__ == "__main__":
    main()
