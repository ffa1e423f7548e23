"""The wire contract of ``POST /v1/feedback``: one JSON object, a vote or a search.

Other tools (the site's widget, scripts that replay a queue) rely on these names::

    {"kind": "vote", "lang": "en", "article": "pin-login", "helpful": false,
     "reason": "outdated", "comment": "The menu is now called ..."}
    {"kind": "search", "lang": "it", "query": "schedina alloggiati", "results": 0,
     "opened": "police-report"}

Validation is strict (no coercion: ``"helpful": "yes"`` is refused, not read as true)
and closed (an unknown field is refused), so what reaches the database is exactly
what the contract describes.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

Reason = Literal["missing-info", "outdated", "hard-to-follow", "different-problem", "other"]
REASONS: tuple[Reason, ...] = (
    "missing-info",
    "outdated",
    "hard-to-follow",
    "different-problem",
    "other",
)

MAX_COMMENT = 1000
"""Characters (code points) in a comment."""
MAX_QUERY = 200
"""Characters in a search query: longer text is not a search, it is a paste."""
MAX_RESULTS = 100_000
MAX_BODY_BYTES = 8 * 1024
"""A vote with the longest comment in 4-byte characters still fits, with room to spare."""
_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters other than tab and newline."""


def _clean(value: str, what: str) -> str:
    """Text that can be stored and shown as it is: UTF-8 encodable, no control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # JSON lets a string hold a lone surrogate ("\ud800"); UTF-8 cannot store it.
        raise ValueError(f"the {what} holds an unpaired surrogate escape") from None
    if _CONTROL_RE.search(value):
        raise ValueError(f"the {what} holds control characters")
    return value.strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Vote(_Strict):
    """A reader's answer to "Was this helpful?" under an article."""

    kind: Literal["vote"]
    lang: Annotated[str, Field(max_length=12, pattern=_LANG_PATTERN)]
    """The page's language (``<html lang>``)."""
    article: Annotated[str, Field(max_length=100, pattern=_ID_PATTERN)]
    """The article's id."""
    helpful: bool
    reason: Reason | None = None
    """Why not (only with ``helpful: false``)."""
    comment: Annotated[str, Field(max_length=MAX_COMMENT)] | None = None
    """Optional free text (only with ``helpful: false``), at most 1,000 characters."""

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _clean(value, "comment") or None

    @model_validator(mode="after")
    def _reason_only_when_not_helpful(self) -> Vote:
        if self.helpful and (self.reason is not None or self.comment is not None):
            raise ValueError("a reason or comment goes only with helpful: false")
        return self


class Search(_Strict):
    """A search on the site that found nothing, or that the reader left without opening
    a result (``opened`` absent), or that led to an article (``opened`` set)."""

    kind: Literal["search"]
    lang: Annotated[str, Field(max_length=12, pattern=_LANG_PATTERN)]
    query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY)]
    results: Annotated[int, Field(ge=0, le=MAX_RESULTS)]
    """How many results the site showed for the query."""
    opened: Annotated[str, Field(max_length=100, pattern=_ID_PATTERN)] | None = None
    """The article the reader opened from the results, if any."""

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        cleaned = " ".join(_clean(value, "query").split())
        if not cleaned:
            raise ValueError("the query is blank")
        return cleaned


Feedback = Annotated[Vote | Search, Field(discriminator="kind")]
FEEDBACK = TypeAdapter[Vote | Search](Feedback)
"""Validates one decoded JSON value into a :class:`Vote` or a :class:`Search`."""
