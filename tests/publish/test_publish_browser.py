"""The built site in a real browser: search for "PIN", open the article, switch platform tab.

Builds the real ``kb/`` (copied into a temporary project), serves ``site/`` with a plain
``http.server`` on loopback, and drives the system Chromium through Playwright.
"""

from __future__ import annotations

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
    page.locator("#hd-header-input").press_sequentially("PIN", delay=50)
    result = page.locator("#hd-header-panel .hd-search__result", has_text=title).first
    expect(result).to_be_visible(timeout=15_000)
    page.screenshot(path=str(tmp_path / "search.png"))
    result.click()

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
    ("locked out", "account-locked"),
    ("cloud legacy", "cloud-legacy-discontinuation"),
    ("cleaning procedure", "clp-rules"),
]


def test_the_site_search_puts_the_answering_article_first(site_url: str, chromium: Any) -> None:
    from playwright.sync_api import expect

    kb = load_kb(REPO / "kb")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url)
    box = page.locator("#hd-header-input")
    for query, article_id in FIRST_HITS:
        box.fill(query)
        # Results are replaced as the query grows; wait for this query's ranking.
        page.wait_for_selector(f'#hd-header-panel ol[data-query="{query}"]', timeout=15_000)
        first = page.locator("#hd-header-panel .hd-search__result").first
        expect(first, f"first hit for {query!r}").to_have_attribute("data-article", article_id)
        article = kb.articles[article_id]
        expect(first).to_have_attribute("href", f"/en/{article.category}/{article.id}/")
