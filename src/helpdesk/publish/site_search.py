"""The help site's search: an index of the built pages, one per language, scored as the CLI scores.

``index_site`` reads each language's built HTML (only what the theme marks with
``data-hd-search-body``: articles and release notes, never lists, the 404 page or
untranslated fallbacks), analyses it with the CLI's own analyzers
(``helpdesk.search.analysis``: the same stop words, stemming per language, accents
folded, identifiers kept whole) and writes, beside each language's site, a bundle that
the browser's query layer (``kb/templates/assets/search.js``) reads:

``hd-search/meta.json``
    document count, stop words, synonym groups, filter values: fetched when the search
    box is first used (a few kB).
``hd-search/words/<key>.json``
    the words of the pages by first letter (two letters where one letter holds too
    many): each word's index terms (so the browser needs no stemmer), and its document
    and collection frequency in titles, tags and summaries (for completions and
    typo corrections, as the CLI's ``words`` field).
``hd-search/terms/<term>.json``
    one file per index term: the documents that have it and a precomputed score each,
    BM25F over title, tags, summary and body with the CLI's field boosts
    (``search.schema.SEARCH_FIELDS``), times the kind's weight (release notes count
    less, as ``search.engine.KIND_WEIGHT``) and the page's own weight (archived articles).
    Multi-word synonym members ("sign in", "recovery codes") have a phrase file too,
    holding only documents where the words stand together, scored over all fields and
    over the short ones (title, tags, summary) where a synonym phrase is looked for.
``hd-search/docs/<n>.json``
    the title, address, category and summary of documents ``16n`` to ``16n + 15``,
    fetched for the results shown only.
``hd-search/filters.json``
    the documents of each platform and product, fetched when a filter is chosen.

A query downloads its own words' lists and terms, and the fragments of the results it
shows: at 10,000 articles a two-word question costs a few tens of kB, and ranking is a
sum over arrays (milliseconds) because scores are computed here, not in the browser.

Why not Pagefind (used before, and measured against this in ``bench/site_search.py``):
its index holds word positions, not scores, so every lookup scores every page that
has the word in WebAssembly; a word on most pages took about a second at 10,000
articles, once per query word and once per synonym. And it ranks differently from the
CLI, so the same question found different answers on the site and in ``helpdesk
search``. This index is the CLI's ranking, computed once at build time.

``index_site`` runs after the engine built the new site and before it is swapped in,
so a failed index leaves the previous site as it was.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import re
import shutil
import signal
import threading
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.errors import BuildError
from helpdesk.search.words import CHUNK_RE, fold_accents, is_identifier, spans

if TYPE_CHECKING:  # an indexing process never loads the knowledge base
    from helpdesk.content.kb import KnowledgeBase

BUNDLE = "hd-search"
"""The bundle's folder inside each language's site (``/<lang>/hd-search/``)."""
META_FILE = "meta.json"
FORMAT = 1
"""Bumped when the bundle's files change shape (search.js checks it)."""
LANGUAGE_FOLDER_RE = re.compile(r"^[a-z]{2}(?:-[a-z]{2,4})?$")
_HTML_LANG_RE = re.compile(r"<html[^>]*\slang=\"([^\"]+)\"", re.IGNORECASE)
_BODY_RE = re.compile(r"<div[^>]*data-hd-search-body[^>]*>.*?<!-- /hd-search-body -->", re.DOTALL)
_SAFE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{0,60}$")
DOCS_PER_FILE = 16
MAX_LETTER_WORDS = 1500
"""A first letter with more words than this is split by its first two letters."""
K1 = 1.2
B = 0.75
"""Whoosh's BM25F defaults, so the site ranks as ``helpdesk search`` does."""
SCALE = 100
"""Scores are stored as integers in hundredths."""
SHORT_FIELDS = ("title", "tags", "summary")
PARALLEL_FROM = 2.0
"""Seconds the first language took above which the others are indexed side by side
(a process costs a tenth of a second of a core to start, and a small site's languages
take less than that each: they are quicker in turn)."""
SUMMARY_CHARS = 180
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip
_SKIP = {"script", "style", "template", "svg"}
_ELIDED = re.compile(r"^[a-zà-ÿ]{1,6}['’](?=\w)")

