"""What the start screen searches: diagnostic trees and agent-audience KB articles.

The catalog is built in a worker after the first screen is drawn (loading the KB
parses every YAML file; the search package imports Whoosh), so typing into the
search box never waits on disk. Trees are ranked by ``helpdesk.diagnostics.routing`` (the same
analysis, synonyms and typo tolerance as article search, over titles, symptoms and node
text; only trees that match are listed); articles follow, through ``helpdesk.search``
(BM25F) when its index is usable, else through a simple word match so the app still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from helpdesk.diagnostics.model import trees_of
from helpdesk.errors import SearchError

if TYPE_CHECKING:
    from helpdesk.content.articles import Article
    from helpdesk.content.kb import KnowledgeBase
    from helpdesk.diagnostics.model import Tree
    from helpdesk.diagnostics.routing import TreeIndex, TreeMatch

_WORD = re.compile(r"[\w.]+")


@dataclass(frozen=True)
class Hit:
    """One row of the start screen's result list."""

    kind: Literal["tree", "article"]
    id: str
    title: str
    detail: str
    score: float = 0.0


@dataclass
class Catalog:
    """The loaded knowledge base and its trees, searchable.

    Attributes:
        kb: the validated knowledge base (its ``trees`` are the diagnostic trees).
        index_dir: a Whoosh index folder to search, or None to search ``kb`` directly.
    """

    kb: KnowledgeBase
    index_dir: Path | None = None
    search_error: str | None = None
    site_url: str | None = None
    """Where the help center is published (customer links are full addresses under it)."""
    routing: TreeIndex | None = None
    """The tree ranking (built on first use when not given)."""

    @property
    def trees(self) -> dict[str, Tree]:
        """Diagnostic trees by id (loaded and checked with the KB)."""
        return trees_of(self.kb)

    def article(self, article_id: str) -> Article | None:
        return self.kb.articles.get(article_id)

    def public_url(self, article: Article, lang: str = "en") -> str | None:
        """The link to send a customer, to the page in ``lang`` (None for agent-only ones)."""
        from helpdesk.tui.preview import article_url

        return article_url(article, self.site_url, self.language(lang))

    def language(self, lang: str) -> str:
        """``lang`` when the KB has that language, else its source language."""
        languages = list(getattr(self.kb, "languages", None) or ["en"])
        return lang if lang in languages else languages[0]

    def localized(self, article: Article, lang: str) -> tuple[Article, str]:
        """The article's text in ``lang`` (English when not translated) and the language
        the text is in."""
        lang = self.language(lang)
        try:
            found = self.kb.localized_article(article.id, lang)
        except (KeyError, AttributeError):
            return article, "en"
        return found.article, found.text_lang

    def search(self, query: str, *, limit: int = 12) -> list[Hit]:
        """Trees first (they start a walk), then articles, best first within each."""
        words = _words(query)
        if not words:
            trees = [Hit("tree", t.id, t.title, "; ".join(t.symptoms[:2])) for t in self._trees()]
            return trees[:limit]
        tree_hits = [Hit("tree", m.id, m.title, m.symptom, m.score) for m in self.find_trees(query)]
        return (tree_hits + self._articles(query, words, limit))[:limit]

    def find_trees(self, query: str) -> list[TreeMatch]:
        """The trees that match ``query``, best first (``helpdesk.diagnostics.routing``)."""
        if self.routing is None:
            from helpdesk.diagnostics.routing import tree_index

            self.routing = tree_index(self.kb)
        return self.routing.find(query)

    def _trees(self) -> list[Tree]:
        return sorted(self.trees.values(), key=lambda t: t.title.lower())

    def _articles(self, query: str, words: list[str], limit: int) -> list[Hit]:
        if self.search_error is None:
            try:
                return self._whoosh(query, limit)
            except (SearchError, OSError) as exc:  # no usable index: fall back to words
                self.search_error = f"{type(exc).__name__}: {exc}"
        scored = [(_score(a.title, a.summary, words), a) for a in self.kb.agent_articles()]
        ranked = sorted((p for p in scored if p[0] > 0), key=lambda p: (-p[0], p[1].title))
        return [Hit("article", a.id, a.title, a.summary, s) for s, a in ranked[:limit]]

    def _whoosh(self, query: str, limit: int) -> list[Hit]:
        from helpdesk.search import search

        source: Any = self.index_dir if self.index_dir is not None else self.kb
        results = search(source, query, limit=limit, audience="agent")
        return [
            Hit("article", h.id, h.title, h.summary, float(h.score))
            for h in results
            if getattr(h, "kind", "article") == "article"
        ]


def load_catalog(kb_dir: Path) -> Catalog:
    """Load the KB and its trees (blocking; run it in a worker).

    Raises:
        ContentError: the knowledge base has errors.
    """
    from helpdesk.content.kb import load_kb

    kb = load_kb(kb_dir)
    from helpdesk.diagnostics.routing import tree_index

    catalog = Catalog(kb=kb, site_url=_site_url(kb.root), routing=tree_index(kb))
    try:
        # Bring the index up to date once here; keystrokes then search the folder as is.
        from helpdesk.search import index_dir, search

        search(kb, "pin", limit=1, audience="agent")
        catalog.index_dir = index_dir(kb.root)
    except (SearchError, OSError) as exc:  # no usable index: the word match still answers
        catalog.search_error = f"{type(exc).__name__}: {exc}"
    return catalog


def _site_url(kb_dir: Path) -> str | None:
    from helpdesk.errors import ConfigError
    from helpdesk.publish.config import public_site_url

    try:
        return public_site_url(kb_dir.resolve().parent)
    except ConfigError:  # `helpdesk build` reports it; the app shows paths meanwhile
        return None


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text) if len(w) > 1 or w.isdigit()]


def _score(title: str, body: str, words: list[str]) -> float:
    title_words, body_words = set(_words(title)), set(_words(body))
    score = 0.0
    for word in words:
        if any(w.startswith(word) for w in title_words):
            score += 3.0
        elif any(w.startswith(word) for w in body_words):
            score += 1.0
    return score
