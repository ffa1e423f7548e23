"""The help site's own search in Chromium: as good as ``helpdesk search`` on the same questions.

The real ``kb/`` is built once (the build indexes the built pages) and served on loopback.
Every query of the CLI's relevance suites (``tests/search/relevance*.yaml``, the customer
ones: agent-only articles are not on the site) is typed into the home page's search box;
the site's hit@3 must not be below the CLI's hit@3 on the same queries.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from publish_support import REPO, make_project

from helpdesk.cli import cli
from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.search import search

pytestmark = pytest.mark.browser

SUITES = sorted((REPO / "tests" / "search").glob("relevance*.yaml"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real knowledge base built into a throw-away project; returns the project folder."""
    project = make_project(tmp_path_factory.mktemp("site-search"), REPO / "kb")
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture(scope="module")
def site(built: Path, serve_folder: Callable[[Path], str]) -> str:
    """The English site (every language's site lives under its prefix)."""
    return serve_folder(built / "site") + "en/"


def language_root(site: str, built: Path, lang: str) -> str:
    """The home page of a language's site (``site`` is the English one, ``…/en/``)."""
    base = site.removesuffix("en/")
    return f"{base}{lang}/" if (built / "site" / lang / "index.html").is_file() else site


def suite_language(path: Path) -> str:
    match = re.match(r"relevance\.([a-z]{2})\.yaml$", path.name)
    return match.group(1) if match else "en"


