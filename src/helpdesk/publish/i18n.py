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

from helpdesk.content.catalogs import DOMAIN as DOMAIN
from helpdesk.content.catalogs import LOCALE_FOLDER as LOCALE_FOLDER
from helpdesk.content.catalogs import catalog_path as catalog_path
from helpdesk.errors import ContentError, Problem, display_path

_DATE_LOCALES = {"en": "en_GB"}
"""The help center's English is international English: "15 September 2025", day first,
unambiguous in every country its customers are in. Other languages use their own locale."""


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


SITE_NAME = N_("PassportScan Help Center")
"""The help center's name as the root ``mkdocs.yml`` ships it: the catalogs' msgid for it
(each language's site shows its translation), and the feeds' author."""


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
    return _compiled(templates_dir, lang, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _compiled(templates_dir: Path, lang: str, mtime_ns: int, size: int) -> NullTranslations:
    # Keyed by mtime and size too, so `helpdesk serve` picks up an edited catalog.
    compiled = compiled_catalog(templates_dir, lang)
    if compiled is None:
        return NullTranslations()
    return Translations(io.BytesIO(compiled), domain=DOMAIN)


def compiled_catalog(templates_dir: Path, lang: str) -> bytes | None:
    """``lang``'s catalog as a gettext ``.mo`` file, for the engine's theme templates
    (MkDocs reads ``<theme>/locales/<lang>/LC_MESSAGES/messages.mo``); None without one."""
    path = catalog_path(templates_dir, lang)
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, abort_invalid=True)
    except (PoFileError, OSError, ValueError, UnknownLocaleError) as exc:
        line = getattr(exc, "lineno", 1) or 1
        raise ContentError([Problem(display_path(path), line, 1, f"bad catalog: {exc}")]) from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext does
    return buffer.getvalue()


@functools.lru_cache(maxsize=4096)  # Babel's formatting is slow; a site has few dates
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


MAPPING_FILE = "babel.cfg"
"""``kb/templates/locale/babel.cfg``: what ``make catalogs`` (pybabel extract) reads."""


def python_sources() -> list[Path]:
    """The Python code whose ``N_``/``_`` strings are shown on the site."""
    # The release feeds' strings live in publish/release_feeds.py, inside this package.
    return [Path(__file__).resolve().parent]


def extract_messages(templates_dir: Path) -> set[str]:
    """Every msgid the site shows: the templates' and the publisher's (as ``make catalogs``).

    Plural messages are keyed by their singular form, as catalogs key them.
    """
    from babel.messages.extract import extract_from_dir, extract_from_file
    from babel.messages.frontend import parse_mapping_cfg

    with (templates_dir / LOCALE_FOLDER / MAPPING_FILE).open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found: set[str] = set()

    def add(message: str | tuple[str, ...]) -> None:
        found.add(message[0] if isinstance(message, tuple) else message)

    for _file, _line, message, _comments, _context in extract_from_dir(
        templates_dir, method_map, options_map, keywords=keywords
    ):
        add(message)
    for source in python_sources():
        if source.is_dir():
            items = extract_from_dir(source, [("**.py", "python")], keywords=keywords)
            for _file, _line, message, _comments, _context in items:
                add(message)
        else:
            for _line, message, _comments, _context in extract_from_file(
                "python", str(source), keywords=keywords
            ):
                add(message)
    return found


def missing_translations(templates_dir: Path, lang: str) -> list[str]:
    """Problems of ``lang``'s catalog: each shown string it lacks (or has fuzzy or empty),
    and each translation whose placeholders differ from its msgid's."""
    path = catalog_path(templates_dir, lang)
    if not path.is_file():
        return [f"{display_path(path)}: no catalog for '{lang}' (run `make catalogs`)"]
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    problems = []
    for msgid in sorted(extract_messages(templates_dir)):
        message = catalog.get(msgid)
        strings = message.string if message is not None else ""
        forms = strings if isinstance(strings, (list, tuple)) else [strings]
        if message is None or message.fuzzy or not all(forms):
            problems.append(f"{display_path(path)}: no translation of {msgid!r}")
    for message, errors in catalog.check():
        for error in errors:
            problems.append(f"{display_path(path)}:{message.lineno}: {error}")
    return problems