# Filler words customers type around the symptom ("come posso", "cómo puedo", "no va"),
# added to the CLI analyzer's stop words of the language; requiring them would only
# lose answers.
_STOP_IT = """
a ad al allo ai agli alla alle con col da dal dallo dai dagli dalla dalle di del dello
dei degli della delle in nel nello nei negli nella nelle su sul sullo sui sugli sulla
sulle per tra fra il lo la i gli le un uno una e ed o ma se che chi cui non più come
dove quando perché mi ti ci vi si me te lui lei noi voi loro mio mia miei mie tuo tua
suo sua nostro vostro è sono ho hai ha abbiamo avete hanno essere avere fare posso
puoi può possiamo devo deve ancora anche già molto poi qui là questo questa quello
quella cosa
"""
_STOP_ES = """
a al ante bajo con contra de del desde en entre hacia hasta para por según sin sobre
tras el la lo los las un una unos unas y e o u ni pero si que quien cual cuando donde
como cómo porque no más mi mis tu tus su sus me te se nos os le les yo él ella
nosotros ellos es son soy está están estoy he ha han hay ser estar tener hacer puedo
puede podemos debo debe ya muy también aquí este esta esto ese esa eso qué va sigue
todavía aún
"""


@dataclass
class LanguageIndex:
    """What was indexed for one language's site."""

    lang: str
    folder: Path
    pages: int
    words: int
    seconds: float


@dataclass
class SearchReport:
    languages: list[LanguageIndex] = field(default_factory=list)

    def __str__(self) -> str:
        return ", ".join(f"{i.lang}: {i.pages} pages" for i in self.languages) or "no pages"

    def note_each(self, note: Callable[[str], None]) -> None:
        """One line per language, for a build's progress."""
        for entry in self.languages:
            note(f"{entry.lang}: {entry.pages} pages, {entry.words} words")


@dataclass
class Page:
    """One indexed page as the theme marked it."""

    url: str
    title: str = ""
    summary: str = ""
    keywords: str = ""
    category: str = ""
    article: str = ""
    kind: str = "article"
    weight: float = 1.0
    body: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)

    def fields(self) -> dict[str, str]:
        return {
            "title": self.title,
            "tags": self.keywords,
            "summary": self.summary,
            "body": self.body,
        }


_MARKUP_RE = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][^\s/>]*)([^>]*)>", re.DOTALL)
_ATTR_RE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_INTERESTING_RE = re.compile(r"data-hd-search|hidden|headerlink|alt=")


_ROOT = ("", False, False)


