"""The help site's languages in Chromium: the switcher, the chooser, search, notices.

Builds the real ``kb/`` (copied into a temporary project, one translation removed so that
an article is untranslated), serves ``site/`` with a plain ``http.server`` on loopback and
drives the system Chromium through Playwright.
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

UNTRANSLATED = "closing-time"
"""Its Italian translation is removed from the test's copy of the knowledge base."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]) -> str:
    project = make_project(tmp_path_factory.mktemp("languages"), REPO / "kb")
    (project / "kb" / "articles" / f"{UNTRANSLATED}.it.yaml").unlink()
    # Served from its own address, as `make serve` does, so that every page's <head>
    # names its alternates with addresses the browser can reach.
    base = serve_folder(project / "site")
    result = CliRunner().invoke(
        cli, ["build", "--kb", str(project / "kb")], env={"HELPDESK_SITE_URL": base}
    )
    assert result.exit_code == 0, result.output
    return base


def switch_to(page: Any, name: str) -> None:
    page.locator(".md-header__option .md-select").hover()
    page.locator(".md-select__link", has_text=name).click()


def test_the_switcher_goes_to_the_same_article_in_each_language(
    built: str, chromium: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    kb = load_kb(REPO / "kb")
    article = kb.articles["pin-login"]
    path = f"{article.category}/{article.id}/"
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{built}en/{path}")
    expect(page.locator("h1")).to_contain_text(article.title)

    for lang, name in (("it", "Italiano"), ("es", "Español"), ("en", "English")):
        switch_to(page, name)
        expect(page).to_have_url(f"{built}{lang}/{path}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        title = kb.localized_article(article.id, lang).article.title
        expect(page.locator("h1")).to_contain_text(title)
    page.screenshot(path=str(tmp_path / "switcher.png"))

    # After the theme's instant navigation (the header stays), it follows the new page.
    related = kb.articles[article.related[0]]
    page.locator("article a[href*='/" + related.id + "/']").first.click()
    expect(page).to_have_url(re.compile(rf"/en/{related.category}/{related.id}/"))
    switch_to(page, "Italiano")
    expect(page).to_have_url(f"{built}it/{related.category}/{related.id}/")


def test_a_browser_preferring_italian_lands_on_the_italian_site(built: str, chromium: Any) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(locale="it-IT")
    try:
        page = context.new_page()
        page.goto(built)
        expect(page).to_have_url(f"{built}it/")
        expect(page.locator("html")).to_have_attribute("lang", "it")
    finally:
        context.close()


def test_without_scripts_the_root_lists_every_language(built: str, chromium: Any) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(java_script_enabled=False, locale="es-ES")
    try:
        page = context.new_page()
        page.goto(built)
        expect(page).to_have_url(built)  # no script: nobody is sent anywhere
        for lang, name in (("en", "English"), ("it", "Italiano"), ("es", "Español")):
            link = page.get_by_role("link", name=name)
            expect(link).to_have_attribute("href", f"{lang}/")
        page.get_by_role("link", name="Español").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
    finally:
        context.close()


def test_the_italian_site_search_finds_an_italian_query(built: str, chromium: Any) -> None:
    from playwright.sync_api import expect

    kb = load_kb(REPO / "kb")
    target = kb.localized_article("device-activation", "it").article
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{built}it/")
    # The site's search over the Italian site search index (Italian stemming).
    box = page.locator("#hd-home-input")
    box.press_sequentially("codice di attivazione", delay=40)
    hit = page.locator("#hd-home-panel .hd-search__result", has_text=target.title).first
    expect(hit).to_be_visible(timeout=15_000)
    expect(page.locator("#hd-home-panel .hd-search__result").first).to_have_attribute(
        "href", re.compile(r"/it/devices/device-activation/")
    )


def test_an_untranslated_page_shows_english_with_a_notice(
    built: str, chromium: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    article = load_kb(REPO / "kb").articles[UNTRANSLATED]
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    response = page.goto(f"{built}it/{article.category}/{article.id}/")
    assert response is not None and response.status == 200  # never a 404
    notice = page.locator(".admonition.info", has_text="Non ancora tradotto")
    expect(notice).to_be_visible()
    expect(page.locator("h1")).to_contain_text(article.title)  # the English text
    expect(page.locator("meta[name=robots]")).to_have_attribute("content", "noindex")
    page.screenshot(path=str(tmp_path / "untranslated.png"), full_page=True)
    notice.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/en/{article.category}/{article.id}/$"))


def test_pages_ask_for_nothing_that_is_not_there(built: str, chromium: Any) -> None:
    # The theme's script fetches a sitemap.xml beside every <link rel="alternate">: neither
    # the feeds' links nor the pages' alternates may send it to an address that 404s.
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: missing.append(r.url))
    for path in (
        "it/release-notes/windows-client/",
        "es/release-notes/windows-client/20.0/",
        "en/access-security/pin-login/",
        "it/access-security/pin-login/",
    ):
        page.goto(built + path)
        page.wait_for_load_state("networkidle")
        # The page does name its alternates (so the probe above had links to follow).
        assert page.locator('link[hreflang="es"]').count() == 1
    assert missing == []
