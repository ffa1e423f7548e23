"""One site per language: translated pages verbatim, notices for missing and stale
translations, and the alternates every page names.

Goldens of ``pin-login`` in Italian and Spanish live in ``tests/publish/golden/`` (see
test_publish_pages.py for how to regenerate them after a deliberate template change).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from publish_support import FIXTURE_KB, REPO

from helpdesk.cli import cli
from helpdesk.content.kb import load_kb
from helpdesk.publish.pages import render_pages
from helpdesk.publish.templates import make_env

GOLDEN = Path(__file__).parent / "golden"
TEMPLATES = REPO / "kb" / "templates"
TODAY = dt.date(2025, 10, 1)


def pages_in(kb_dir: Path, lang: str) -> dict[str, str]:
    kb = load_kb(kb_dir, today=TODAY)
    return render_pages(kb, make_env(TEMPLATES, lang), today=TODAY, lang=lang)


@pytest.mark.parametrize("lang", ["it", "es"])
def test_translated_article_matches_golden(lang: str) -> None:
    page = pages_in(FIXTURE_KB, lang)["access-security/pin-login.md"]
    path = GOLDEN / f"pin-login.{lang}.md"
    if os.environ.get("HELPDESK_UPDATE_GOLDENS"):
        path.write_text(page, encoding="utf-8")
    assert page == path.read_text(encoding="utf-8")


def test_a_translated_article_links_to_pages_of_its_own_language() -> None:
    italian = pages_in(FIXTURE_KB, "it")
    page = italian["access-security/pin-login.md"]
    # The same relative .md link as in English: it resolves inside the Italian site.
    assert "[Attivare un dispositivo](../devices/activate-device.md#on-windows)" in page
    assert "robots: noindex" not in page and "Non ancora tradotto" not in page
    assert "In [Accesso e sicurezza](../access-security/index.md)" in page


def test_an_untranslated_article_shows_english_with_a_notice_and_noindex() -> None:
    page = pages_in(FIXTURE_KB, "es")["access-security/enable-mfa.md"]
    english = pages_in(FIXTURE_KB, "en")["access-security/enable-mfa.md"]

    front, body = page.split("\n---\n", 1)
    assert "robots: noindex" in front
    assert '!!! info "Aún sin traducir"' in body
    assert "Este artículo aún no está traducido al español" in body
    assert '<a href="../../../en/access-security/enable-mfa/" hreflang="en">' in body
    assert '<div lang="en" markdown>' in body  # the English text, marked as English
    title = load_kb(FIXTURE_KB).articles["enable-mfa"].title
    assert f"# {title}" in page and f"# {title}" in english
    # The page's own words are Spanish around the English text.
    assert "Última actualización:" in body


def test_a_stale_translation_says_when_the_english_changed_and_links_to_it(
    tmp_path: Path,
) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb_dir)
    source = kb_dir / "articles" / "pin-login.yaml"
    text = source.read_text()
    text = text.replace("updated: 2025-09-15", "updated: 2025-09-28")
    source.write_text(text.replace("Click **Save**.", "Click **Save** and wait for the tick."))

    page = pages_in(kb_dir, "it")["access-security/pin-login.md"]

    assert '!!! warning "Questa traduzione potrebbe non essere aggiornata"' in page
    assert "modificata il 28 settembre 2025" in page
    assert '<a href="../../../en/access-security/pin-login/" hreflang="en">' in page
    assert "robots: noindex" not in page  # a real translation, only behind
    assert "Accedere con un PIN" in page  # still the Italian text


def test_the_built_site_names_every_alternate(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_SITE_URL", "https://help.example.test/")
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    site = project / "site"

    for lang in ("en", "it", "es"):
        html = (site / lang / "access-security" / "pin-login" / "index.html").read_text()
        assert f'<html lang="{lang}"' in html
        for other in ("en", "it", "es"):
            # The switcher: the same page in the other language, relative to this one.
            switch = f'href="../../../{other}/access-security/pin-login/" hreflang="{other}"'
            assert switch in html
        # <head> names the same page in every language it is written in, with full
        # addresses; its rel is the token list "alternate " so that the theme's script
        # (which picks rel="alternate" exactly) probes no sitemap.xml beside each page.
        for other in ("en", "it", "es"):
            href = f"https://help.example.test/{other}/access-security/pin-login/"
            assert f'<link rel="alternate " hreflang="{other}" href="{href}">' in html
        default = '<link rel="alternate " hreflang="x-default" href="https://help.example.test/">'
        assert default in html
        assert '<link rel="alternate" hreflang' not in html
        assert 'name="robots"' not in html
        sitemap = (site / lang / "sitemap.xml").read_text()
        entry = sitemap.split(f"<loc>https://help.example.test/{lang}/access-security/pin-login/")[
            1
        ]
        entry = entry.split("</url>")[0]
        for other in ("en", "it", "es"):
            href = f"https://help.example.test/{other}/access-security/pin-login/"
            assert f'<xhtml:link rel="alternate" hreflang="{other}" href="{href}"/>' in entry
        default = (
            '<xhtml:link rel="alternate" hreflang="x-default" href="https://help.example.test/"/>'
        )
        assert default in entry
    # enable-mfa is English only: its alternates name no other language, and the
    # untranslated pages are not in the other languages' sitemaps.
    english = (site / "en" / "sitemap.xml").read_text()
    entry = english.split("/en/access-security/enable-mfa/</loc>")[1].split("</url>")[0]
    assert 'hreflang="en"' in entry and 'hreflang="it"' not in entry
    english_page = (site / "en" / "access-security" / "enable-mfa" / "index.html").read_text()
    assert 'hreflang="en" href="https://help.example.test/en/' in english_page
    assert 'rel="alternate " hreflang="it"' not in english_page
    assert "enable-mfa" not in (site / "it" / "sitemap.xml").read_text()

    untranslated = (site / "it" / "access-security" / "enable-mfa" / "index.html").read_text()
    assert '<meta name="robots" content="noindex">' in untranslated
    assert '<link rel="alternate ' not in untranslated  # nobody points to it, it points to none
    home = (site / "es" / "index.html").read_text()
    assert 'href="../en/" hreflang="en"' in home
    assert "¿Cómo podemos ayudarte?" in home  # the home page's heading, in Spanish

    chooser = (site / "index.html").read_text()
    # Without scripts: a link per language, named in its own language.
    for lang, name in (("en", "English"), ("it", "Italiano"), ("es", "Español")):
        assert re.search(rf'<a href="{lang}/" hreflang="{lang}">{name}</a>', chooser)
        assert f'hreflang="{lang}" href="https://help.example.test/{lang}/"' in chooser
    assert "navigator.languages" in chooser
    # The site's permissions are a web server's usual ones.
    assert site.stat().st_mode & 0o777 == 0o777 & ~current_umask()
    assert (site / "index.html").stat().st_mode & 0o777 == 0o666 & ~current_umask()


def test_each_site_names_itself_in_its_own_language(project: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    site = project / "site"
    names = {
        "en": "PassportScan Help Center",
        "it": "Centro assistenza PassportScan",
        "es": "Centro de ayuda de PassportScan",
    }

    descriptions = {
        "en": "Answers for hotel front desks and administrators using PassportScan.",
        "it": "Risposte per le reception degli hotel e per gli amministratori che usano "
        "PassportScan.",
        "es": "Respuestas para las recepciones de hotel y los administradores que usan "
        "PassportScan.",
    }
    for lang, description in descriptions.items():
        # A page without a description of its own (a tag's, the 404) has the site's.
        for page in ("tags/index.html", "404.html"):
            html = (site / lang / page).read_text()
            assert f'<meta name="description" content="{description}">' in html, (lang, page)

    for lang, name in names.items():
        for page in ("index.html", "access-security/pin-login/index.html"):
            html = (site / lang / page).read_text()
            title = re.search(r"<title>(.*?)</title>", html)
            assert title is not None and title.group(1).endswith(name), (lang, page)
            # The header's title, the logo's label and the drawer's: never another language's.
            assert f'aria-label="{name}"' in html
            assert 'alt="logo"' not in html  # the link names the site; the image is decoration
            for other, other_name in names.items():
                if other != lang:
                    assert other_name not in html, (lang, page, other)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("it", ["Passa al tema scuro", "Passa al tema chiaro", "Link permanente"]),
        ("es", ["Cambiar al modo oscuro", "Cambiar al modo claro", "Enlace permanente"]),
        ("en", ["Switch to dark mode", "Switch to light mode", "Permanent link"]),
    ],
)
def test_the_words_set_in_mkdocs_yml_are_read_aloud_in_the_pages_language(
    project: Path, lang: str, words: list[str]
) -> None:
    # A screen reader says the palette toggle's name and the headings' permalink title.
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb"), "--lang", lang])
    assert result.exit_code == 0, result.output

    html = (project / "site" / lang / "access-security" / "pin-login" / "index.html").read_text()
    for word in words:
        assert f'aria-label="{word}"' in html or f'title="{word}"' in html, word
    english = {"Switch to dark mode", "Switch to light mode", "Permanent link"}
    if lang != "en":
        assert not [word for word in english if word in html]


def test_one_language_is_built_alone_and_the_others_stay(project: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--kb", str(project / "kb")]).exit_code == 0
    english = (project / "site" / "en" / "index.html").read_bytes()
    article = project / "kb" / "articles" / "enable-mfa.yaml"
    article.write_text(article.read_text().replace("Turn on multi-factor", "Switch on two-step"))

    result = runner.invoke(cli, ["build", "--kb", str(project / "kb"), "--lang", "it"])

    assert result.exit_code == 0, result.output
    assert "Built 20 pages (it)" in result.output
    italian = project / "site" / "it" / "access-security" / "enable-mfa" / "index.html"
    assert "Switch on two-step" in italian.read_text()
    assert (project / "site" / "en" / "index.html").read_bytes() == english
    spanish = project / "site" / "es" / "access-security" / "enable-mfa" / "index.html"
    assert "Switch on two-step" not in spanish.read_text()


def test_an_unknown_language_is_a_usage_error_naming_the_known_ones(project: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb"), "--lang", "pt"])
    assert result.exit_code == 2
    assert "'pt'" in result.output and "en, it, es" in result.output
    assert "Traceback" not in result.output
    assert not (project / "site").exists()


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("lang", ["pt", "ga"])  # ga: a language the theme has no words for
def test_a_language_added_in_one_line_builds_with_english_ui_and_a_warning(
    project: Path, lang: str
) -> None:
    taxonomy = project / "kb" / "taxonomy.yaml"
    text = taxonomy.read_text()
    assert "languages: [en, it, es]" in text
    taxonomy.write_text(text.replace("languages: [en, it, es]", f"languages: [en, it, es, {lang}]"))
    runner = CliRunner()

    result = runner.invoke(cli, ["build", "--kb", str(project / "kb"), "--lang", lang])

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    catalog = f"kb/templates/locale/{lang}/LC_MESSAGES/messages.po"
    # At the language in the list: "languages: [en, it, es, pt]", line 2, column 25.
    warning = f"kb/taxonomy.yaml:2:25: warning: language '{lang}' has no UI catalog ({catalog})"
    shown = " ".join(result.output.split())  # the progress display wraps long lines
    assert warning in shown
    assert f"pybabel init -i kb/templates/locale/messages.pot -d kb/templates/locale -l {lang}" in (
        shown
    )
    html = (project / "site" / lang / "access-security" / "pin-login" / "index.html").read_text()
    assert f'<html lang="{lang}"' in html
    assert "Last updated" in html  # the help center's own words, in English for now
    lint = runner.invoke(cli, ["lint", "--kb", str(project / "kb"), "--strict"])
    assert lint.exit_code == 1
    assert warning in " ".join(lint.output.split())
