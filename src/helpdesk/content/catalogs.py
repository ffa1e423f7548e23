"""UI catalogs on disk (``kb/templates/locale/<lang>/LC_MESSAGES/messages.po``): which
languages have one, and the warning for those that do not.

Here, in the loader's package and with the standard library only, so that ``helpdesk
lint`` can warn about a missing catalog without importing the site publisher or Babel;
``helpdesk.publish.i18n`` reads and compiles the catalogs themselves.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.errors import Problem, display_path

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase

LOCALE_FOLDER = "locale"
"""Beside the page templates: ``kb/templates/locale``."""
DOMAIN = "messages"


def catalog_path(templates_dir: Path, lang: str) -> Path:
    return templates_dir / LOCALE_FOLDER / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def has_catalog(templates_dir: Path, lang: str, source: str = "en") -> bool:
    """Whether ``lang``'s UI strings can be translated: the source language needs no
    catalog, any other one its ``messages.po``."""
    return lang == source or catalog_path(templates_dir, lang).is_file()


TAXONOMY_FILE = "taxonomy.yaml"


def catalog_warnings(kb: KnowledgeBase) -> list[Problem]:
    """``missing_catalogs`` for a loaded knowledge base (a check ``helpdesk lint`` runs)."""
    return missing_catalogs(kb.root, kb.languages)


def missing_catalogs(kb_root: Path, languages: list[str]) -> list[Problem]:
    """A warning for each configured language without a UI catalog (``helpdesk lint`` and
    ``helpdesk build``): its site builds, with the help center's own words in English,
    until the catalog is created and translated. Located at the language in
    ``kb/taxonomy.yaml``'s ``languages`` list, and saying what to run."""
    templates = kb_root / "templates"
    missing = [lang for lang in languages[1:] if not has_catalog(templates, lang, languages[0])]
    if not missing:
        return []
    taxonomy = kb_root / TAXONOMY_FILE
    place = _language_places(taxonomy)

    def shown(path: Path) -> str:  # as the loader names files: from the KB's parent folder
        return display_path(path, kb_root.resolve().parent)

    pot = shown(templates / LOCALE_FOLDER / "messages.pot")
    folder = shown(templates / LOCALE_FOLDER)
    problems = []
    for lang in missing:
        line, column = place.get(lang, (1, 1))
        problems.append(
            Problem(
                shown(taxonomy),
                line,
                column,
                f"language '{lang}' has no UI catalog "
                f"({shown(catalog_path(templates, lang))}), so its pages show the "
                f"help center's own words (headings, notices, the menu) in English; create it "
                f"with `.venv/bin/pybabel init -i {pot} -d {folder} -l {lang}`, then translate "
                f"its entries (`make catalogs` keeps it up to date)",
                severity="warning",
            )
        )
    return problems


def _language_places(taxonomy: Path) -> dict[str, tuple[int, int]]:
    """``lang -> (line, column)`` of each entry of the ``languages`` list, read from the
    text (flow ``[en, it]`` or block ``- en`` style); empty when it cannot be read."""
    try:
        lines = taxonomy.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, tuple[int, int]] = {}
    for number, text in enumerate(lines, start=1):
        if not text.startswith("languages:"):
            continue
        rest = [(number, text[len("languages:") :], len("languages:"))]
        for follow, more in enumerate(lines[number:], start=number + 1):
            if not more.strip().startswith("- "):
                break
            rest.append((follow, more, 0))
        for line, chunk, offset in rest:
            for found in re.finditer(r"[A-Za-z][A-Za-z0-9_-]*", chunk):
                out.setdefault(found.group(0), (line, offset + found.start() + 1))
        break
    return out
