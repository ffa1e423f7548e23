"""What the service accepts feedback about: the published articles and the site's languages.

Read at start-up from the knowledge base through the one loader (``load_kb``), not
from a manifest the site build writes: the service then needs no build to have run,
cannot disagree with the KB it is deployed beside, and a writer who adds an article
restarts one process instead of rebuilding and copying a file. The cost is reading
``kb/`` once at start (well under a second for this KB).

Every published article has a page in every language of the site (an untranslated
one shows the English text), so an article id is valid in any known language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase


@dataclass(frozen=True)
class Catalog:
    """The article ids and language codes feedback may name."""

    articles: frozenset[str]
    languages: tuple[str, ...]

    def knows_article(self, article: str) -> bool:
        return article in self.articles

    def knows_language(self, lang: str) -> bool:
        return lang in self.languages


def site_languages(kb: KnowledgeBase) -> tuple[str, ...]:
    """The site's languages, source first (``kb.languages``)."""
    return tuple(kb.languages)


def catalog_of(kb: KnowledgeBase) -> Catalog:
    """The catalog of a loaded knowledge base: articles on the site, in every language."""
    return Catalog(
        articles=frozenset(a.id for a in kb.site_articles()),
        languages=site_languages(kb),
    )


def load_catalog(kb_dir: Path) -> Catalog:
    """Load ``kb_dir`` with the one loader and return its catalog.

    Raises:
        ContentError: the knowledge base has errors (the service does not start on one).
    """
    from helpdesk.content.kb import load_kb

    return catalog_of(load_kb(kb_dir))
