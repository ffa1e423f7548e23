"""The index schema and the knobs that rank results.

``SCHEMA_VERSION`` is stored in the index's manifest; when it differs from this
module's, the index is rebuilt from scratch. Bump it whenever a field, an analyzer or
the way documents are turned into fields changes.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from helpdesk.search.analysis import SOURCE_LANGUAGE, plain_analyzer, prose_analyzer

SCHEMA_VERSION = 4

SEARCH_FIELDS: dict[str, float] = {
    "title": 4.0,
    "tags": 2.5,
    "summary": 2.0,
    "body": 1.0,
}
"""Fields a query searches, with their boosts: a word in the title says more about
what the page is for than the same word in passing in the body."""

FILTER_FIELDS = ("category", "products", "platforms", "audience", "status", "kind")

ANY_PLATFORM = "any"
"""Indexed in ``platforms`` for documents that name no platform: they apply to all."""


def make_schema(lang: str = SOURCE_LANGUAGE) -> Schema:
    """A fresh schema for ``lang`` (Whoosh schemas are mutable, so never share one)."""
    prose = prose_analyzer(lang)
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        id=ID(stored=True),
        title=TEXT(analyzer=prose, stored=True),
        tags=TEXT(analyzer=prose, stored=True),
        summary=TEXT(analyzer=prose, stored=True),
        body=TEXT(analyzer=prose, stored=True),
        words=TEXT(analyzer=plain_analyzer(lang), phrase=False),
        category=ID(stored=True),
        products=KEYWORD(commas=True, stored=True),
        platforms=KEYWORD(commas=True, stored=True),
        audience=ID(stored=True),
        status=ID(stored=True),
        updated=ID(stored=True),
        url=STORED(),
    )
