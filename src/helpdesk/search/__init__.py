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

from helpdesk.errors import SearchError
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
    processes: int = 2,
) -> IndexStats:
    """Index added and changed documents, drop removed ones (see ``indexer.update_index``).

    Args:
        kb: the loaded knowledge base.
        progress: called with one-line messages (e.g. ``click.echo`` to stderr).
        rebuild: start from an empty index.
        processes: writer processes for a large full build.

    Returns:
        What changed.

    Raises:
        SearchError: the index folder cannot be written.
    """
    from helpdesk.search.indexer import update_index as _update

    return _update(kb, progress=progress, rebuild=rebuild, processes=processes)


def search(
    kb_or_index_dir: KnowledgeBase | Path | str,
    query: str,
    *,
    limit: int = 10,
    platform: str | None = None,
    product: str | None = None,
    category: str | None = None,
    audience: str = "customer",
    progress: Callable[[str], None] | None = None,
) -> SearchResults:
    """Search the knowledge base.

    Args:
        kb_or_index_dir: a loaded KB (its index is brought up to date first), a KB
            folder, or an index folder (searched as it is).
        query: what the person typed: words, "quoted phrases", identifiers, typos.
        limit: the most hits to return.
        platform: only documents for this platform (or for every platform).
        product: only documents about this product.
        category: only documents in this category.
        audience: ``customer`` (published, customer-facing only) or ``agent`` (agent-only
            articles too); drafts are never returned.
        progress: messages while a missing or stale index is built.

    Returns:
        The hits, best first, with the fallback flag, corrections and expansions.

    Raises:
        ConfigError: an unknown filter value or audience (a usage error).
        SearchError: there is no index and no KB to build one from, or it is unreadable.
        ContentError: a KB folder was given and it has errors.
    """
    from helpdesk.content.kb import KnowledgeBase, load_kb
    from helpdesk.search.engine import engine_for
    from helpdesk.search.indexer import MANIFEST, ensure_index

    if isinstance(kb_or_index_dir, KnowledgeBase):
        directory = ensure_index(kb_or_index_dir, progress=progress)
    else:
        folder = Path(kb_or_index_dir)
        if (folder / MANIFEST).is_file():
            directory = folder
        elif (folder / "taxonomy.yaml").is_file():
            directory = ensure_index(load_kb(folder), progress=progress)
        else:
            raise SearchError(f"{folder} is neither a knowledge base nor a search index")
    return engine_for(directory).search(
        query,
        limit=limit,
        platform=platform,
        product=product,
        category=category,
        audience=audience,
    )
