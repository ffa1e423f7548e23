"""``helpdesk build``: pages for every published article, nothing else, and atomic failure."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from publish_support import tree_digest

from helpdesk.cli import cli
from helpdesk.content.kb import load_kb
from helpdesk.errors import BuildError, ConfigError
from helpdesk.publish import build, engine, site_search
from helpdesk.publish.build import build_site, render_site
from helpdesk.publish.config import engine_config_text, find_project, public_site_url

ON_SITE = ["pin-login", "enable-mfa", "legacy-app-login", "activate-device"]
NOT_ON_SITE = ["agent-unlock", "old-pin-draft"]
TODAY = dt.date(2025, 10, 1)


def run_build(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    return result.exit_code, result.output


LANGUAGES = ["en", "it", "es"]


def search_words(site: Path) -> str:
    """Every word the site search knows (the text of the indexed pages)."""
    folder = site / "hd-search" / "words"
    return " ".join(path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.json")))


def forbid_the_engine(monkeypatch: pytest.MonkeyPatch, despite: str) -> None:
    """Make any engine run fail the test: the build must stop before it."""

    def engine_must_not_run(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError(f"the engine ran despite {despite}")

    monkeypatch.setattr(engine, "run_build", engine_must_not_run)


def test_every_published_article_has_a_page_and_nothing_else(project: Path) -> None:
    code, output = run_build(project)
    assert code == 0, output
    site = project / "site"
    kb = load_kb(project / "kb")
    for lang in LANGUAGES:
        for article in kb.articles.values():
            page = site / lang / article.category / article.id / "index.html"
            assert page.is_file() == (article.id in ON_SITE), (lang, article.id)
    assert sorted(a.id for a in kb.site_articles()) == sorted(ON_SITE)

    for lang in LANGUAGES:  # one search index per language's site, no more lunr
        assert (site / lang / "hd-search" / "meta.json").is_file(), lang
        assert not (site / lang / "search" / "search_index.json").exists(), lang
    words = search_words(site / "en")
    assert "pin" in words
    for article_id in NOT_ON_SITE:
        assert article_id not in words
    assert "secretunlockprocedure" not in words and "draftonlyword" not in words
    # The MFA article is found for "2FA": the tag's keywords are index metadata, not page text.
    mfa = (site / "en" / "access-security" / "enable-mfa" / "index.html").read_text()
    assert 'data-hd-search-meta="keywords:' in mfa and "2FA" in mfa
    assert "Also searched as" not in mfa
    # Nothing half-made is left next to the site.
    assert sorted(p.name for p in project.iterdir()) == ["build", "kb", "mkdocs.yml", "site"]
    assert "Built 60 pages (en, it, es)" in output


def test_engine_failure_leaves_the_previous_site_byte_for_byte(project: Path) -> None:
    assert run_build(project)[0] == 0
    before = tree_digest(project / "site")
    template = project / "kb" / "templates" / "article.md.j2"
    template.write_text(template.read_text() + "\n[broken](no-such-page.md)\n")

    code, output = run_build(project)

    assert code == 1
    assert "error: the site engine (MkDocs) failed on the 'en' site" in output
    assert "no-such-page.md" in output  # the engine's own warning, shown below
    assert "end of life" not in output and "│" not in output  # Material's notice is filtered
    assert "Traceback" not in output
    assert tree_digest(project / "site") == before
    assert sorted(p.name for p in project.iterdir()) == ["build", "kb", "mkdocs.yml", "site"]


def test_content_errors_stop_before_the_engine(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_build(project)[0] == 0
    before = tree_digest(project / "site")
    docs_before = tree_digest(project / "build" / "docs")
    article = project / "kb" / "articles" / "enable-mfa.yaml"
    article.write_text(article.read_text().replace("category: access-security", "category: nope"))

    forbid_the_engine(monkeypatch, "content errors")
    code, output = run_build(project)

    assert code == 1
    assert "kb/articles/enable-mfa.yaml:4:11: unknown category 'nope'" in output
    assert tree_digest(project / "site") == before
    assert tree_digest(project / "build" / "docs") == docs_before


def test_a_template_syntax_error_in_any_page_template_stops_before_the_engine(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Engines start language by language as pages are written; a broken template must
    # still be found before the first one starts, even one that the article pages reach
    # only through an import, and the previous site stays as it was.
    assert run_build(project)[0] == 0
    before = tree_digest(project / "site")
    template = project / "kb" / "templates" / "tags.md.j2"
    template.write_text(template.read_text() + "\n{% if %}\n", encoding="utf-8")

    forbid_the_engine(monkeypatch, "a template error")
    code, output = run_build(project)

    assert code == 1
    assert "tags.md.j2" in output
    assert "Traceback" not in output
    assert tree_digest(project / "site") == before


def test_rebuild_writes_only_changes_and_drops_removed_pages(project: Path) -> None:
    today = dt.date(2025, 10, 1)
    first = build_site(project / "kb", today=today)
    # per language: 20 pages, 5 assets (CSS, search.js, logo, favicon, the language switcher's
    # script) and the image
    assert first.generate.written == 3 * 26
    second = build_site(project / "kb", today=today)
    assert second.generate.written == 0
    assert second.generate.unchanged == first.generate.written

    (project / "kb" / "articles" / "legacy-app-login.yaml").unlink()
    third = build_site(project / "kb", today=today)
    # In each language: its page, and the "legacy" tag page it alone had.
    assert third.generate.removed == 3 * 2
    for lang in LANGUAGES:
        assert not (project / f"build/{lang}/docs/access-security/legacy-app-login.md").exists()
        assert not (project / f"build/{lang}/docs/tags/legacy.md").exists()
        assert not (project / f"site/{lang}/access-security/legacy-app-login").exists()


def test_site_dir_option_builds_elsewhere(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "public"
    result = CliRunner().invoke(
        cli, ["build", "--kb", str(project / "kb"), "--site-dir", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert (target / "it" / "access-security" / "pin-login" / "index.html").is_file()
    assert not (project / "site").exists()


def test_generated_config_inherits_and_lists_categories_not_articles(project: Path) -> None:
    paths = find_project(project / "kb")
    kb = load_kb(paths.kb_dir)
    content = render_site(kb, today=dt.date(2025, 10, 1), lang="it")
    content.extra_javascript.append("assets/releases.js")
    config = yaml.safe_load(engine_config_text(paths, kb, content, LANGUAGES))
    assert config["INHERIT"] == "../../mkdocs.yml"
    assert config["docs_dir"] == str(project / "build" / "it" / "docs")
    assert config["site_dir"] == str(project / "site" / "it")
    assert config["theme"]["language"] == "it"
    assert config["extra_javascript"][-1] == "assets/releases.js"
    assert config["extra"]["alternate"] is True  # the switcher, made per page by the theme
    assert [alt["lang"] for alt in config["extra"]["hd"]["languages"]] == LANGUAGES
    assert config["extra"]["hd"]["languages"][1]["name"] == "Italiano"
    topics = next(iter(config["nav"][1].values()))
    assert len(topics) == len(kb.taxonomy.categories)
    assert list(topics[0].values()) == ["access-security/index.md"]
    assert "pin-login" not in json.dumps(config["nav"])


def test_engine_output_filter_keeps_warnings_drops_noise() -> None:
    raw = (
        "\x1b[33m │  \x1b[1mMaterial for MkDocs reaches end of life on May 5, 2027.\x1b[0m\n"
        " │  Zensical is its maintained successor\n"
        "  To disable this warning, set NO_MKDOCS_2_WARNING=1.\n"
        "INFO    -  Cleaning site directory\n"
        "INFO    -  The following pages exist in the docs directory:\n"
        "  - a.md\n"
        "WARNING -  Doc file 'x.md' contains a link 'y.md', but the target is not found.\n"
        "  detail line\n"
        "Aborted with 1 warnings in strict mode!\n"
        "Aborted!\n"  # click's word for an engine stopped by Ctrl-C: helpdesk says it
    )
    assert engine.filter_output(raw) == [
        "WARNING -  Doc file 'x.md' contains a link 'y.md', but the target is not found.",
        "  detail line",
        "Aborted with 1 warnings in strict mode!",
    ]


def test_site_url_in_mkdocs_yml_makes_the_sitemap_list_full_addresses(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HELPDESK_SITE_URL", raising=False)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "\nsite_url: https://help.example.test/hotel\n")

    code, output = run_build(project)

    assert code == 0, output
    sitemap = (project / "site" / "it" / "sitemap.xml").read_text()
    assert "<loc>https://help.example.test/hotel/it/access-security/pin-login/</loc>" in sitemap
    assert public_site_url(project) == "https://help.example.test/hotel/"
    index = (project / "site" / "sitemap.xml").read_text()
    for lang in LANGUAGES:
        assert f"<loc>https://help.example.test/hotel/{lang}/sitemap.xml</loc>" in index
    assert "site_url is not set" not in output


def test_the_site_url_variable_wins_and_a_bad_address_stops_the_build(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_SITE_URL", "help.example.test")
    code, output = run_build(project)

    assert code != 0
    assert "$HELPDESK_SITE_URL is 'help.example.test'" in output and "https://" in output
    assert "Traceback" not in output
    assert not (project / "site").exists() and not (project / "build").exists()

    monkeypatch.setenv("HELPDESK_SITE_URL", "https://docs.example.test")
    code, output = run_build(project)
    assert code == 0, output
    generated = yaml.safe_load((project / "build" / "es" / "mkdocs.yml").read_text())
    assert generated["site_url"] == "https://docs.example.test/es/"


def test_a_bad_site_url_in_mkdocs_yml_is_named_with_its_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HELPDESK_SITE_URL", raising=False)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "\nsite_url: 42\n")

    code, output = run_build(project)

    assert code != 0
    assert f"site_url in {config}" in output.replace("\n", "") and "42" in output


def test_the_not_found_page_offers_search_and_the_topics(project: Path) -> None:
    code, output = run_build(project)
    assert code == 0, output

    page = (project / "site" / "404.html").read_text()  # for any address outside /<lang>/

    assert "This page is not here" in page and "search box" in page
    kb = load_kb(project / "kb")
    for category in kb.taxonomy.categories:
        # Root-relative: the page is served for a missing address at any depth.
        assert f'<a href="/en/{category.id}/">{category.title}</a>' in page
    assert '<a href="/en/">Help center home</a>' in page
    assert 'href="/en/assets/helpdesk.css"' in page
    assert (project / "site" / "en" / "404.html").read_text() == page
    italian = (project / "site" / "it" / "404.html").read_text()
    assert '<html lang="it"' in italian and 'href="/it/assets/helpdesk.css"' in italian


@pytest.mark.parametrize(
    "bad",
    [
        "https://help.example.com/?ref=agent",
        "https://help.example.com#top",
        "https://user:secret@help.example.com/",
        "https://help example.com/",
        "ftp://help.example.com/",
        "https://",
        "https://help.example.com:port/",
        "help.example.com",
    ],
)
def test_a_site_url_that_would_break_links_is_refused(
    bad: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_SITE_URL", bad)
    with pytest.raises(ConfigError, match=r"\$HELPDESK_SITE_URL is"):
        public_site_url(tmp_path)


def test_site_url_reads_mkdocs_env_tag_as_mkdocs_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HELPDESK_SITE_URL", raising=False)
    monkeypatch.delenv("HD_TEST_SITE", raising=False)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Help\nsite_url: !ENV [HD_TEST_SITE, 'https://fallback.example.test']\n"
    )
    assert public_site_url(tmp_path) == "https://fallback.example.test/"
    monkeypatch.setenv("HD_TEST_SITE", "http://127.0.0.1:8000/help")
    assert public_site_url(tmp_path) == "http://127.0.0.1:8000/help/"


def bundles(site: Path) -> dict[str, str]:
    return {
        f"{lang}/{name}": digest
        for lang in LANGUAGES
        for name, digest in tree_digest(site / lang / "hd-search").items()
    }


def test_a_big_build_indexes_each_language_on_a_process_of_its_own_with_the_same_result(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build._index_processes(find_project(project / "kb"), None) == 0  # a small KB
    assert run_build(project)[0] == 0
    in_turn = bundles(project / "site")

    monkeypatch.setattr(site_search, "PAGES_FOR_PROCESSES", 0)  # as if it were big
    # Counted from the file names before loading: three languages, or those asked for.
    assert build._index_processes(find_project(project / "kb"), None) == 3
    assert build._index_processes(find_project(project / "kb"), ["it"]) == 1
    (project / "site").rename(project / "old-site")
    code, output = run_build(project)

    assert code == 0, output
    assert bundles(project / "site") == in_turn


def test_an_engine_failure_while_other_languages_are_indexed_leaves_nothing_behind(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_build(project)[0] == 0
    before = tree_digest(project / "site")
    monkeypatch.setattr(site_search, "PAGES_FOR_PROCESSES", 0)  # index on processes
    real_run = engine.run_build
    others_done = threading.Barrier(3, timeout=120)

    def spanish_fails(config: Path, out_dir: Path, **kwargs: Any) -> list[str]:
        if out_dir.name != "es":
            warnings = real_run(config, out_dir, **kwargs)
            others_done.wait()
            return warnings
        others_done.wait()  # en and it are built and handed to the indexer first
        raise BuildError("the site engine (MkDocs) failed on the 'es' site")

    monkeypatch.setattr(engine, "run_build", spanish_fails)
    code, output = run_build(project)

    assert code == 1 and "failed on the 'es' site" in output
    assert "Traceback" not in output
    assert tree_digest(project / "site") == before
    assert sorted(p.name for p in project.iterdir()) == ["build", "kb", "mkdocs.yml", "site"]
