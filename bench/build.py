"""Benchmark of ``helpdesk build`` against the site engine alone (prints figures, asserts nothing).

For each size N (default 1,000 and 10,000) it writes N synthetic articles into a
temporary knowledge base (the real taxonomy, synonyms and templates), then:

1. runs ``helpdesk build`` end to end (``build_site``) and times each stage;
2. runs a plain ``mkdocs build`` over the same generated pages and nav (engine alone);
3. builds the same generated folder with Zensical, if it is installed
   (``pip install zensical``; it reads the same mkdocs.yml).

Targets printed beside the figures: load+validate+render <= 1 ms per article;
``helpdesk build`` <= 1.15x the plain MkDocs build at 1,000 articles; 10,000
articles <= 12x the 1,000-article time.

    .venv/bin/python bench/build.py                  # 1,000 and 10,000
    .venv/bin/python bench/build.py --sizes 200 1000
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from helpdesk.content.kb import load_kb
from helpdesk.publish import engine
from helpdesk.publish.build import build_site, render_site
from helpdesk.publish.config import find_project
from helpdesk.search.keywords import search_keywords

REPO = Path(__file__).resolve().parents[1]


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


def make_project(root: Path, n: int, seed: int = 7) -> Path:
    """A project folder with the real config/taxonomy/templates and ``n`` synthetic articles."""
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    kb = root / "kb"
    (kb / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "kb" / "templates", kb / "templates")
    for name in ("taxonomy.yaml", "synonyms.yaml"):
        if (REPO / "kb" / name).is_file():
            shutil.copy(REPO / "kb" / name, kb / name)
    taxonomy = yaml.safe_load((kb / "taxonomy.yaml").read_text(encoding="utf-8"))
    categories = [c["id"] for c in taxonomy["categories"]]
    tags = [t["id"] for t in taxonomy["tags"]]
    rng = random.Random(seed)
    for i in range(n):
        (kb / "articles" / f"article-{i}.yaml").write_text(
            _article(i, n, rng, categories, tags), encoding="utf-8"
        )
    return kb


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


def run_zensical(project: Path) -> tuple[float | None, str]:
    """Build the generated folder with Zensical; returns (seconds or None, message)."""
    exe = Path(sys.executable).with_name("zensical")
    if not exe.exists():
        return None, "zensical is not installed (pip install zensical); skipped"
    # Zensical requires docs_dir and site_dir inside the config file's folder, so it
    # gets its own generated config in build/ (same INHERIT, nav and pages).
    generated = yaml.safe_load((project / "build" / "mkdocs.yml").read_text(encoding="utf-8"))
    generated.update(docs_dir="docs", site_dir="site-zensical")
    config = project / "build" / "zensical.yml"
    config.write_text(yaml.safe_dump(generated, sort_keys=False), encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run(
        [str(exe), "build", "--clean", "--config-file", str(config)],
        cwd=project / "build",
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        return None, f"zensical failed (exit {result.returncode}): " + " | ".join(tail)
    pages = sum(1 for _ in (project / "build" / "site-zensical").rglob("index.html"))
    return seconds, f"{pages} pages"


def bench(n: int, *, zensical: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"helpdesk-bench-{n}-") as tmp:
        project = Path(tmp)
        kb_dir = make_project(project, n)

        # load+validate and render on their own, in-process, per article.
        start = time.perf_counter()
        kb = load_kb(kb_dir)
        loaded = time.perf_counter()
        content = render_site(kb, today=kb.articles["article-0"].updated)
        rendered = time.perf_counter()
        load_s, render_s = loaded - start, rendered - loaded
        start = time.perf_counter()
        for article in kb.site_articles():
            search_keywords(article, kb)
        keywords_s = time.perf_counter() - start

        timings = Timings()
        start = time.perf_counter()
        build_site(kb_dir, progress=timings)
        total = time.perf_counter() - start

        paths = find_project(kb_dir)
        with tempfile.TemporaryDirectory(dir=project) as out:
            start = time.perf_counter()
            engine.run_build(paths.generated_config, Path(out), cwd=project)
            plain = time.perf_counter() - start

        z_seconds, z_message = run_zensical(project) if zensical else (None, "skipped")

    per_article_ms = (load_s + render_s) / n * 1000
    print(f"\n== {n:,} articles ({len(content.pages):,} pages) ==")
    print(f"load+validate          {load_s:8.2f} s   {load_s / n * 1000:6.3f} ms/article")
    print(f"render                 {render_s:8.2f} s   {render_s / n * 1000:6.3f} ms/article")
    print(
        f"  of which keywords    {keywords_s:8.2f} s   {keywords_s / n * 1000:6.3f} ms/article"
        "   (helpdesk.search.search_keywords)"
    )
    target = "ok" if per_article_ms <= 1.0 else "OVER"
    print(
        f"load+validate+render   {load_s + render_s:8.2f} s   {per_article_ms:6.3f} ms/article"
        f"   (target <= 1 ms: {target})"
    )
    for title, seconds in timings.seconds.items():
        print(f"  build stage: {title:<36} {seconds:8.2f} s")
    print(f"helpdesk build (total) {total:8.2f} s   (search index updated while the engine runs)")
    print(f"plain mkdocs build     {plain:8.2f} s   (same pages and nav, engine alone)")
    ratio = total / plain
    verdict = "ok" if ratio <= 1.15 else "OVER"
    print(f"ratio helpdesk/mkdocs  {ratio:8.2f} x   (target <= 1.15: {verdict})")
    if z_seconds is not None:
        print(
            f"zensical build         {z_seconds:8.2f} s   ({z_message}; "
            f"{plain / z_seconds:.1f}x faster than MkDocs)"
        )
    else:
        print(f"zensical build              n/a   ({z_message})")
    return {"total": total, "plain": plain, "per_article_ms": per_article_ms}


def warm_up() -> None:
    """One small untimed build, so imports and the theme's files are warm for every engine."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-warm-") as tmp:
        build_site(make_project(Path(tmp), 10))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--no-zensical", action="store_true", help="skip the Zensical build")
    args = parser.parse_args()
    warm_up()
    results = {n: bench(n, zensical=not args.no_zensical) for n in args.sizes}
    if 1_000 in results and 10_000 in results:
        scale = results[10_000]["total"] / results[1_000]["total"]
        verdict = "ok" if scale <= 12 else "OVER"
        print(f"\n10,000 / 1,000 articles: {scale:.1f} x   (target <= 12: {verdict})")


if __name__ == "__main__":
    main()
