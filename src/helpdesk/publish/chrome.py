"""The help center's page chrome: what a page says about itself beyond its text.

Article, category and home templates get their lists from here: a category's articles
in the writer's order (``weight`` in the taxonomy, then title), the article's
neighbours for the side navigation, the home page's featured articles, and the
``helpdesk`` front-matter map the theme (``kb/templates/theme/main.html``) reads to mark
pages for the search index, filters and the "Still need help?" block.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from helpdesk.content.articles import Article
from helpdesk.content.kb import KnowledgeBase
from helpdesk.content.taxonomy import Category, Tag

SIBLINGS = 15
"""How many of the category's other articles an article's side navigation lists at most;
more would make every page carry the whole category (quadratic in a big knowledge base)."""

UNWEIGHTED = 1_000_000
"""Articles without a writer-set weight sort after every weighted one."""


def category_order(category: Category, articles: Iterable[Article]) -> list[Article]:
    """A category's articles as its page lists them: writer-set weight (lower first), then title."""
    weights = category.weights
    return sorted(articles, key=lambda a: (weights.get(a.id, UNWEIGHTED), a.title.casefold()))


def featured(kb: KnowledgeBase, on_site: dict[str, Article]) -> list[Article]:
    """The taxonomy's curated ``featured`` articles that are on the site, in the writer's order."""
    return [on_site[i] for i in kb.taxonomy.featured if i in on_site]


class SideNav:
    """A category's articles in page order, indexed once for every article's side navigation
    (finding each article's place by scanning the list made a category's pages quadratic)."""

    def __init__(self, ordered: list[Article]) -> None:
        self.ordered = ordered
        self.current = [a for a in ordered if a.status != "archived"] or ordered
        self.position: dict[str, int] = {}
        for i, a in enumerate(self.current):
            self.position.setdefault(a.id, i)


def siblings(article: Article, nav: SideNav) -> list[dict[str, Any]]:
    """The article's neighbours in its category's order, itself included (marked current).

    Pages live at ``<category>/<id>/``, so a sibling is ``../<id>/`` from here.
    """
    current = nav.current
    at = nav.position.get(article.id, 0)
    start = max(0, min(at - SIBLINGS // 2, len(current) - SIBLINGS))
    return [
        {"title": a.title, "url": f"../{a.id}/", "current": a.id == article.id}
        for a in current[start : start + SIBLINGS]
    ]


def _tag_words(article: Article, tags: Mapping[str, Tag]) -> list[str]:
    found = [w for t in article.tags if t in tags for w in (tags[t].title, *tags[t].keywords)]
    return list(dict.fromkeys(found))


def article_meta(
    article: Article,
    category_title: str,
    nav: SideNav,
    *,
    platforms: Mapping[str, str],
    products: Mapping[str, str],
    tags: Mapping[str, Tag],
    search: bool = True,
) -> dict[str, Any]:
    """The ``helpdesk`` front-matter map of an article page, with the titles of its language.

    Args:
        nav: the article's category in page order (for the side navigation).
        platforms, products: titles by id; tags: tags by id (titles and keywords).
        search: whether the page belongs in the site search (not an untranslated fallback).
    """
    meta: dict[str, Any] = {
        "kind": "article",
        "id": article.id,
        "search": search,
        "summary": " ".join(article.summary.split()),
        "category": {"title": category_title, "url": "../"},
        "platforms": [platforms[p] for p in article.platforms if p in platforms],
        "products": [products[p] for p in article.products if p in products],
        "tags": list(article.tags),
        # The tags' titles and keywords ("2FA" for MFA) go to the index as metadata, where
        # the CLI has them in its tags field; nothing hidden is added to the page text.
        "keywords": ", ".join(_tag_words(article, tags)),
        "siblings": siblings(article, nav),
    }
    if article.status == "archived":
        meta["weight"] = 0.5
    if len(nav.ordered) > SIBLINGS:
        meta["total"] = len(nav.ordered)  # the side navigation then links the whole category
    return meta
