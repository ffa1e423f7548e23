"""Full-text search over the knowledge base (Whoosh, kept inside this package).

Public API::

    update_index(kb, *, progress=None, rebuild=False) -> IndexStats
    search(kb_or_index_dir, query, *, limit=10, platform=None, product=None,
           category=None, audience="customer") -> SearchResults
    search_keywords(article, kb) -> list[str]        # for the site's in-browser search

Whoosh is imported only when an index is built or searched: the site publisher
imports ``search_keywords`` and must not pay for (or depend on) Whoosh.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.search.keywords import search_keywords
from helpdesk.search.models import IndexStats, SearchHit, SearchResults

if TYPE_CHECKING:
    from collections.abc import Callable

    from helpdesk.content.kb import KnowledgeBase

__all__ = [
    "IndexStats",
    "SearchHit",
    "SearchResults",
    "index_dir",
    "search",
    "search_keywords",
    "update_index",
]


def index_dir(kb_root: Path) -> Path:
    """Where the index of the KB in ``kb_root`` lives (``kb/.cache/search``)."""
    return Path(kb_root) / ".cache" / "search"


def update_index(
    kb: KnowledgeBase,
    *,
    progress: Callable[[str], None] | None = None,
    rebuild: bool = False,
) -> IndexStats:
    """Index added and changed documents, drop removed ones (see ``indexer.update_index``).

    Args:
        kb: the loaded knowledge base.
        progress: called with one-line messages (e.g. ``click.echo`` to stderr).
        rebuild: start from an empty index.

    Returns:
        What changed.

    Raises:
        SearchError: the index folder cannot be written.
    """
    from helpdesk.search.indexer import update_index as _update

    return _update(kb, progress=progress, rebuild=rebuild)
