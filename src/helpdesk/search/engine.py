"""Running queries against the index with a warm searcher.

Opening a Whoosh index and its readers costs milliseconds; a person typing in the
terminal app or a benchmark loop should not pay it per query. ``Engine`` keeps one
searcher per index folder and refreshes it when the manifest changes on disk (an
update by this process or another one), so results are never stale and never slow.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query.compound import And, Or
from whoosh.query.qcore import Query
from whoosh.query.terms import Term
from whoosh.searching import Hit, Results, Searcher

from helpdesk.errors import ConfigError, SearchError
from helpdesk.search.analysis import SOURCE_LANGUAGE, terms
from helpdesk.search.manifest import MANIFEST, Manifest
from helpdesk.search.models import SearchHit, SearchResults
from helpdesk.search.query import Vocabulary, build, parse
from helpdesk.search.schema import ANY_PLATFORM, SEARCH_FIELDS
from helpdesk.search.snippets import matches, snippet
from helpdesk.search.synonyms import SynonymTable
from helpdesk.search.words import is_identifier

AUDIENCES = ("customer", "agent")
KIND_WEIGHT = {"article": 1.0, "release": 0.75}
"""Articles answer questions; a release note that merely mentions the words is a
supporting read, so it needs a clearly better match to outrank an article."""
KIND_SLACK = 5
COMMON_SHARE = 0.25
"""In the OR fallback, a slot found in more than this share of documents is dropped..."""
PRUNE_FROM = 1000
"""...once the index is big enough for speed to matter (a small KB keeps every word)."""
TOP_UP_BELOW = 3
"""When fewer documents than this have every word, add the best with some words."""


class Engine:
    """A warm searcher over one index folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._signature: tuple[int, int] | None = None
        self._searcher: Searcher | None = None
        self._open()

    def _stat(self) -> tuple[int, int]:
        try:
            info = os.stat(self.directory / MANIFEST)
        except OSError as exc:
            raise SearchError(
                f"no search index in {self.directory}; run 'helpdesk index' first"
            ) from exc
        return info.st_mtime_ns, info.st_size

    def _open(self) -> None:
        signature = self._stat()
        try:
            self.manifest = Manifest.read(self.directory)
            ix = whoosh_index.open_dir(str(self.directory))
        except Exception as exc:
            raise SearchError(f"cannot read the search index in {self.directory}: {exc}") from exc
        if self._searcher is not None:
            self._searcher.close()  # type: ignore[no-untyped-call]
        self._searcher = ix.searcher()
        self.table = SynonymTable(self.manifest.meta.get("synonyms", []))
        self.lang = str(self.manifest.meta.get("lang", SOURCE_LANGUAGE))
        self._signature = signature
        self._known_cache: dict[str, bool] = {}
        self._filter_cache: dict[tuple[str | None, ...], tuple[set[int] | None, set[int]]] = {}
        self._vocabulary = self.table.vocabulary()
        self.vocabulary = Vocabulary(self.known, self.suggest, self.complete)

    def searcher(self) -> Searcher:
        """The warm searcher, reopened if the index changed since the last query."""
        if self._stat() != self._signature or self._searcher is None:
            self._open()
        assert self._searcher is not None
        return self._searcher

    def known(self, word: str) -> bool:
        """A word is known if the index or the synonyms have it (then it is no typo)."""
        cached = self._known_cache.get(word)
        if cached is None:
            reader = self.searcher().reader()
            # Known as typed, as a stem ("activating" -> "activ"), or as a synonym.
            cached = (
                reader.doc_frequency("words", word) > 0
                or word in self._vocabulary
                or any(
                    reader.doc_frequency(name, term) > 0
                    for term in terms(word, self.lang)
                    for name in SEARCH_FIELDS
                )
            )
            self._known_cache[word] = cached
        return cached

    def suggest(self, word: str) -> list[str]:
        """Indexed words within one edit (two for long words), most frequent first."""
        corrector = self.searcher().reader().corrector("words")
        found = corrector.suggest(word, limit=6, maxdist=1, prefix=1)
        if not found and len(word) >= 7:
            # Two edits cost ten times one on a big vocabulary; only long words need them.
            found = corrector.suggest(word, limit=6, maxdist=2, prefix=1)
        # A stop word ("for" for "foo") would search for nothing: never suggest one.
        return [str(s) for s in found if terms(str(s), self.lang)][:3]

    def complete(self, fragment: str) -> list[str]:
        """Indexed words starting with ``fragment``, most common first (at most four)."""
        reader = self.searcher().reader()
        found: list[tuple[int, str]] = []
        for index, raw in enumerate(reader.expand_prefix("words", fragment)):
            if index >= 200:  # a two-letter prefix in a big index: enough to rank
                break
            word = raw.decode() if isinstance(raw, bytes) else str(raw)
            if word != fragment and not is_identifier(word) and terms(word, self.lang):
                found.append((-reader.doc_frequency("words", word), word))
        return [word for _, word in sorted(found)[:4]]

    def _informative(self, query: Query) -> bool:
        """False for a slot most documents match (too common to help an OR rank)."""
        reader = self.searcher().reader()
        count = reader.doc_count()
        if count < PRUNE_FROM:
            return True
        return bool(query.estimate_min_size(reader) < COMMON_SHARE * count)

    def _filters(
        self, platform: str | None, product: str | None, category: str | None, audience: str
    ) -> tuple[set[int] | None, set[int]]:
        """Allowed and denied document numbers, cached until the index changes.

        Whoosh would otherwise re-read the filter terms' postings on every query.
        """
        key = (platform, product, category, audience)
        cached = self._filter_cache.get(key)
        if cached is not None:
            return cached
        searcher = self.searcher()
        allow: list[Query] = []
        if platform:
            allow.append(Or([Term("platforms", platform), Term("platforms", ANY_PLATFORM)]))
        if product:
            allow.append(Term("products", product))
        if category:
            allow.append(Term("category", category))
        # Drafts are never found; agent-only articles only by agents.
        deny: list[Query] = [Term("status", "draft")]
        if audience != "agent":
            deny.append(Term("audience", "agent"))
        docs = searcher.docs_for_query
        allowed = set(docs(And(allow))) if allow else None  # type: ignore[no-untyped-call]
        denied = set(docs(Or(deny)))  # type: ignore[no-untyped-call]
        self._filter_cache[key] = allowed, denied
        return allowed, denied

    def check_filters(self, **values: str | None) -> None:
        """Raise ConfigError for a filter value the taxonomy does not know."""
        for name, value in values.items():
            if value is None:
                continue
            known: Sequence[str] = self.manifest.meta.get(
                f"{name}s" if name != "category" else "categories", []
            )
            if value not in known:
                raise ConfigError(f"unknown {name} '{value}' (known: {', '.join(known) or 'none'})")

    def search(
        self,
        text: str,
        *,
        limit: int,
        platform: str | None,
        product: str | None,
        category: str | None,
        audience: str,
    ) -> SearchResults:
        if audience not in AUDIENCES:
            raise ConfigError(f"unknown audience '{audience}' (known: {', '.join(AUDIENCES)})")
        self.check_filters(platform=platform, product=product, category=category)
        with self._lock:
            searcher = self.searcher()
            parsed = parse(text, self.table, self.vocabulary, self.lang)
            results = SearchResults(
                query=text, hits=[], did_you_mean=parsed.did_you_mean, lang=self.lang
            )
            for slot in parsed.slots:
                if slot.corrected:
                    results.corrections[slot.text] = slot.corrected
                if slot.synonyms:
                    results.expansions[slot.text] = slot.synonyms
            query = build(parsed)
            if query is None:
                return results
            allow, deny = self._filters(platform, product, category, audience)
            wanted = _wanted(query)
            found = _run(searcher, query, limit, allow, deny)
            results.hits = [_hit(*top, wanted, self.lang) for top in _best(found, limit)]
            # Few documents have every word: show those first, then the best documents
            # with some of the words, so a wordy symptom still reaches its answer.
            if len(results.hits) < min(limit, TOP_UP_BELOW) and len(parsed.slots) > 1:
                fallback = build(parsed, any_slot=True, keep=self._informative)
                assert fallback is not None  # more than one slot, so there is a query
                results.fallback = not results.hits
                seen = {hit.docnum for hit in found}
                more = [
                    h for h in _run(searcher, fallback, limit, allow, deny) if h.docnum not in seen
                ]
                room = limit - len(results.hits)
                results.hits += [
                    _hit(*top, wanted, self.lang, all_words=False) for top in _best(more, room)
                ]
            return results


