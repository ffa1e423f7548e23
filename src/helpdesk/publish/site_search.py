"""The help site's search: a Pagefind index of the built pages, one per language.

Why Pagefind, and not an index of our own or the engine's lunr search:

* it reads the *built HTML*, so it does not care which engine made the pages (MkDocs
  today, Zensical tomorrow) and indexes exactly what a reader sees;
* its index is split into small chunks by word, and a browser fetches only the chunks
  of the words typed plus the short fragments of the results it shows; lunr's
  ``search_index.json`` (the whole text of the site) was downloaded on every page load;
* it stems Italian and Spanish as well as English, folds accents, and keys an index on
  each page's ``<html lang>``;
* filters (platform, product) and metadata (category, summary) come from attributes
  our theme writes (``kb/templates/theme/main.html``), not from text in the page.

What Pagefind does not do, the site's query layer (``kb/templates/assets/search.js``)
adds on top of it, the way ``helpdesk search`` does in the CLI: stop words, synonym
groups (both ways, phrases first), typo correction against the words of the pages,
and OR-with-coordination instead of Pagefind's all-words-or-nothing. Each query word
is one Pagefind lookup, so a query still fetches only the chunks of its own words.
The words it needs to know are written here, beside each language's index, as
``pagefind/helpdesk-query.json`` (stop words and synonyms: small, fetched when the
search box is first used) and ``pagefind/helpdesk-words/<letter>.json`` (the
vocabulary for typos, split by first letter: a query fetches the lists of its own
words' letters only).

The alternative measured against it (``bench/site_search.py``) is the engine's own
lunr search, which downloads everything up front; writing our own chunked index would
mean re-doing Pagefind's chunking, stemming for three languages and WebAssembly
scoring, for no gain in what a reader gets.

``index_site`` runs after the engine built the new site and before it is swapped in,
so a failed index leaves the previous site as it was.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from helpdesk.content.kb import KnowledgeBase
from helpdesk.errors import BuildError

BUNDLE = "pagefind"
"""The bundle's folder inside each language's site (``/<lang>/pagefind/``)."""
QUERY_FILE = "helpdesk-query.json"
WORDS_FOLDER = "helpdesk-words"
LANGUAGE_FOLDER_RE = re.compile(r"^[a-z]{2}(?:-[a-z]{2,4})?$")
_HTML_LANG_RE = re.compile(r"<html[^>]*\slang=\"([^\"]+)\"", re.IGNORECASE)
_BODY_RE = re.compile(r"<[^>]*data-pagefind-body[^>]*>(.*?)<!-- /hd-search-body -->", re.DOTALL)
_TAG_RE = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.DOTALL | re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
MAX_WORDS = 20_000
"""The typo vocabulary keeps the most frequent words; rarer ones are seldom mistyped queries."""
TIMEOUT = 600
"""Seconds one language's index may take (10,000 pages index in a few seconds)."""

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


def pagefind_executable() -> Path:
    """The Pagefind binary from the ``pagefind[bin]`` wheel.

    Raises:
        BuildError: the wheel is not installed (``pip install -e .`` installs it).
    """
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise BuildError(
            "the site search needs Pagefind: install helpdesk's dependencies "
            "(.venv/bin/pip install -e .), which include pagefind[bin]"
        ) from None
    return Path(get_executable())


