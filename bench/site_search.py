"""Benchmark of the help site's search (helpdesk's own index, publish/site_search.py) against lunr.

Prints figures, asserts nothing. For each size N (default 1,000 and 10,000 generated
articles in one language) it builds a temporary project with ``helpdesk build`` and, in
the same run, MkDocs' own lunr search (``plugins: [search]`` in the bench's copy of
mkdocs.yml, so both indexes describe the same pages), serves ``site/`` on loopback and
measures in headless Chromium, for each query of a fixed list:

* bytes a browser downloads for search until the query's results are shown (a fresh
  browser context per query, so nothing is cached; typed one key at a time, so the
  partial queries' lookups count too): for ours everything under ``hd-search/`` plus
  ``assets/search.js``; for lunr ``search/search_index.json`` and Material's search
  worker (which a page fetches on load, before anyone types). Sizes are as a server
  that compresses would send them (gzip of each file; the Python test server itself
  does not compress), and the raw JSON size of lunr's index is printed too;
* time from the last keystroke to results: for ours, "typed" (key by key on a fresh
  page: earlier keys already fetched most chunks) and "pasted" (all but the last key
  pasted at once in a page that ran other queries, so every word is looked up anew on
  the last key), until the results list shows that query (the whole UI: query layer, index files,
  fragments, rendering); for lunr, Material's own search worker queried directly
  (index already loaded; no rendering), which flatters lunr a little.

At 1,000 articles it also builds once with the real config (no lunr) and prints how
much the index step adds to ``helpdesk build``. Targets (issue 15): at most 300 kB
before the first result at 10,000 articles, results under 100 ms after the last
keystroke at 10,000, index build at most +15% of ``helpdesk build`` at 1,000.

The machine is shared; run it once or twice and read the figures as rough.

    .venv/bin/python bench/site_search.py                 # 1,000 and 10,000
    .venv/bin/python bench/site_search.py --sizes 1000
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from helpdesk.publish.build import build_site

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERIES = [
    "pin android",
    "activation code",
    "reset pasword",
    "account locked",
    "kestrovan",
    "velmora tablet",
    "manager wants to turn off mfa for employee",
    "windows client 20.0",
]
SYLLABLES = [
    "ka",
    "ve",
    "lo",
    "mi",
    "ran",
    "tor",
    "sel",
    "qui",
    "pha",
    "dor",
    "nes",
    "ul",
    "tri",
    "bo",
    "zen",
    "mar",
    "cal",
    "vi",
    "ost",
    "ren",
]


class Timings:
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


def made_up_words(count: int, rng: random.Random) -> list[str]:
    """Pronounceable words that exist nowhere else, so the index vocabulary grows with N."""
    out: set[str] = {"kestrovan", "velmora"}
    while len(out) < count:
        out.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(out)


def make_project(root: Path, n: int, *, lunr: bool, seed: int = 11) -> Path:
    """A project with the real taxonomy, synonyms and templates and ``n`` generated articles."""
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if lunr:
        config = config.replace("plugins: []", "plugins: [search]")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    kb = root / "kb"
    (kb / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "kb" / "templates", kb / "templates")
    taxonomy = yaml.safe_load((REPO / "kb" / "taxonomy.yaml").read_text(encoding="utf-8"))
    taxonomy.pop("featured", None)
    for category in taxonomy["categories"]:
        category.pop("weights", None)
    taxonomy["languages"] = ["en"]
    (kb / "taxonomy.yaml").write_text(yaml.safe_dump(taxonomy), encoding="utf-8")
    shutil.copy(REPO / "kb" / "synonyms.yaml", kb / "synonyms.yaml")
    rng = random.Random(seed)
    vocabulary = made_up_words(max(200, n // 2), rng)
    categories = [c["id"] for c in taxonomy["categories"]]
    tags = [t["id"] for t in taxonomy["tags"]]
    topics = ["PIN", "activation code", "password", "locked account", "tablet", "MFA", "scanner"]
    for i in range(n):
        words = rng.sample(vocabulary, 6)
        topic = topics[i % len(topics)]
        (kb / "articles" / f"article-{i}.yaml").write_text(
            f"""id: article-{i}
title: {words[0].capitalize()} {words[1]} and the {topic} ({i})
summary: What to do when the {topic} screen shows {words[2]} on a {words[3]} device.
category: {categories[i % len(categories)]}
updated: 2025-{1 + i % 12:02d}-{1 + i % 28:02d}
tags: [{", ".join(rng.sample(tags, 2))}]
platforms: [{["windows", "android", "ios"][i % 3]}]
body:
  - paragraph: >-
      Article {i} is about {words[0]} {words[1]}. When the {topic} asks for {words[4]},
      open the Workspace and check {words[5]} before you try again.
  - steps:
      - Open the Workspace in a browser and sign in.
      - text: Go to **Profile Settings** and open the **{words[2].capitalize()}** tab.
      - Click **Save**.
  - tabs:
      - platform: windows
        body:
          - paragraph: On Windows restart the client after saving {words[3]}.
      - platform: android
        body:
          - paragraph: On Android pull down to refresh.
