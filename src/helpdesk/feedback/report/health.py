"""The content health report's data: one pass over feedback, the KB and transcripts.

What a writer acts on, section by section: articles that failed readers (votes, the
share of "yes", reasons, latest comments), what readers searched for and did not find
(grouped by wording, with the nearest article the CLI's search finds, or none: an
article or a synonym to write), articles past ``review_by``, translations that are
stale or missing, and, per diagnostic tree, how walks end and where callers are lost
(``helpdesk.diagnostics.report``, reused as it is).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpdesk.feedback.models import REASONS
from helpdesk.feedback.records import SearchTally, Selection, VoteRecord, VoteTally
from helpdesk.feedback.report.wording import QueryGroup, group_queries

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase
    from helpdesk.diagnostics.report import TreeStats
    from helpdesk.feedback.store import FeedbackStore

LATEST_COMMENTS = 3
NEAREST_FOR = 30
"""Search groups (the most frequent) that get a nearest-article lookup."""

Nearest = Callable[[str, str], tuple[str, str] | None]
"""``(lang, query) -> (article id, title)`` of the best hit, or None."""


@dataclass
class Comment:
    at: dt.datetime
    lang: str
    reason: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "lang": self.lang,
            "reason": self.reason,
            "text": self.text,
        }


@dataclass
class ArticleVotes:
    """Votes on one article (in every language selected)."""

    id: str
    title: str
    yes: int = 0
    no: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    comments: list[Comment] = field(default_factory=list)
    """The latest comments, newest first."""

    @property
    def votes(self) -> int:
        return self.yes + self.no

    @property
    def share(self) -> float:
        """The share of "yes" (0 to 1)."""
        return self.yes / self.votes if self.votes else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.id,
            "title": self.title,
            "votes": self.votes,
            "yes": self.yes,
            "no": self.no,
            "yes_share": round(self.share, 4),
            "reasons": {r: self.reasons[r] for r in REASONS if self.reasons[r]},
            "latest_comments": [c.to_dict() for c in self.comments],
        }


@dataclass
class SearchGap:
    """A group of failed searches and the nearest article, if any."""

    group: QueryGroup
    nearest: tuple[str, str] | None
    looked_up: bool

    @property
    def verdict(self) -> str:
        if not self.looked_up:
            return ""
        if self.nearest is None:
            return "none: a missing article?"
        return "found by the CLI: a missing synonym?"

    def to_dict(self) -> dict[str, Any]:
        g = self.group
        return {
            "lang": g.lang,
            "query": g.label,
            "wordings": dict(g.wordings.most_common()),
            "searches": g.count,
            "no_results": g.no_results,
            "abandoned": g.abandoned,
            "nearest": (
                {"article": self.nearest[0], "title": self.nearest[1]} if self.nearest else None
            ),
        }


@dataclass
class ReviewDue:
    id: str
    title: str
    review_by: dt.date
    days_over: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.id,
            "title": self.title,
            "review_by": self.review_by.isoformat(),
            "days_over": self.days_over,
        }


@dataclass
class TranslationGap:
    id: str
    title: str
    lang: str
    state: str
    """``stale`` or ``missing``."""
    source_changed: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.id,
            "title": self.title,
            "lang": self.lang,
            "state": self.state,
            "source_changed": self.source_changed.isoformat() if self.source_changed else None,
        }


@dataclass
class HealthReport:
    """Everything the report shows; rendered as text, JSON or HTML."""

    today: dt.date
    selection: Selection
    articles: list[ArticleVotes]
    searches: list[SearchGap]
    searches_total: int
    reviews: list[ReviewDue]
    translations: list[TranslationGap] | None
    """None when the knowledge base has no translation states to compare (one language)."""
    trees: list[TreeStats]
    transcripts_dir: Path | None

    @property
    def votes_total(self) -> int:
        return sum(a.votes for a in self.articles)

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "since": self.selection.since.isoformat() if self.selection.since else None,
            "lang": self.selection.lang,
            "votes": self.votes_total,
            "articles": [a.to_dict() for a in self.articles],
            "searches": self.searches_total,
            "failed_searches": [s.to_dict() for s in self.searches],
            "review_due": [r.to_dict() for r in self.reviews],
            "translations": (
                None if self.translations is None else [t.to_dict() for t in self.translations]
            ),
            "trees": [t.to_dict() for t in self.trees],
        }


def article_votes(
    kb: KnowledgeBase, tallies: list[VoteTally], comments: list[VoteRecord]
) -> list[ArticleVotes]:
    """Votes per article, the least helpful first (then the most voted, then by id)."""
    by_id: dict[str, ArticleVotes] = {}

    def entry_of(article_id: str) -> ArticleVotes:
        entry = by_id.get(article_id)
        if entry is None:
            article = kb.articles.get(article_id)
            title = article.title if article else "(no longer in the knowledge base)"
            entry = by_id[article_id] = ArticleVotes(article_id, title)
        return entry

    for tally in tallies:
        entry = entry_of(tally.article)
        if tally.helpful:
            entry.yes += tally.count
            continue
        entry.no += tally.count
        if tally.reason:
            entry.reasons[tally.reason] += tally.count
    for vote in comments:
        if vote.comment:
            entry_of(vote.article).comments.append(
                Comment(vote.at, vote.lang, vote.reason, vote.comment)
            )
    for entry in by_id.values():
        entry.comments = sorted(entry.comments, key=lambda c: c.at, reverse=True)[:LATEST_COMMENTS]
    return sorted(by_id.values(), key=lambda a: (a.share, -a.votes, a.id))


def search_gaps(tallies: list[SearchTally], nearest: Nearest | None) -> list[SearchGap]:
    """Failed searches (nothing shown, or left without opening a result), grouped."""
    failed = ((t.lang, t.query, t.found_nothing, t.count) for t in tallies)
    gaps = []
    for index, group in enumerate(group_queries(failed)):
        look = nearest is not None and index < NEAREST_FOR
        found = nearest(group.lang, group.label) if look and nearest else None
        gaps.append(SearchGap(group, found, looked_up=look))
    return gaps


def reviews_due(kb: KnowledgeBase, today: dt.date) -> list[ReviewDue]:
    """Articles whose ``review_by`` has passed, the longest overdue first."""
    due = [
        ReviewDue(a.id, a.title, a.review_by, (today - a.review_by).days)
        for a in kb.articles.values()
        if a.review_by is not None and a.review_by < today and a.status != "archived"
    ]
    return sorted(due, key=lambda r: (r.review_by, r.id))


def translation_gaps(kb: KnowledgeBase, lang: str | None) -> list[TranslationGap] | None:
    """Stale or missing translations of the site's articles (``kb.localized_article``),
    or None when the site has one language."""
    targets = [code for code in kb.languages[1:] if lang is None or code == lang]
    if len(kb.languages) < 2:
        return None
    gaps = []
    for article in kb.site_articles():
        for target in targets:
            local = kb.localized_article(article.id, target)
            if local.state != "current":
                gaps.append(
                    TranslationGap(
                        article.id, article.title, target, local.state, local.source_changed
                    )
                )
    return sorted(gaps, key=lambda g: (g.state, g.lang, g.id))


def tree_stats(transcripts_dir: Path | None) -> list[TreeStats]:
    """Per tree, from the transcripts (``helpdesk.diagnostics.report``)."""
    from helpdesk.diagnostics.report import build_report

    if transcripts_dir is None or not transcripts_dir.is_dir():
        return []
    return sorted(build_report(transcripts_dir).values(), key=lambda t: t.tree)


def build_health(
    kb: KnowledgeBase,
    store: FeedbackStore,
    *,
    selection: Selection,
    today: dt.date,
    transcripts_dir: Path | None,
    nearest: Nearest | None,
) -> HealthReport:
    """Read feedback in ``selection`` and everything else once, into a report."""
    return HealthReport(
        today=today,
        selection=selection,
        articles=article_votes(
            kb,
            store.vote_tallies(selection),
            store.latest_comments(selection, per_article=LATEST_COMMENTS),
        ),
        searches=search_gaps(store.search_tallies(selection), nearest),
        searches_total=store.search_count(selection),
        reviews=reviews_due(kb, today),
        translations=translation_gaps(kb, selection.lang),
        trees=tree_stats(transcripts_dir),
        transcripts_dir=transcripts_dir,
    )


def search_nearest(kb: KnowledgeBase) -> Nearest:
    """The CLI's search as the nearest-article lookup. The first lookup brings the KB's
    index up to date; the others search that index as it is (one freshness check per
    report, not per query)."""
    import inspect

    from helpdesk.search import index_dir, search

    # Per-language search arrives with the translations; until then every language
    # is searched in the source language's index.
    per_language = "lang" in inspect.signature(search).parameters
    source: list[KnowledgeBase | Path] = [kb]

    def nearest(lang: str, query: str) -> tuple[str, str] | None:
        extra: dict[str, Any] = {"lang": lang} if per_language else {}
        results = search(source[0], query, limit=1, **extra)
        source[0] = index_dir(kb.root)
        hits = [hit for hit in results if hit.kind == "article"]
        return (hits[0].id, hits[0].title) if hits else None

    return nearest