class _PageReader:
    """Collects the metadata attributes and the readable text of a search body.

    A small scanner over the tags rather than ``html.parser``: the body is the theme's
    own well-formed markup, and this runs over every page of every language (ten
    thousand pages read in a few seconds instead of a minute)."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.filters: dict[str, list[str]] = defaultdict(list)
        self.weight = 1.0
        self.heading: list[str] = []
        self.text: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, hidden from text, in the h1)
        self._seen_h1 = False

    def feed(self, html: str) -> None:
        position = 0
        for match in _MARKUP_RE.finditer(html):
            if match.start() > position:
                self._data(html[position : match.start()])
            position = match.end()
            closing, tag, rest = match.groups()
            if tag is None:  # a comment
                continue
            tag = tag.lower()
            if closing:
                self._end(tag)
            else:
                self._start(tag, rest)
        if position < len(html):
            self._data(html[position:])

    def _start(self, tag: str, rest: str) -> None:
        values: dict[str, str] = {}
        if rest and _INTERESTING_RE.search(rest):
            for name, double, single, bare in _ATTR_RE.findall(rest):
                values[name.lower()] = unescape(double or single or bare)
        for name in ("data-hd-search-meta", "data-hd-search-filter"):
            if ":" in values.get(name, ""):
                key, _, value = values[name].partition(":")
                if name == "data-hd-search-filter":
                    self.filters[key].append(value)
                else:
                    self.meta[key] = value
        if "data-hd-search-weight" in values:
            with contextlib.suppress(ValueError):
                self.weight = float(values["data-hd-search-weight"])
        top = self._stack[-1] if self._stack else _ROOT
        hidden = (
            top[1]
            or tag in _SKIP
            or "data-hd-search-ignore" in values
            or "hidden" in values
            or "headerlink" in values.get("class", "").split()
        )
        if tag == "img" and not hidden and values.get("alt"):
            self.text.append(" " + values["alt"] + " ")
        if tag in _VOID or rest.rstrip().endswith("/"):
            return
        in_h1 = top[2] or (tag == "h1" and not self._seen_h1 and not hidden)
        if tag == "h1":
            self._seen_h1 = True
        self._stack.append((tag, hidden, in_h1))
        self.text.append(" ")

    def _end(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break
        self.text.append(" ")

    def _data(self, data: str) -> None:
        top = self._stack[-1] if self._stack else _ROOT
        if top[1]:
            return
        (self.heading if top[2] else self.text).append(unescape(data) if "&" in data else data)


def read_page(html: str, url: str) -> Page | None:
    """The page's search body and metadata, or None when the theme did not mark it."""
    match = _BODY_RE.search(html)
    if match is None:
        return None
    reader = _PageReader()
    reader.feed(match.group(0))
    meta = reader.meta
    body = " ".join("".join(reader.text).split())
    heading = " ".join("".join(reader.heading).split())
    return Page(
        url=url,
        title=meta.get("title") or heading,
        summary=meta.get("summary", ""),
        keywords=meta.get("keywords", ""),
        category=meta.get("category", ""),
        article=meta.get("article", ""),
        kind=meta.get("kind", "article"),
        weight=reader.weight,
        body=body,
        filters=dict(reader.filters),
    )


def language_sites(site_dir: Path) -> list[tuple[str, Path]]:
    """Each language's site inside ``site_dir``, as (language, folder).

    A site of several languages keeps each under its own prefix (``/en/``, ``/it/``);
    a folder counts as one when its name looks like a language code and it holds an
    ``index.html``. A site of one language is ``site_dir`` itself. The language is the
    ``<html lang>`` of the folder's home page.
    """
    found: list[tuple[str, Path]] = []
    for child in sorted(site_dir.iterdir()):
        home = child / "index.html"
        if child.is_dir() and LANGUAGE_FOLDER_RE.match(child.name) and home.is_file():
            found.append((_html_lang(home) or child.name, child))
    if found:
        return found
    home = site_dir / "index.html"
    return [(_html_lang(home) or "en", site_dir)] if home.is_file() else []


def _html_lang(page: Path) -> str | None:
    with page.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096)
    match = _HTML_LANG_RE.search(head)
    return match.group(1).lower().split("-")[0] if match else None


def index_site(
    kb: KnowledgeBase, site_dir: Path, *, note: Callable[[str], None] | None = None
) -> SearchReport:
    """Index every language's site in ``site_dir`` and write its search bundle.

    The first language is indexed in this process; if it took long (a big site), the
    others go side by side, one process each.

    Args:
        kb: the checked knowledge base (synonym groups).
        site_dir: a built site (usually the engine's fresh output, before the swap).
        note: receives one line per language.

    Raises:
        BuildError: a bundle could not be written (the disk's message is included).
    """
    jobs = [(lang, folder, synonym_groups(kb, lang)) for lang, folder in language_sites(site_dir)]
    first = [_index_language(*jobs[0])] if jobs else []
    rest = jobs[1:]
    processes = min(len(rest), os.cpu_count() or 1)
    if processes < 2 or first[0].seconds < PARALLEL_FROM:
        processes = 0
    with SiteIndexer(processes=processes) as indexer:
        for job in rest:
            indexer.submit(*job)
        report = indexer.finish()
    report.languages = sorted([*first, *report.languages], key=lambda entry: entry.lang)
    if note is not None:
        report.note_each(note)
    return report


