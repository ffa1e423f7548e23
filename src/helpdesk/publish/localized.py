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
from typing import Literal

from helpdesk.content.articles import Article
from helpdesk.content.kb import KnowledgeBase
from helpdesk.content.taxonomy import Category, Platform, Product, Tag, Taxonomy

State = Literal["source", "current", "stale", "missing"]


def site_languages(kb: KnowledgeBase) -> list[str]:
    """The configured languages (``languages`` in kb/taxonomy.yaml), the source first."""
    return list(kb.languages)


def source_language(kb: KnowledgeBase) -> str:
    return kb.source_language


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
    """``article`` in ``lang``, with its translation state (``source`` on the source site)."""
    if lang == kb.source_language:
        return LocalizedArticle(article, lang, "source", lang)
    found = kb.localized_article(article.id, lang)
    return LocalizedArticle(found.article, lang, found.state, found.text_lang, found.source_changed)


def taxonomy(kb: KnowledgeBase, lang: str) -> Taxonomy:
    """The taxonomy with its labels (titles, descriptions, tag keywords) in ``lang``."""
    return kb.localized_taxonomy(lang).taxonomy


def category(kb: KnowledgeBase, category_id: str, lang: str) -> Category:
    return taxonomy(kb, lang).category(category_id)


def product(kb: KnowledgeBase, product_id: str, lang: str) -> Product:
    return taxonomy(kb, lang).product(product_id)


def platform(kb: KnowledgeBase, platform_id: str, lang: str) -> Platform:
    return taxonomy(kb, lang).platform(platform_id)


def tag(kb: KnowledgeBase, tag_id: str, lang: str) -> Tag:
    return taxonomy(kb, lang).tag(tag_id)
