"""Links the agent sends to customers: full addresses once the site's address is known."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpdesk.tui.catalog import load_catalog
from helpdesk.tui.preview import article_url

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HELPDESK_SITE_URL", raising=False)
    shutil.copytree(FIXTURES / "kb", tmp_path / "kb")
    return tmp_path


def test_with_site_url_in_mkdocs_yml_customer_links_are_full_addresses(project: Path) -> None:
    (project / "mkdocs.yml").write_text("site_name: Help\nsite_url: https://help.example.test\n")
    catalog = load_catalog(project / "kb")
    article = next(a for a in catalog.kb.articles.values() if a.on_site)

    url = article_url(article, catalog.site_url)

    assert url == f"https://help.example.test/en/{article.category}/{article.id}/"


def test_without_it_they_are_paths_and_agent_only_articles_have_none(project: Path) -> None:
    catalog = load_catalog(project / "kb")
    assert catalog.site_url is None
    for article in catalog.kb.articles.values():
        url = article_url(article, catalog.site_url)
        if article.on_site:
            assert url == f"/en/{article.category}/{article.id}/"
        else:
            assert url is None


def test_the_variable_gives_the_address_too(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_SITE_URL", "https://kb.example.test/help/")
    assert load_catalog(project / "kb").site_url == "https://kb.example.test/help/"


REPO = Path(__file__).resolve().parents[2]


def test_links_and_previews_follow_the_callers_language() -> None:
    from helpdesk.content.kb import load_kb
    from helpdesk.tui.catalog import Catalog

    catalog = Catalog(kb=load_kb(REPO / "kb"), site_url="https://help.example.test/")
    article = catalog.kb.articles["pin-login"]

    assert catalog.public_url(
        article, "it"
    ) == "https://help.example.test/it/access-security/pin-login/" or (
        catalog.public_url(article, "it")
        == f"https://help.example.test/it/{article.category}/pin-login/"
    )
    assert catalog.public_url(article, "es").startswith("https://help.example.test/es/")
    assert catalog.public_url(article, "de").startswith("https://help.example.test/en/")
    italian, lang = catalog.localized(article, "it")
    assert lang == "it" and italian.title != article.title
    english, lang = catalog.localized(article, "en")
    assert lang == "en" and english.title == article.title