PAGES_FOR_PROCESSES = 1500
"""Pages in a build above which each language is indexed on a process of its own as soon
as its engine is done (``SiteIndexer``); below, in turn after the engines: the project's
own 35 articles in three languages built in 2.3-2.9 s that way, 3.2-3.5 s with processes
(their start competes with the engines for the cores)."""


class SiteIndexer:
    """Indexes each language's site as soon as its engine has built it.

    ``helpdesk build`` runs the languages' engines side by side; the last one to finish
    leaves a core idle, and the languages already built can be indexed there meanwhile
    instead of all waiting for it. With ``processes`` the work goes to a pool of spawned
    processes started at once, so that their imports happen while the knowledge base is
    checked (a core is idle then too); without, ``finish`` indexes every submitted language
    in this process, in turn. Use it as a context manager: leaving it stops the pool, and
    whatever was not collected is dropped.
    """

    def __init__(self, *, processes: int = 0) -> None:
        self._jobs: list[tuple[str, Path, list[list[str]]]] = []
        self._futures: list[Future[LanguageIndex]] = []
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        if processes > 0:
            context = multiprocessing.get_context("spawn")  # builds run engines on threads
            self._pool = ProcessPoolExecutor(
                max_workers=processes, mp_context=context, initializer=_ignore_interrupts
            )
            with _interrupts_ignored():
                for _ in range(processes):  # start every process now, not at the first page
                    self._pool.submit(_ready)

    def __enter__(self) -> SiteIndexer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the pool: what is being indexed ends first, what waits is dropped. Call it
        before removing the folders being indexed (a build that failed)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, lang: str, folder: Path, synonyms: list[list[str]]) -> None:
        """Index ``folder`` (one language's freshly built site); safe from any thread."""
        job = (lang, folder, synonyms)
        with self._lock:
            if self._pool is not None:
                try:
                    self._futures.append(self._pool.submit(_index_language, *job))
                    return
                except BrokenProcessPool:  # a process died (killed?): do it here instead
                    pass
            self._jobs.append(job)

    def finish(self) -> SearchReport:
        """Wait for (or do) every submitted language's index; the report is by language.

        Raises:
            BuildError: a bundle could not be written, or an indexing process stopped.
        """
        with self._lock:
            jobs, futures = list(self._jobs), list(self._futures)
        results = [_index_language(*job) for job in jobs]
        try:
            results += [future.result() for future in futures]
        except BrokenProcessPool as exc:
            raise BuildError(
                f"the site search indexer stopped ({exc}); the previous site was left as it "
                "was: run the build again, and report it if it happens again"
            ) from None
        return SearchReport(sorted(results, key=lambda entry: entry.lang))


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored while the pool's processes start, so that they inherit it ignored.

    The whole process group gets a Ctrl-C: the build stops the pool itself, and a
    process that received it would print its traceback over the terminal. Only the main
    thread may change a signal's handler (a preview indexes on a thread of its own: its
    processes ignore it from their initializer on)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ready() -> None:
    """A pool process's first job: the imports indexing needs (stemmers, the CLI's
    scoring), done before there is a page to index."""
    import helpdesk.search.analysis
    import helpdesk.search.engine
    import helpdesk.search.schema  # noqa: F401


def _index_language(lang: str, folder: Path, synonyms: list[list[str]]) -> LanguageIndex:
    started = time.perf_counter()
    pages = list(_indexed_pages(folder))
    try:
        words = write_bundle(folder / BUNDLE, pages, lang, synonyms)
    except OSError as exc:
        raise BuildError(f"could not write the '{lang}' site's search index: {exc}") from None
    return LanguageIndex(lang, folder, len(pages), words, time.perf_counter() - started)


