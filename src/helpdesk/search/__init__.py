"""Full-text search over the knowledge base (Whoosh, kept inside this package).

Public API::

    update_index(kb, *, progress=None, rebuild=False) -> IndexStats   # every language
    search(kb_or_folder, query, *, lang=None, limit=10, platform=None, product=None,
           category=None, audience="customer") -> SearchResults
    index_dir(kb_root, lang="en") -> Path            # kb/.cache/search/<lang>
    search_keywords(article, kb) -> list[str]        # for the site's in-browser search

Each language has its own index, analysed with its own stemmer and stop words.
Whoosh is imported only when an index is built or searched, and the knowledge base
is loaded only when its files changed since the index was made (``freshness``):
the site publisher imports ``search_keywords`` and must not pay for Whoosh, and a
``helpdesk search`` must not pay for loading and validating every file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.errors import ConfigError, SearchError
from helpdesk.search._deferred import defer_morph_en
from helpdesk.search.models import IndexStats, SearchHit, SearchResults

defer_morph_en()  # before any Whoosh import in this package (see _deferred)

if TYPE_CHECKING:
    from collections.abc import Callable

    from helpdesk.content.articles import Article
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


def search_keywords(article: Article, kb: KnowledgeBase) -> list[str]:
    """Keywords for the site's in-browser search (see ``keywords.search_keywords``)."""
    from helpdesk.search.keywords import search_keywords as _keywords

    return _keywords(article, kb)


def index_dir(kb_root: Path, lang: str = "en") -> Path:
    """Where the ``lang`` index of the KB in ``kb_root`` lives (``kb/.cache/search/<lang>``)."""
    return Path(kb_root) / ".cache" / "search" / lang


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
    lang: str | None = None,
    limit: int = 10,
    platform: str | None = None,
    product: str | None = None,
    category: str | None = None,
    audience: str = "customer",
    progress: Callable[[str], None] | None = None,
) -> SearchResults:
    """Search the knowledge base.

    Args:
        kb_or_index_dir: a loaded KB (its indexes are brought up to date first), a KB
            folder (loaded only when its files changed since the index was made), or
            one language's index folder (searched as it is).
        query: what the person typed: words, "quoted phrases", identifiers, typos.
        lang: the language to search (default: the source language). When nothing
            matches in a translation language, the source language is searched and
            ``SearchResults.found_in`` says so.
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
        ConfigError: an unknown language, filter value or audience (a usage error).
        SearchError: there is no index and no KB to build one from, or it is unreadable.
        ContentError: a KB folder was given and it has errors.
    """
    from helpdesk.search.engine import engine_for

    directory, source = _indexes(kb_or_index_dir, lang, progress)

    def run(folder: Path) -> SearchResults:
        return engine_for(folder).search(
            query,
            limit=limit,
            platform=platform,
            product=product,
            category=category,
            audience=audience,
        )

    results = run(directory)
    if not results.hits and source is not None and source != directory:
        fallback = run(source)
        if fallback.hits:
            fallback.found_in, fallback.lang = fallback.lang, results.lang
            fallback.did_you_mean = fallback.did_you_mean or results.did_you_mean
            return fallback
    return results


def _indexes(
    where: KnowledgeBase | Path | str, lang: str | None, progress: Callable[[str], None] | None
) -> tuple[Path, Path | None]:
    """The index folder to search and the source language's (None: no fallback)."""
    from helpdesk.search.manifest import MANIFEST

    if not isinstance(where, (str, Path)):
        return _loaded_indexes(where, lang, progress)
    folder = Path(where)
    if (folder / MANIFEST).is_file():
        return folder, None  # one index, searched as it is
    if not (folder / "taxonomy.yaml").is_file():
        raise SearchError(f"{folder} is neither a knowledge base nor a search index")
    from helpdesk.search.freshness import fresh_languages
    from helpdesk.search.schema import SCHEMA_VERSION

    languages = fresh_languages(folder, SCHEMA_VERSION)
    if languages is None:  # something changed: read the KB and update the indexes
        from helpdesk.content.kb import load_kb

        return _loaded_indexes(load_kb(folder), lang, progress)
    wanted = lang or languages[0]
    if wanted not in languages:
        raise ConfigError(f"unknown language '{wanted}' (known: {', '.join(languages)})")
    return index_dir(folder, wanted), index_dir(folder, languages[0])


def _loaded_indexes(
    kb: KnowledgeBase, lang: str | None, progress: Callable[[str], None] | None
) -> tuple[Path, Path | None]:
    from helpdesk.search.indexer import ensure_index

    wanted = kb.check_language(lang or kb.source_language)
    directory = ensure_index(kb, wanted, progress=progress)
    if wanted == kb.source_language:
        return directory, directory
    return directory, ensure_index(kb, kb.source_language, progress=progress)
