"""What each language's site shows: the knowledge base seen through one language.

The site asks the knowledge base for every piece of text in the page's language
(``KnowledgeBase.languages`` and ``localized_article``, see ``content/kb.py``); this
module is the one place that does so, so the page builders read plain models and a
translation state, whatever the loader's API looks like in detail.

An article always has a page in every language: a translated one (``current``), one
whose English source changed after it was translated (``stale``, shown with a notice
and the date of the change), or the English text (``missing``, shown with a notice in
the reader's language and kept out of search engines with ``noindex``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from helpdesk.content.articles import Article
from helpdesk.content.kb import KnowledgeBase
from helpdesk.content.taxonomy import Category, Platform, Product, Tag

State = Literal["source", "current", "stale", "missing"]
Label = TypeVar("Label", Category, Product, Platform, Tag)

_INTERIM_LANGUAGES = ("en", "it", "es")
"""Until the loader reads ``languages`` from kb/taxonomy.yaml (the translations API),
the site is built in the three languages the help center publishes, English text in all."""


def site_languages(kb: KnowledgeBase) -> list[str]:
    """The configured languages, the source language first."""
    configured = getattr(kb, "languages", None)
    return list(configured) if configured else list(_INTERIM_LANGUAGES)


def source_language(kb: KnowledgeBase) -> str:
    return site_languages(kb)[0]


@dataclass(frozen=True)
class LocalizedArticle:
    """An article as one language's site shows it."""

    article: Article
    """The article with its prose in ``lang`` (the English text when ``state`` is missing)."""
    lang: str
    state: State
    text_lang: str
    """The language the text is written in (the source's for a missing translation)."""
    source_changed: dt.date | None = None
    """When stale: the date the English source changed after the translation."""


def localized_article(kb: KnowledgeBase, article: Article, lang: str) -> LocalizedArticle:
    """``article`` in ``lang``, with its translation state."""
    source = source_language(kb)
    if lang == source:
        return LocalizedArticle(article, lang, "source", lang)
    lookup = getattr(kb, "localized_article", None)
    if lookup is None:
        return LocalizedArticle(article, lang, "missing", source)
    found: Any = lookup(article.id, lang)
    state: State = found.state
    changed = getattr(found, "source_changed", None)
    return LocalizedArticle(
        found.article, lang, state, source if state == "missing" else lang, changed
    )


def category(kb: KnowledgeBase, category_id: str, lang: str) -> Category:
    return _label(kb, "category", kb.taxonomy.category(category_id), lang)


def product(kb: KnowledgeBase, product_id: str, lang: str) -> Product:
    return _label(kb, "product", kb.taxonomy.product(product_id), lang)


def platform(kb: KnowledgeBase, platform_id: str, lang: str) -> Platform:
    return _label(kb, "platform", kb.taxonomy.platform(platform_id), lang)


def tag(kb: KnowledgeBase, tag_id: str, lang: str) -> Tag:
    return _label(kb, "tag", kb.taxonomy.tag(tag_id), lang)


def _label(kb: KnowledgeBase, kind: str, item: Label, lang: str) -> Label:
    """A taxonomy entry with its title (and description) in ``lang``; English if missing."""
    lookup = getattr(kb, "localized_label", None)
    if lang == source_language(kb) or lookup is None:
        return item
    found: Label = lookup(kind, item.id, lang)
    return found