def _indexed_pages(folder: Path) -> Iterable[Page]:
    """Every page of ``folder`` that the theme marked for the index, in a stable order."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != BUNDLE)
        for name in sorted(names):
            if not name.endswith(".html"):
                continue
            path = Path(root) / name
            html = path.read_text(encoding="utf-8", errors="replace")
            relative = path.relative_to(folder).as_posix()
            url = relative.removesuffix("index.html")
            page = read_page(html, url)
            if page is not None:
                yield page


class _Analysis:
    """The CLI's prose analysis of one language, one word at a time (memoized)."""

    def __init__(self, lang: str) -> None:
        from helpdesk.search.analysis import terms

        self.lang = lang
        self._terms = lru_cache(maxsize=None)(lambda word: tuple(terms(word, lang)))
        self._words: dict[str, tuple[tuple[str, ...], str | None]] = {}

    def plain(self, word: str) -> str:
        """The word as the CLI's ``words`` field has it: lowercased, elision dropped."""
        lowered = word.lower()
        return _ELIDED.sub("", lowered) if self.lang != "en" else lowered

    def terms(self, word: str) -> tuple[str, ...]:
        return self._terms(word)  # type: ignore[no-any-return]

    def word(self, word: str) -> tuple[tuple[str, ...], str | None]:
        """A word's index terms and its plain form (None for identifiers), memoized."""
        cached = self._words.get(word)
        if cached is None:
            plain = None if is_identifier(word) else self.plain(word)
            cached = self._words[word] = (self.terms(word), plain)
        return cached

    def positions(self, text: str) -> tuple[dict[str, int], int, list[tuple[str, ...]], list[str]]:
        """Term counts, length (terms posted, variants included), terms by position, and
        the plain words (for the vocabulary).

        Stop words are dropped and positions renumbered, as the CLI's analyzer does."""
        counts: dict[str, int] = {}
        at: list[tuple[str, ...]] = []
        plain: list[str] = []
        cache, lookup = self._words, self.word
        for chunk in CHUNK_RE.findall(text):
            # spans() is the one definition of a word; plain alphabetic chunks (nearly all
            # of them) are one word as they stand.
            for word in (chunk,) if chunk.isalpha() else (w for w, _, _ in spans(chunk)):
                found, bare = cache.get(word) or lookup(word)
                if bare is not None:
                    plain.append(bare)
                if found:
                    at.append(found)
                    for term in found:
                        counts[term] = counts.get(term, 0) + 1
        return counts, sum(counts.values()), at, plain