def customer_cases(path: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return [c for c in cases if c.get("audience", "customer") == "customer"]


def cli_ranking(kb: KnowledgeBase, query: str, lang: str) -> list[str]:
    options: dict[str, Any] = {"limit": 10, "audience": "customer"}
    if "lang" in inspect.signature(search).parameters:
        options["lang"] = lang
    return [hit.id for hit in search(kb, query, **options).hits]


def site_ranking(page: Any, query: str) -> list[str]:
    """Type the query into the home page's box and read the article ids of the results."""
    box = page.locator("#hd-home-input")
    box.fill(query)
    page.wait_for_selector(f"#hd-home-panel ol[data-query={_css_string(query)}]", timeout=15_000)
    ids: list[str] = page.locator("#hd-home-panel .hd-search__result").evaluate_all(
        "(els) => els.map((el) => el.dataset.article)"
    )
    return ids


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rank_of(ids: list[str], expect: list[str]) -> int | None:
    return next((i for i, article in enumerate(ids, 1) if article in expect), None)


@pytest.mark.parametrize("suite", SUITES, ids=[p.name for p in SUITES])
def test_site_search_is_at_least_as_good_as_the_cli(
    suite: Path, built: Path, site: str, chromium: Any, tmp_path: Path
) -> None:
    lang = suite_language(suite)
    root = language_root(site, built, lang)
    assert lang == "en" or root != site, f"the built site has no /{lang}/ part"
    kb = load_kb(built / "kb")
    cases = customer_cases(suite)
    assert len(cases) >= 40
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(root)
    cli_hits = site_hits = site_first = 0
    misses: list[str] = []
    for case in cases:
        expect = case["expect"]
        cli = rank_of(cli_ranking(kb, case["query"], lang), expect)
        ids = site_ranking(page, case["query"])
        ours = rank_of(ids, expect)
        cli_hits += cli is not None and cli <= 3
        site_hits += ours is not None and ours <= 3
        site_first += ours == 1
        if ours is None or ours > 3:
            misses.append(f"  site rank {ours} (cli {cli}): {case['query']!r} -> {ids[:3]}")
    page.screenshot(path=str(tmp_path / "last-query.png"))
    n = len(cases)
    report = (
        f"\n{suite.name}: {n} customer queries; site hit@3 {site_hits / n:.3f} "
        f"(hit@1 {site_first / n:.3f}), CLI hit@3 {cli_hits / n:.3f}\n" + "\n".join(misses)
    )
    print(report)
    assert site_hits >= cli_hits, report


def test_results_as_you_type_with_a_typo_filters_and_events(site: str, chromium: Any) -> None:
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(site)
    page.evaluate(
        """() => { window.hdEvents = [];
        for (const name of ["helpdesk:search", "helpdesk:search-open"])
          document.addEventListener(name, (e) => {
            window.hdEvents.push([name, e.detail]);
            sessionStorage.setItem(name, JSON.stringify(e.detail));  // survives navigation
          }); }"""
    )
    box = page.locator("#hd-home-input")
    box.press_sequentially("pinn andriod", delay=40)
    first = page.locator("#hd-home-panel .hd-search__result").first
    expect(first).to_have_attribute("data-article", "pin-login", timeout=15_000)
    expect(first.locator(".hd-search__category")).to_have_text("Access and security")
    assert first.locator(".hd-search__summary").inner_text().strip()
    expect(page.locator("#hd-home-status")).to_contain_text("Showing results for")
    page.wait_for_function("() => window.hdEvents.length > 0", timeout=5_000)
    name, detail = page.evaluate("() => window.hdEvents[0]")
    assert name == "helpdesk:search"
    assert detail["query"] == "pinn andriod" and detail["lang"] == "en"
    assert detail["results"][0] == "pin-login"

    # Filters: only articles for that platform remain.
    platform = page.locator("#hd-home-panel select[data-filter=platform]")
    expect(platform.locator("option", has_text="Windows")).to_have_count(1)
    box.fill("activation code")
    page.wait_for_selector('#hd-home-panel ol[data-query="activation code"]')
    platform.select_option("Windows")
    page.wait_for_function(
        "() => document.querySelectorAll('#hd-home-panel .hd-search__result').length > 0"
    )
    kb = load_kb(REPO / "kb")
    shown = page.locator("#hd-home-panel .hd-search__result").evaluate_all(
        "(els) => els.map((el) => el.dataset.article).filter(Boolean)"
    )
    assert shown
    for article_id in shown:
        platforms = kb.articles[article_id].platforms
        assert not platforms or "windows" in platforms, article_id

    # Opening a result tells the feedback service which article answered the query.
    page.locator("#hd-home-panel .hd-search__result").first.click()
    page.wait_for_load_state()
    opened = page.evaluate("() => JSON.parse(sessionStorage.getItem('helpdesk:search-open'))")
    assert opened == {"query": "activation code", "article": shown[0], "lang": "en"}


def test_nothing_is_downloaded_for_search_before_the_box_is_used(site: str, chromium: Any) -> None:
    requested: list[str] = []
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site)
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if "/hd-search/" in url or "search_index" in url]
    page.locator("#hd-home-input").fill("backup codes")
    page.wait_for_selector('#hd-home-panel ol[data-query="backup codes"]', timeout=15_000)
    assert any(url.endswith("/hd-search/meta.json") for url in requested)
    assert not any("search_index.json" in url for url in requested)


def test_the_header_search_is_on_every_page_and_opens_on_a_phone(
    site: str, chromium: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 375, "height": 812})
    page.goto(site + "access-security/pin-login/")
    toggle = page.locator(".hd-search-toggle")
    expect(toggle).to_be_visible()
    toggle.click()
    box = page.locator("#hd-header-input")
    expect(box).to_be_focused()
    box.fill("locked out")
    first = page.locator("#hd-header-panel .hd-search__result").first
    expect(first).to_have_attribute("data-article", "account-locked", timeout=15_000)
    page.screenshot(path=str(tmp_path / "phone-header-search.png"))


@pytest.mark.parametrize("width", [1280, 375])
def test_the_header_results_and_filters_stay_on_screen(
    site: str, built: Path, chromium: Any, width: int, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": width, "height": 800})
    page.goto(language_root(site, built, "es") + "devices/device-activation/")
    if width < 600:
        page.locator(".hd-search-toggle").click()
    page.locator("#hd-header-input").fill("codigo activacion tablet")
    panel = page.locator("#hd-header-panel")
    expect(panel.locator(".hd-search__result").first).to_be_visible(timeout=15_000)
    page.screenshot(path=str(tmp_path / f"header-results-{width}.png"))
    for part in [panel, *panel.locator(".hd-search__filter").all()]:
        box = part.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
