"""UI strings and dates in the page's language: gettext catalogs (Babel) and locale dates.

The help center's own words (headings such as "Related articles", notices, the nav,
the 404 page) are written in English in the templates as ``{{ _("...") }}`` and in
Python as ``N_("...")``. Babel extracts them into ``kb/templates/locale/messages.pot``
and each language's catalog ``kb/templates/locale/<lang>/LC_MESSAGES/messages.po``
holds the translations (``make catalogs`` updates both; see the README). Catalogs are
read from the ``.po`` files directly and compiled in memory, so no compiled ``.mo``
file is ever committed or goes stale.

A string missing from a catalog shows in English (gettext's rule) and fails
``tests/publish/test_publish_catalogs.py``, so it never reaches a release unnoticed.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from helpdesk.errors import ContentError, Problem, display_path

LOCALE_FOLDER = "locale"
"""Beside the page templates: ``kb/templates/locale``."""
DOMAIN = "messages"

_DATE_LOCALES = {"en": "en_GB"}
"""The help center's English is international English: "15 September 2025", day first,
unambiguous in every country its customers are in. Other languages use their own locale."""


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def catalog_path(templates_dir: Path, lang: str) -> Path:
    return templates_dir / LOCALE_FOLDER / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(templates_dir: Path, lang: str, source: str = "en") -> NullTranslations:
    """The compiled catalog of ``lang`` (no translation at all for the source language).

    Raises:
        ContentError: the catalog cannot be read (names the file and line).
    """
    if lang == source:
        return NullTranslations()
    path = catalog_path(templates_dir, lang)
    if not path.is_file():
        # A language without a catalog yet: its pages show the English UI strings, and
        # the catalog test names the file to create.
        return NullTranslations()
    stat = path.stat()
    return _compiled(path, lang, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _compiled(path: Path, lang: str, mtime_ns: int, size: int) -> NullTranslations:
    # Keyed by mtime and size too, so `helpdesk serve` picks up an edited catalog.
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, abort_invalid=True)
    except (PoFileError, OSError, ValueError, UnknownLocaleError) as exc:
        line = getattr(exc, "lineno", 1) or 1
        raise ContentError([Problem(display_path(path), line, 1, f"bad catalog: {exc}")]) from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext does
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def long_date(value: dt.date, lang: str) -> str:
    """``15 September 2025``, ``15 settembre 2025``, ``15 de septiembre de 2025``."""
    return format_date(value, format="long", locale=_DATE_LOCALES.get(lang, lang))


@functools.cache
def language_name(lang: str) -> str:
    """The language's own name for itself, as a language switcher shows it: "Italiano"."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]