""",
            encoding="utf-8",
        )
    return kb


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)


TIMED_LAST_KEY = """(q) => {
  const input = document.querySelector('#hd-home-input');
  const list = document.querySelector('#hd-home-panel ol');
  window.hdDone = null;
  new MutationObserver((changes, observer) => {
    if (list.getAttribute('data-query') === q && window.hdDone === null) {
      window.hdDone = performance.now() - window.hdStart;
      observer.disconnect();
    }
  }).observe(list, {attributes: true, childList: true});
  input.addEventListener('keydown', () => { window.hdStart = performance.now(); }, {once: true});
}"""


def timed_last_key(page: Any, query: str, *, typed: bool) -> float:
    """Type all but the last key, wait for those results, then time the last key in the page."""
    box = page.locator("#hd-home-input")
    prefix = query[:-1]
    if typed:
        box.press_sequentially(prefix, delay=30)
    else:
        box.fill(prefix)
    page.wait_for_function(
        "(q) => document.querySelector('#hd-home-panel ol').getAttribute('data-query') === q",
        arg=prefix.strip(),
        timeout=60_000,
    )
    page.evaluate(TIMED_LAST_KEY, query)
    box.press(query[-1])
    page.wait_for_function("() => window.hdDone !== null", timeout=60_000)
    return float(page.evaluate("() => window.hdDone"))


def measure_ours(browser: Any, url: str, query: str) -> tuple[int, float]:
    """(search bytes until the query's results, ms from the last keystroke to results)."""
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = {}

    def on_response(response: Any) -> None:
        if "/hd-search/" in response.url or response.url.endswith("/assets/search.js"):
            with contextlib.suppress(Exception):
                body = response.body()
                # What a server that compresses (as any web server is set up to) would send.
                sizes[response.url] = min(len(body), len(gzip.compress(body)))

    page.on("response", on_response)
    page.goto(url)
    elapsed = timed_last_key(page, query, typed=True)
    context.close()
    return sum(sizes.values()), elapsed


def measure_ours_warm(browser: Any, url: str) -> list[float]:
    """Each query in one page after the others: the index runtime and chunks are loaded."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    times = [timed_last_key(page, query, typed=False) for query in QUERIES]
    context.close()
    return times


LUNR_PAGE = """async ([indexUrl, workerUrl, queries]) => {
  const response = await fetch(indexUrl);
  const text = await response.text();
  const worker = new Worker(workerUrl);
  const next = () => new Promise((resolve) => worker.addEventListener('message',
      (e) => resolve(e.data), {once: true}));
  worker.postMessage({type: 0, data: JSON.parse(text)});   // SETUP
  await next();                                             // READY
  const times = [];
  for (const q of queries) {
    const t0 = performance.now();
    worker.postMessage({type: 2, data: q});                 // QUERY
    await next();                                           // RESULT
    times.push(performance.now() - t0);
  }
  worker.terminate();
  return {bytes: text.length, times};
}"""


def measure_lunr(browser: Any, url: str, site: Path) -> tuple[int, int, int, list[float]]:
    """(index bytes, gzip bytes, worker bytes, query times) with Material's lunr worker."""
    workers = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    index = site / "search" / "search_index.json"
    if not workers or not index.is_file():
        return 0, 0, 0, []
    worker = workers[0]
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    result = page.evaluate(
        LUNR_PAGE,
        [
            url + "search/search_index.json",
            url + worker.relative_to(site).as_posix(),
            QUERIES,
        ],
    )
    context.close()
    raw = index.read_bytes()
    return len(raw), len(gzip.compress(raw)), worker.stat().st_size, list(result["times"])


def build(n: int, *, lunr: bool) -> tuple[Path, Timings, float]:
    root = Path(tempfile.mkdtemp(prefix=f"site-search-{n}-"))
    kb = make_project(root, n, lunr=lunr)
    timings = Timings()
    start = time.perf_counter()
    build_site(kb, progress=timings)
    return root, timings, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    index_stage = "Indexing the site for search"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in args.sizes:
            if n == 1000:
                root, timings, total = build(n, lunr=False)
                index = timings.seconds.get(index_stage, 0.0)
                print(
                    f"\n== {n} articles: helpdesk build {total:.1f} s, of which the index "
                    f"step {index:.2f} s = +{100 * index / max(total - index, 1e-9):.1f}% "
                    "(target <= +15%)"
                )
                shutil.rmtree(root, ignore_errors=True)
            root, timings, total = build(n, lunr=True)
            site = root / "site"
            index = timings.seconds.get(index_stage, 0.0)
            print(f"\n== {n} articles (with lunr too): build {total:.1f} s, index {index:.2f} s")
            with serving(site) as url:
                cold = [measure_ours(browser, url, q) for q in QUERIES]
                warm = measure_ours_warm(browser, url)
                lunr_bytes, lunr_gzip, worker_bytes, lunr_times = measure_lunr(browser, url, site)
            print(f"{'query':44} {'ours: kB until results':>23} {'typed ms':>9} {'pasted ms':>10}")
            for query, (size, ms), warm_ms in zip(QUERIES, cold, warm, strict=True):
                print(f"{query:44} {size / 1024:23.1f} {ms:9.0f} {warm_ms:10.0f}")
            print(
                f"ours: max {max(s for s, _ in cold) / 1024:.1f} kB before the first result "
                f"(target <= 300 kB at 10,000); last keystroke to results median "
                f"{statistics.median(ms for _, ms in cold):.0f} ms typed key by key, "
                f"{statistics.median(warm):.0f} ms with the rest pasted "
                "(target < 100 ms)"
            )
            if lunr_times:
                print(
                    f"lunr: {(lunr_gzip + worker_bytes) / 1024:.1f} kB on every page load "
                    f"(index {lunr_gzip / 1024:.1f} kB gzipped, {lunr_bytes / 1024:.1f} kB raw; "
                    f"worker {worker_bytes / 1024:.1f} kB); query median "
                    f"{statistics.median(lunr_times):.0f} ms (worker only, no rendering)"
                )
            shutil.rmtree(root, ignore_errors=True)
        browser.close()


if __name__ == "__main__":
    main()
