"""Keeping the on-disk index in step with the knowledge base.

The index lives beside the KB in ``kb/.cache/search/`` (git-ignored): Whoosh's files
plus ``manifest.json``, which records the schema version, the index generation it
describes, each document's digest and what queries need without the KB (the
taxonomy's ids for filter checks, the synonym groups). An update compares digests and
writes only added, changed and removed documents. The index is rebuilt from scratch
when it is missing, when the schema version changed, or when it cannot be read (a
corrupt folder is replaced, with a warning, never a crash).
"""

from __future__ import annotations

import gc
import json
import shutil
import time
import warnings
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index

from helpdesk._files import atomic_write
from helpdesk.content.kb import KnowledgeBase
from helpdesk.errors import SearchError
from helpdesk.search import index_dir
from helpdesk.search.documents import Document, collect
from helpdesk.search.models import IndexStats
from helpdesk.search.schema import ANY_PLATFORM, SCHEMA_VERSION, make_schema

Progress = Callable[[str], None]
MANIFEST = "manifest.json"
MULTIPROCESS_THRESHOLD = 2000
"""Below this many documents a second writer process costs more than it saves."""


@dataclass
class Manifest:
    """What ``manifest.json`` records about the index beside it."""

    schema: int = SCHEMA_VERSION
    generation: int = -1
    docs: dict[str, str] = field(default_factory=dict)
    """Document key -> digest."""
    meta: dict[str, Any] = field(default_factory=dict)
    """``platforms``, ``products``, ``categories`` (known ids) and ``synonyms`` (groups)."""

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("docs"), dict):
            raise ValueError("manifest is not an object with 'docs'")
        return cls(
            schema=int(data["schema"]),
            generation=int(data["generation"]),
            docs={str(k): str(v) for k, v in data["docs"].items()},
            meta=dict(data.get("meta") or {}),
        )

    def write(self, directory: Path) -> None:
        payload = {
            "schema": self.schema,
            "generation": self.generation,
            "docs": self.docs,
            "meta": self.meta,
        }
        # The index is a cache (rebuilt when damaged): atomic is enough, no fsync.
        atomic_write(directory / MANIFEST, json.dumps(payload, sort_keys=True), durable=False)


def kb_meta(kb: KnowledgeBase) -> dict[str, Any]:
    """What queries need to know about the KB when given only the index folder."""
    taxonomy = kb.taxonomy
    return {
        "platforms": sorted(p.id for p in taxonomy.platforms),
        "products": sorted(p.id for p in taxonomy.products),
        "categories": sorted(c.id for c in taxonomy.categories),
        "synonyms": [list(group) for group in kb.synonyms.groups],
    }


def update_index(
    kb: KnowledgeBase,
    *,
    progress: Progress | None = None,
    rebuild: bool = False,
    processes: int = 2,
) -> IndexStats:
    """Bring the index in ``kb/.cache/search/`` up to date with ``kb``.

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
    directory = index_dir(kb.root)
    stats = sync_index(
        directory,
        collect(kb),
        kb_meta(kb),
        progress=progress,
        rebuild=rebuild,
        processes=processes,
    )
    _CURRENT[directory.resolve()] = weakref.ref(kb)
    return stats


_CURRENT: dict[Path, weakref.ref[KnowledgeBase]] = {}
"""Index folder -> the KnowledgeBase object last synced into it by this process."""


def ensure_index(kb: KnowledgeBase, *, progress: Progress | None = None) -> Path:
    """The index folder of ``kb``, updated first unless this very object was synced.

    Searching the same loaded KB many times (the terminal app, a test) then costs no
    hashing; a newly loaded KB is always checked, so edits are never missed.
    """
    directory = index_dir(kb.root).resolve()
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
        say(f"building the search index ({len(documents)} documents): {stats.reason}")
        ix, manifest = _create(directory), Manifest()

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


def _create(directory: Path) -> Index:
    try:
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        return whoosh_index.create_in(str(directory), make_schema())
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
