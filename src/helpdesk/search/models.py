"""Plain result types of the search API (no Whoosh, so any caller can import them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class IndexStats:
    """What an index update did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    reason: str = ""
    """Why the index was rebuilt (empty when it was updated in place)."""
    warnings: list[str] = field(default_factory=list)
    """Problems met and repaired (e.g. a corrupt index folder that was rebuilt)."""
    seconds: float = 0.0

    def add(self, other: IndexStats) -> None:
        """Fold another index's update into this one (one summary for every language)."""
        self.added += other.added
        self.changed += other.changed
        self.removed += other.removed
        self.unchanged += other.unchanged
        if other.rebuilt and not self.rebuilt:
            self.rebuilt, self.reason = True, other.reason
        self.warnings += other.warnings
        self.seconds += other.seconds

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged

    @property
    def touched(self) -> int:
        return self.added + self.changed + self.removed

    def summary(self) -> str:
        what = "rebuilt" if self.rebuilt else "updated"
        return (
            f"search index {what}: {self.added} added, {self.changed} changed, "
            f"{self.removed} removed, {self.unchanged} unchanged ({self.seconds:.2f} s)"
        )


@dataclass
class SearchHit:
    """One result."""

    id: str
    kind: str
    title: str
    summary: str
    url: str
    score: float
    snippet: str
    """A short passage with matched words marked ``**like this**``."""
    matched: list[str] = field(default_factory=list)
    """Fields the query matched in (title, tags, summary, body): why this result."""
    category: str = ""
    audience: str = "customer"
    all_words: bool = True
    """False for hits added because too few documents had every word of the query."""
    lang: str = "en"
    """The language of the hit's text (``id`` is the source article's id in any language)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResults:
    """The hits of one query, best first, and how the query was understood."""

    query: str
    hits: list[SearchHit]
    fallback: bool = False
    """True when no document had every word, so documents with any word are shown
    (when only a few had every word, they come first and the rest have ``all_words``
    False)."""
    did_you_mean: str | None = None
    """The query with unknown words replaced by the closest indexed words, if any."""
    corrections: dict[str, str] = field(default_factory=dict)
    """Unknown word -> the word searched instead (typo tolerance)."""
    expansions: dict[str, list[str]] = field(default_factory=dict)
    """Query word or phrase -> the synonyms also searched."""
    lang: str = "en"
    """The language searched."""
    found_in: str | None = None
    """Set when nothing matched in ``lang`` and the hits come from this language instead
    (the source language): "found in English"."""

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[SearchHit]:
        return iter(self.hits)
