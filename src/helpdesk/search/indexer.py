"""Keeping the on-disk indexes in step with the knowledge base.

Each language's index lives beside the KB in ``kb/.cache/search/<lang>/``
(git-ignored): Whoosh's files plus ``manifest.json``, which records the schema
version, the index generation it describes, each document's digest and what queries
need without the KB (the language, the taxonomy's ids for filter checks, the synonym
groups). After every update ``kb/.cache/search/sources.json`` records the files the
indexes were made from (``freshness``), so a search can skip loading the KB when
nothing changed. An update compares digests and
writes only added, changed and removed documents. The index is rebuilt from scratch
when it is missing, when the schema version changed, or when it cannot be read (a
corrupt folder is replaced, with a warning, never a crash).
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import time
import warnings
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index

from helpdesk.content.kb import KnowledgeBase
from helpdesk.errors import SearchError
from helpdesk.releases.catalog import releases_of
from helpdesk.search import freshness, index_dir
from helpdesk.search.analysis import SOURCE_LANGUAGE
from helpdesk.search.documents import Document, collect
from helpdesk.search.manifest import MANIFEST, Manifest
from helpdesk.search.models import IndexStats
from helpdesk.search.schema import ANY_PLATFORM, SCHEMA_VERSION, make_schema

Progress = Callable[[str], None]
MULTIPROCESS_THRESHOLD = 2000
"""Below this many documents a second writer process costs more than it saves."""


def kb_meta(kb: KnowledgeBase, lang: str | None = None) -> dict[str, Any]:
    """What queries need to know about the KB when given only the index folder."""
    taxonomy = kb.taxonomy
    lang = lang or kb.source_language
    return {
        "lang": lang,
        "source": kb.source_language,
        "languages": kb.languages,
        "platforms": sorted(p.id for p in taxonomy.platforms),
        "products": sorted(p.id for p in taxonomy.products),
        "categories": sorted(c.id for c in taxonomy.categories),
        "synonyms": [list(group) for group in kb.synonyms_for(lang).groups],
    }


def update_index(
    kb: KnowledgeBase,
    *,
    progress: Progress | None = None,
    rebuild: bool = False,
    processes: int = 2,
) -> IndexStats:
    """Bring every language's index in ``kb/.cache/search/`` up to date with ``kb``.

    Args:
        kb: the loaded knowledge base.
        progress: called with one-line messages a person may want to see.
        rebuild: start from an empty index even if the current one is usable.
        processes: writer processes for a large full build (1 when something else, such
            as the site engine, already keeps a core busy).

    Returns:
        What changed.

    Raises:
        SearchError: the index folder cannot be written.
    """
    total = IndexStats()
    for lang in kb.languages:
        directory = index_dir(kb.root, lang)
        stats = sync_index(
            directory,
            collect(kb, lang),
            kb_meta(kb, lang),
            progress=progress,
            rebuild=rebuild,
            processes=processes,
            lang=lang,
        )
        total.add(stats)
        _CURRENT[directory.resolve()] = weakref.ref(kb)
    _remove_other_languages(index_dir(kb.root).parent, kb.languages)
    freshness.record(kb.root, kb.languages, _valid_until(kb), loaded_at=kb.loaded_at)
    return total


def _valid_until(kb: KnowledgeBase) -> dt.date | None:
    """The next embargo date: from then on the indexes must be rebuilt from the KB."""
    as_of = releases_of(kb).as_of
    dates = [
        item.release.publish_after
        for item in releases_of(kb).all()
        if item.release.publish_after is not None
        and (as_of is None or item.release.publish_after > as_of)
    ]
    return min(dates) if dates else None


def _remove_other_languages(folder: Path, languages: list[str]) -> None:
    """Drop indexes of languages no longer configured (and the old single-index layout)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name not in languages:
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_file() and entry.name != freshness.SOURCES and not entry.name.startswith("."):
            entry.unlink(missing_ok=True)


_CURRENT: dict[Path, weakref.ref[KnowledgeBase]] = {}
"""Index folder -> the KnowledgeBase object last synced into it by this process."""


def ensure_index(
    kb: KnowledgeBase, lang: str | None = None, *, progress: Progress | None = None
) -> Path:
    """The ``lang`` index folder of ``kb``, updated first unless this very object was synced.

    Searching the same loaded KB many times (the terminal app, a test) then costs no
    hashing; a newly loaded KB is always checked, so edits are never missed.
    """
    directory = index_dir(kb.root, lang or kb.source_language).resolve()
    last = _CURRENT.get(directory)
    if last is None or last() is not kb:
        update_index(kb, progress=progress)
    return directory


