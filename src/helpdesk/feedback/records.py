"""Feedback as it is stored and read back: what was said, in which language, and when.

There is deliberately no field for who said it: no address, no client key, no cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from helpdesk.feedback.models import Search, Vote

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_text(moment: datetime) -> str:
    """A stored time: UTC to the second, text that sorts as time does."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_utc(text: str) -> datetime:
    # fromisoformat reads the trailing "Z" since Python 3.11, and is far faster than strptime.
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Received:
    """One accepted item and when it arrived (to the second)."""

    at: datetime
    item: Vote | Search


@dataclass(frozen=True)
class VoteRecord:
    at: datetime
    lang: str
    article: str
    helpful: bool
    reason: str | None
    comment: str | None


@dataclass(frozen=True)
class SearchRecord:
    at: datetime
    lang: str
    query: str
    results: int
    opened: str | None


@dataclass(frozen=True)
class VoteTally:
    """How many votes an article got with one answer and one reason."""

    article: str
    helpful: bool
    reason: str | None
    count: int


@dataclass(frozen=True)
class SearchTally:
    """How often one wording was searched in one language without opening a result."""

    lang: str
    query: str
    found_nothing: bool
    """True: the search showed no result; False: results the reader left unopened."""
    count: int


@dataclass(frozen=True)
class Selection:
    """Which records a report reads: since a day (inclusive), in one language."""

    since: date | None = None
    lang: str | None = None