def write_bundle(bundle: Path, pages: list[Page], lang: str, synonyms: list[list[str]]) -> int:
    """Write one language's search bundle for ``pages`` into ``bundle``; returns its word count."""
    from helpdesk.search.engine import KIND_WEIGHT
    from helpdesk.search.schema import SEARCH_FIELDS

    analysis = _Analysis(lang)
    phrases = _phrases(synonyms, analysis)
    by_first: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for sequence in phrases:
        by_first[sequence[0]].add(sequence)

    count = len(pages)
    # term -> field -> (docs, term frequencies), as compact arrays: 10,000 pages have millions
    postings: dict[str, dict[str, tuple[array[int], array[int]]]] = defaultdict(dict)
    lengths: dict[str, list[int]] = {name: [0] * count for name in SEARCH_FIELDS}
    found_phrases: dict[tuple[str, ...], dict[int, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    words_df: Counter[str] = Counter()
    words_cf: Counter[str] = Counter()
    known: set[str] = set()
    for doc, page in enumerate(pages):
        for name, text in page.fields().items():
            counts, length, at, plain = analysis.positions(text)
            lengths[name][doc] = length
            for term, tf in counts.items():
                entry = postings[term].get(name)
                if entry is None:
                    entry = postings[term][name] = (array("i"), array("i"))
                entry[0].append(doc)
                entry[1].append(tf)
            for position, here in enumerate(at):
                for first in here:
                    for sequence in by_first.get(first, ()):
                        if _phrase_at(at, position, sequence):
                            found_phrases[sequence][doc].add(name)
            known.update(plain)
            if name != "body":  # the CLI's suggestion vocabulary: titles, tags, summaries
                words_cf.update(plain)
                words_df.update(set(plain))

    average = {name: (sum(v) / count if count else 0.0) or 1.0 for name, v in lengths.items()}
    factor = [page.weight * KIND_WEIGHT.get(page.kind, 1.0) for page in pages]

    def field_scores(term: str) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {}
        for name, (docs, tfs) in postings.get(term, {}).items():
            idf = math.log(count / (len(docs) + 1)) + 1
            boost, field_lengths, mean = SEARCH_FIELDS[name], lengths[name], average[name]
            out[name] = {
                doc: boost
                * idf
                * (tf * (K1 + 1))
                / (tf + K1 * ((1 - B) + B * field_lengths[doc] / mean))
                for doc, tf in zip(docs, tfs, strict=True)
            }
        return out

    fresh = bundle.with_name(bundle.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    (fresh / "terms").mkdir(parents=True)
    (fresh / "words").mkdir()
    (fresh / "docs").mkdir()
    for term in postings:
        total: dict[int, float] = defaultdict(float)
        for scores in field_scores(term).values():
            for doc, score in scores.items():
                total[doc] += score
        docs = sorted(total)
        _write_json(fresh / "terms" / f"{term_file(term)}.json", {
            "d": _deltas(docs),
            "s": [round(total[d] * factor[d] * SCALE) for d in docs],
        })  # fmt: skip
    for sequence, hits in found_phrases.items():
        per_term = [field_scores(term) for term in sequence]
        docs = sorted(hits)
        every, short = [], []
        for doc in docs:
            where = hits[doc]
            in_fields = {n: sum(s.get(n, {}).get(doc, 0.0) for s in per_term) for n in where}
            every.append(round(sum(in_fields.values()) * factor[doc] * SCALE))
            near = sum(v for n, v in in_fields.items() if n in SHORT_FIELDS)
            short.append(round(near * factor[doc] * SCALE))
        _write_json(fresh / "terms" / f"{term_file(' '.join(sequence))}.json",
                    {"d": _deltas(docs), "s": every, "h": short})  # fmt: skip

    vocabulary = _vocabulary(known, synonyms, analysis, words_df, words_cf)
    split = _write_words(fresh / "words", vocabulary)
    for start in range(0, count, DOCS_PER_FILE):
        chunk = [_fragment(page) for page in pages[start : start + DOCS_PER_FILE]]
        _write_json(fresh / "docs" / f"{start // DOCS_PER_FILE}.json", chunk)
    filters: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for doc, page in enumerate(pages):
        for name, values in page.filters.items():
            for value in values:
                filters[name][value].append(doc)
    _write_json(fresh / "filters.json", {
        name: {value: _deltas(docs) for value, docs in sorted(values.items())}
        for name, values in sorted(filters.items())
    })  # fmt: skip
    _write_json(fresh / META_FILE, {
        "format": FORMAT,
        "lang": lang,
        "docs": count,
        "perFile": DOCS_PER_FILE,
        "scale": SCALE,
        "split": split,
        "stop": sorted(stop_words(lang)),
        "synonyms": synonyms,
        "filters": {name: sorted(values) for name, values in sorted(filters.items())},
    })  # fmt: skip
    for path in (fresh, fresh / "terms", fresh / "words", fresh / "docs"):
        path.chmod(0o755)
    if bundle.exists():
        shutil.rmtree(bundle)
    fresh.rename(bundle)
    return len(vocabulary)


def _phrase_at(at: list[tuple[str, ...]], position: int, sequence: tuple[str, ...]) -> bool:
    if position + len(sequence) > len(at):
        return False
    return all(term in at[position + i] for i, term in enumerate(sequence))


def _phrases(synonyms: list[list[str]], analysis: _Analysis) -> set[tuple[str, ...]]:
    """The term sequences of multi-word synonym members (the first term of each word,
    stop words dropped: what the CLI's phrase query looks for)."""
    out: set[tuple[str, ...]] = set()
    for group in synonyms:
        for member in group:
            sequence = tuple(t[0] for t in (analysis.terms(w) for w, _, _ in spans(member)) if t)
            if len(sequence) > 1:
                out.add(sequence)
    return out


def _vocabulary(
    known: set[str],
    synonyms: list[list[str]],
    analysis: _Analysis,
    df: Counter[str],
    cf: Counter[str],
) -> dict[str, list[object]]:
    """word -> [document frequency, collection frequency, terms] for every word the pages
    or the synonyms use (stop words excluded: the query layer drops them itself).

    A word with accents is listed unaccented too (frequency 0: never suggested), with
    the terms its unaccented spelling has, so ``codigo`` is known as the CLI knows it."""
    words = set(known)
    for group in synonyms:
        for member in group:
            words.update(analysis.plain(w) for w, _, _ in spans(member) if not is_identifier(w))
    out: dict[str, list[object]] = {}
    for word in sorted(words):
        terms = analysis.terms(word)
        if terms:
            out[word] = [df[word], cf[word], list(terms)]
    for word in list(out):
        plain = fold_accents(word)
        if plain != word and plain not in out:
            terms = analysis.terms(plain)
            if terms:
                out[plain] = [0, 0, list(terms)]
    return out


def word_key(word: str, split: set[str]) -> str:
    """The words file a (lowercased) word is listed in: its first letter, accents folded,
    or its first two letters when that letter's list was split."""
    folded = fold_accents(word)
    first = folded[:1]
    return folded[:2] if first in split and len(folded) > 1 else first


def _write_words(folder: Path, vocabulary: dict[str, list[object]]) -> dict[str, list[str]]:
    """Write the words files; returns each split letter's two-letter keys (for typos,
    which look at every word of the same first letter)."""
    letters: Counter[str] = Counter(fold_accents(w)[:1] for w in vocabulary)
    split = {letter for letter, n in letters.items() if n > MAX_LETTER_WORDS}
    files: dict[str, dict[str, list[object]]] = defaultdict(dict)
    for word, entry in vocabulary.items():
        files[word_key(word, split)][word] = entry
    for key, entries in files.items():
        _write_json(folder / f"{term_file(key)}.json", entries)
    keys: dict[str, list[str]] = defaultdict(list)
    for key in sorted(files):
        if key[:1] in split:
            keys[key[:1]].append(key)
    return dict(keys)


def term_file(key: str) -> str:
    """A file name for a term, phrase or words key that every file system and URL keeps:
    the key itself when it is plain lowercase ASCII, else ``_`` and its UTF-8 in hex
    (search.js computes the same)."""
    if _SAFE_NAME_RE.match(key) and not key.endswith("."):
        return key
    return "_" + key.encode("utf-8").hex()[:120]


def _deltas(docs: list[int]) -> list[int]:
    return [doc - (docs[i - 1] if i else 0) for i, doc in enumerate(docs)]


def _fragment(page: Page) -> list[str]:
    summary = page.summary
    if not summary and len(page.body) > SUMMARY_CHARS:
        summary = page.body[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    elif not summary:
        summary = page.body
    return [page.url, page.title, page.category, summary, page.article, page.kind]


def stop_words(lang: str) -> set[str]:
    """The CLI analyzer's stop words for ``lang`` (so both searches ignore the same words),
    plus the fillers customers type around a symptom in Italian and Spanish."""
    from helpdesk.search.analysis import stop_words as cli_stop_words

    extra = {"it": _STOP_IT, "es": _STOP_ES}.get(lang, "")
    return {*cli_stop_words(lang), *extra.split(), *(fold_accents(w) for w in extra.split())}


def synonym_groups(kb: KnowledgeBase, lang: str) -> list[list[str]]:
    """The synonym groups a language's search expands queries with (``kb/synonyms.<lang>.yaml``;
    the source language's for a language the knowledge base does not list)."""
    source = kb.synonyms_for(lang) if lang in kb.languages else kb.synonyms
    return [list(group) for group in source.groups]


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    path.chmod(0o644)