def language_sites(site_dir: Path) -> list[tuple[str, Path]]:
    """Each language's site inside ``site_dir``, as (language, folder).

    A site of several languages keeps each under its own prefix (``/en/``, ``/it/``);
    a folder counts as one when its name looks like a language code and it holds an
    ``index.html``. A site of one language is ``site_dir`` itself. The language is the
    ``<html lang>`` of the folder's home page, which is what Pagefind keys on too.
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
    """Index every language's site in ``site_dir`` and write the query layer's data.

    Args:
        kb: the checked knowledge base (synonym groups).
        site_dir: a built site (usually the engine's fresh output, before the swap).
        note: receives one line per language.

    Raises:
        BuildError: Pagefind failed or is missing; its own message is included.
    """
    report = SearchReport()
    executable = pagefind_executable()
    for lang, folder in language_sites(site_dir):
        started = time.perf_counter()
        _run_pagefind(executable, folder, lang)
        bundle = folder / BUNDLE
        vocabulary = page_vocabulary(_indexed_pages(folder))
        _write_json(bundle / QUERY_FILE, query_data(kb, lang))
        for letter, words in by_first_letter(vocabulary).items():
            _write_json(bundle / WORDS_FOLDER / f"{letter}.json", {"words": words})
        pages = _page_count(bundle)
        entry = LanguageIndex(lang, folder, pages, len(vocabulary), time.perf_counter() - started)
        report.languages.append(entry)
        if note is not None:
            note(f"{lang}: {pages} pages, {len(vocabulary)} words for typos")
    return report


def _run_pagefind(executable: Path, folder: Path, lang: str) -> None:
    command = [
        str(executable),
        "--site",
        str(folder),
        "--output-subdir",
        BUNDLE,
        # One language per folder: a page whose text is still English in the Italian
        # site (an untranslated fallback) must not start an English index there.
        "--force-language",
        lang,
        # The engine's "¶" permalinks beside headings are not words of the page.
        "--exclude-selectors",
        ".headerlink",
        "--silent",
    ]
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"could not run the site search indexer (Pagefind): {exc}") from None
    if result.returncode != 0:
        raise BuildError(
            f"the site search indexer (Pagefind) failed for '{lang}' "
            f"with exit status {result.returncode}; the previous site was left as it was",
            output=(result.stderr or result.stdout).strip(),
        )


def _indexed_pages(folder: Path) -> Iterable[str]:
    """The searchable text of every page our theme marked for the index."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != BUNDLE]
        for name in names:
            if not name.endswith(".html"):
                continue
            html = (Path(root) / name).read_text(encoding="utf-8", errors="replace")
            match = _BODY_RE.search(html)
            if match:
                yield unescape(_TAG_RE.sub(" ", match.group(1)))


def page_vocabulary(texts: Iterable[str]) -> list[str]:
    """The words of the indexed pages, most frequent first (for typo correction).

    Words are lowercased; words with digits (versions, KB numbers) are left out: a
    mistyped version is a different version, not a typo to correct.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word.lower() for word in _WORD_RE.findall(text))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _count in ranked[:MAX_WORDS]]


def by_first_letter(vocabulary: list[str]) -> dict[str, list[str]]:
    """The vocabulary split by first letter (accents folded, as the browser looks it up)."""
    out: dict[str, list[str]] = {}
    for word in vocabulary:
        out.setdefault(fold(word)[0], []).append(fold(word))
    return out


def fold(word: str) -> str:
    """Lowercase without accents: ``código`` -> ``codigo`` (the browser folds queries alike)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_data(kb: KnowledgeBase, lang: str) -> dict[str, object]:
    """Stop words and synonym groups of one language, as the browser's query layer reads them."""
    return {
        "lang": lang,
        "stop": sorted(stop_words(lang)),
        "synonyms": [list(group) for group in synonym_groups(kb, lang)],
    }


def stop_words(lang: str) -> set[str]:
    """The CLI analyzer's stop words for ``lang`` (so both searches ignore the same words),
    plus the fillers customers type around a symptom in Italian and Spanish."""
    from helpdesk.search.analysis import stop_words as cli_stop_words

    extra = {"it": _STOP_IT, "es": _STOP_ES}.get(lang, "")
    return {*cli_stop_words(lang), *extra.split()}


def synonym_groups(kb: KnowledgeBase, lang: str) -> list[list[str]]:
    """The synonym groups a language's search expands queries with (``kb/synonyms.<lang>.yaml``;
    the source language's for a language the knowledge base does not list)."""
    source = kb.synonyms_for(lang) if lang in kb.languages else kb.synonyms
    return [list(group) for group in source.groups]


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    path.chmod(0o644)


def _page_count(bundle: Path) -> int:
    entry = bundle / "pagefind-entry.json"
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    languages = data.get("languages", {}) if isinstance(data, dict) else {}
    return sum(int(info.get("page_count", 0)) for info in languages.values())
