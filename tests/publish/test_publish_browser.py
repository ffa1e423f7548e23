"""The built site in a real browser: search for "PIN", open the article, switch platform tab.

Builds the real ``kb/`` (copied into a temporary project), serves ``site/`` with a plain
``http.server`` on loopback, and drives the system Chromium through Playwright.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from publish_support import REPO, make_project

from helpdesk.cli import cli
from helpdesk.content.kb import load_kb

pytestmark = pytest.mark.browser


@pytest.fixture
def site_url(tmp_path: Path, serve_folder: Callable[[Path], str]) -> str:
    project = make_project(tmp_path, REPO / "kb")
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    return serve_folder(project / "site")


def test_search_pin_open_article_and_switch_tab(
    site_url: str, chromium: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    title = load_kb(REPO / "kb").articles["pin-login"].title
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # The index loads in a web worker; a query typed before it is ready is dropped.
    meta = page.locator(".md-search-result__meta")
    expect(meta).to_have_text("Type to start searching", timeout=15_000)
    page.locator("input.md-search__input").press_sequentially("PIN", delay=50)
    result = page.locator(".md-search-result__item", has_text=title).first
    expect(result).to_be_visible(timeout=15_000)
    page.screenshot(path=str(tmp_path / "search.png"))
    result.locator("a").first.click()

    expect(page.locator("h1")).to_contain_text(title)
    labels = page.locator(".tabbed-labels > label")
    android = labels.filter(has_text="Android").first
    android.click()
    index = labels.evaluate_all(
        "(els) => els.findIndex((el) => el.textContent.trim() === 'Android')"
    )
    panel = page.locator(".tabbed-content").first.locator(":scope > .tabbed-block")
    expect(panel.nth(index)).to_be_visible()
    expect(panel.nth(0)).to_be_hidden()
    assert panel.nth(index).inner_text().strip()
    android.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "pin-android.png"))
    page.screenshot(path=str(tmp_path / "pin-full.png"), full_page=True)
    assert (tmp_path / "pin-android.png").stat().st_size > 10_000


# What a customer types, and the article that must come first in the site's own search.
FIRST_HITS = [
    ("pin", "pin-login"),
    ("locked", "account-locked"),
    ("cloud legacy", "cloud-legacy-discontinuation"),
    ("delete guest data", "clp-rules"),
]


def test_the_site_search_puts_the_answering_article_first(site_url: str, chromium: Any) -> None:
    from playwright.sync_api import expect

    kb = load_kb(REPO / "kb")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    meta = page.locator(".md-search-result__meta")
    expect(meta).to_have_text("Type to start searching", timeout=15_000)
    box = page.locator("input.md-search__input")
    for query, article_id in FIRST_HITS:
        article = kb.articles[article_id]
        box.fill("")
        box.press_sequentially(query, delay=30)
        first = page.locator(".md-search-result__item > a").first
        # Results are replaced as the query grows; wait for this query's ranking.
        expected = re.compile(rf"/{article.category}/{article.id}/\?h=")
        expect(first, f"first hit for {query!r}").to_have_attribute(
            "href", expected, timeout=15_000
        )