def _wanted(query: Query) -> frozenset[str]:
    """Every index term the query looks for, in any field."""
    out = set()
    for _, text in query.all_terms(phrases=True):
        out.add(text.decode() if isinstance(text, bytes) else str(text))
    return frozenset(out)


def _best(hits: Iterable[Hit], limit: int) -> list[tuple[dict[str, Any], float]]:
    """Stored fields and kind-weighted score of the best ``limit`` hits."""
    scored = []
    for hit in hits:
        fields = hit.fields()
        scored.append((fields, float(hit.score or 0.0) * KIND_WEIGHT.get(fields["kind"], 1.0)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def _run(
    searcher: Searcher, query: Query, limit: int, allow: set[int] | None, deny: set[int]
) -> Results:
    # A few extra hits, so that demoting a kind (KIND_WEIGHT) can let others move up.
    return searcher.search(query, limit=limit + KIND_SLACK, filter=allow, mask=deny)


def _hit(
    fields: dict[str, Any],
    score: float,
    wanted: frozenset[str],
    lang: str,
    *,
    all_words: bool = True,
) -> SearchHit:
    # Why it matched and the snippet come from the stored text and the query's terms:
    # asking Whoosh to record matched terms would walk the matcher tree for every
    # matching document, not just the few shown.
    summary = fields.get("summary", "")
    body = fields.get("body", "")
    in_body = matches(body, wanted, lang)
    matched = [
        name
        for name in SEARCH_FIELDS
        if (in_body if name == "body" else matches(fields.get(name, ""), wanted, lang))
    ]
    text = (
        snippet(body, wanted, found=in_body, lang=lang)
        or snippet(summary, wanted, lang=lang)
        or summary
    )
    return SearchHit(
        id=fields["id"],
        kind=fields["kind"],
        title=fields["title"],
        summary=fields.get("summary", ""),
        url=fields.get("url", ""),
        score=round(score, 4),
        snippet=text,
        matched=matched,
        category=fields.get("category", ""),
        audience=fields.get("audience", "customer"),
        all_words=all_words,
        lang=lang,
    )


_ENGINES: dict[Path, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(directory: Path) -> Engine:
    """The process-wide warm engine for ``directory``."""
    key = directory.resolve()
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = Engine(key)
        return engine