def sync_index(
    directory: Path,
    documents: Sequence[Document],
    meta: dict[str, Any],
    *,
    progress: Progress | None = None,
    rebuild: bool = False,
    processes: int = 2,
    lang: str = SOURCE_LANGUAGE,
) -> IndexStats:
    """Make the index in ``directory`` hold exactly ``documents`` (see ``update_index``)."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    stats = IndexStats()
    ix, manifest, reason = (None, None, "rebuild requested") if rebuild else _open(directory)
    if ix is None or manifest is None:
        if reason.startswith("warning: "):
            stats.warnings.append(reason.removeprefix("warning: "))
            say(reason)
        stats.rebuilt, stats.reason = True, reason.removeprefix("warning: ")
        say(f"building the search index ({lang}, {len(documents)} documents): {stats.reason}")
        ix, manifest = _create(directory, lang), Manifest()

    wanted = {doc.key: doc for doc in documents}
    digests = {key: doc.digest() for key, doc in wanted.items()}
    removed = [key for key in manifest.docs if key not in wanted]
    added = [key for key in wanted if key not in manifest.docs]
    changed = [key for key in wanted if key in manifest.docs and manifest.docs[key] != digests[key]]
    stats.added, stats.changed, stats.removed = len(added), len(changed), len(removed)
    stats.unchanged = len(wanted) - len(added) - len(changed)

    if stats.touched:
        _write(
            ix,
            [wanted[k] for k in (*added, *changed)],
            changed + removed,
            stats.rebuilt,
            processes,
        )
    if stats.touched or manifest.meta != meta or stats.rebuilt:
        generation = ix.latest_generation()  # type: ignore[no-untyped-call]
        manifest = Manifest(schema=SCHEMA_VERSION, generation=generation, docs=digests, meta=meta)
        manifest.write(directory)
    ix.close()  # type: ignore[no-untyped-call]
    stats.seconds = time.perf_counter() - started
    if stats.touched or stats.rebuilt:
        say(stats.summary())
    return stats


def _open(directory: Path) -> tuple[Index | None, Manifest | None, str]:
    """The current index and manifest, or ``None`` and why it must be rebuilt."""
    if not (directory / MANIFEST).is_file():
        if directory.is_dir() and any(directory.iterdir()):
            return None, None, "warning: the index folder has no manifest; rebuilding it"
        return None, None, "no index yet"
    try:
        manifest = Manifest.read(directory)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, None, f"warning: the index manifest is unreadable ({exc}); rebuilding it"
    if manifest.schema != SCHEMA_VERSION:
        return None, None, f"index schema changed ({manifest.schema} -> {SCHEMA_VERSION})"
    # Whoosh leaves the TOC file open when it cannot parse a damaged one; the handle is
    # freed with the failed call's frames, so silence that one ResourceWarning here
    # (a damaged folder is a warning to the user, not a crash in a strict-warnings run).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh_index.open_dir(str(directory))
            generation = ix.latest_generation()  # type: ignore[no-untyped-call]
        except Exception as exc:
            damaged = f"warning: the search index is damaged ({exc}); rebuilding it"
        else:
            damaged = ""
        if damaged:
            gc.collect()
    if damaged:
        return None, None, damaged
    if generation != manifest.generation:
        ix.close()  # type: ignore[no-untyped-call]
        return None, None, "warning: the index and its manifest disagree; rebuilding it"
    return ix, manifest, ""


def _create(directory: Path, lang: str) -> Index:
    try:
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        return whoosh_index.create_in(str(directory), make_schema(lang))
    except OSError as exc:
        raise SearchError(f"cannot write the search index in {directory}: {exc}") from exc


def _write(
    ix: Index, documents: list[Document], stale: list[str], fresh: bool, processes: int
) -> None:
    """Delete ``stale`` keys, add ``documents``, commit once."""
    big = fresh and processes > 1 and len(documents) >= MULTIPROCESS_THRESHOLD
    # Several processes each write their own segment; merging them would cost the time saved.
    options: dict[str, Any] = (
        {"procs": processes, "multisegment": True} if big else {"timeout": 30.0}
    )
    try:
        writer = ix.writer(limitmb=256, **options)
    except Exception as exc:
        raise SearchError(f"cannot open the search index for writing: {exc}") from exc
    try:
        for key in stale:
            writer.delete_by_term("key", key)
        for doc in documents:
            writer.add_document(**fields_of(doc))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def fields_of(doc: Document) -> dict[str, Any]:
    """The index fields of one document."""
    return {
        "key": doc.key,
        "kind": doc.kind,
        "id": doc.id,
        "title": doc.title,
        "tags": doc.tags,
        "summary": doc.summary,
        "body": doc.body,
        # The suggestion vocabulary: the words of titles, tags and summaries, which say
        # what documents are about. Bodies would double the postings written (and the
        # build time) for "did you mean" words no one types; typos of body words still
        # match through the stemmed fields when they are real words.
        "words": "\n".join((doc.title, doc.tags, doc.summary)),
        "category": doc.category,
        "products": ",".join(doc.products),
        "platforms": ",".join(doc.platforms or (ANY_PLATFORM,)),
        "audience": doc.audience,
        "status": doc.status,
        "updated": doc.updated,
        "url": doc.url,
    }
