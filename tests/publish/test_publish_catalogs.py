"""UI strings: every one the site shows has a translation in every language's catalog.

The strings come from the templates (``{{ _("...") }}``) and the publisher's Python
(``N_("...")``), extracted the way ``make catalogs`` does; the catalogs are
``kb/templates/locale/<lang>/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from publish_support import FIXTURE_KB, REPO

from helpdesk.content.kb import load_kb
from helpdesk.publish import i18n
from helpdesk.publish.localized import site_languages
from helpdesk.publish.pages import render_pages
from helpdesk.publish.templates import make_env

TEMPLATES = REPO / "kb" / "templates"
TODAY = dt.date(2025, 10, 1)


def translated_languages() -> list[str]:
    return site_languages(load_kb(REPO / "kb"))[1:]


@pytest.mark.parametrize("lang", translated_languages())
def test_every_ui_string_is_translated(lang: str) -> None:
    assert i18n.missing_translations(TEMPLATES, lang) == []


def test_a_new_string_without_a_translation_is_reported(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    home = templates / "home.md.j2"
    home.write_text(home.read_text() + '\n{{ _("Still need help? Contact support") }}\n')

    problems = i18n.missing_translations(templates, "it")

    where = i18n.display_path(i18n.catalog_path(templates, "it"))
    assert problems == [f"{where}: no translation of 'Still need help? Contact support'"]


def test_a_translation_with_a_wrong_placeholder_is_reported(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    catalog = i18n.catalog_path(templates, "es")
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace('"Publicado el %(date)s"', '"Publicado el %(fecha)s"'), encoding="utf-8"
    )

    problems = i18n.missing_translations(templates, "es")

    assert len(problems) == 1 and "fecha" in problems[0], problems


def test_pages_use_the_catalog_and_the_locale_dates() -> None:
    kb = load_kb(FIXTURE_KB, today=TODAY)
    italian = render_pages(kb, make_env(TEMPLATES, "it"), today=TODAY, lang="it")
    spanish = render_pages(kb, make_env(TEMPLATES, "es"), today=TODAY, lang="es")
    english = render_pages(kb, make_env(TEMPLATES, "en"), today=TODAY, lang="en")

    page = "access-security/pin-login.md"
    assert "Ultimo aggiornamento: 15 settembre 2025" in italian[page]
    assert "Última actualización: 15 de septiembre de 2025" in spanish[page]
    assert "Last updated 15 September 2025" in english[page]
    assert "## Articoli correlati" in italian[page]
    assert "## Artículos relacionados" in spanish[page]
    assert "## Aggiornati di recente" in italian["index.md"]
    assert "2 articoli" in italian["index.md"] and "1 articolo" in italian["index.md"]


def test_language_names_are_their_own() -> None:
    assert [i18n.language_name(lang) for lang in ("en", "it", "es")] == [
        "English",
        "Italiano",
        "Español",
    ]
