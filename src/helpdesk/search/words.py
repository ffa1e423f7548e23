"""Splitting text into words the way the index does, without importing Whoosh.

The site publisher imports ``helpdesk.search.keywords``, and keywords need the same
idea of a "word" as the index: identifiers stay whole (``KB5064401``, ``19.99``,
``1.5.X``, ``0x80070005``) while prose splits on hyphens and slashes
(``Android/iOS`` is two words). ``analysis`` builds its Whoosh tokenizer on these
same expressions, so the two can never disagree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

CHUNK_RE = re.compile(r"\w+(?:[.\-/'’]\w+)*")
"""A run of word characters joined by dots, hyphens, slashes or apostrophes."""

SPLIT_RE = re.compile(r"[^.\-/_]+")
"""The parts of a chunk without digits: ``two-factor`` -> ``two``, ``factor``."""

DIGIT_RE = re.compile(r"\d")


def is_identifier(chunk: str) -> bool:
    """Whether a chunk is kept whole: anything with a digit (versions, KB numbers, codes)."""
    return DIGIT_RE.search(chunk) is not None


def spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each word of ``text`` with its start and end offsets, in reading order."""
    for match in CHUNK_RE.finditer(text):
        chunk = match.group(0)
        if is_identifier(chunk):
            yield chunk, match.start(), match.end()
            continue
        for part in SPLIT_RE.finditer(chunk):
            word = part.group(0)
            # "customer's" -> "customer": the possessive never changes what is meant.
            if word.endswith(("'s", "’s")):
                word = word[:-2]
            if word:
                yield word, match.start() + part.start(), match.start() + part.start() + len(word)


def words(text: str) -> list[str]:
    """The lowercased words of ``text``."""
    return [word.lower() for word, _, _ in spans(text)]


def fold_accents(text: str) -> str:
    """``text`` without diacritics (``código`` -> ``codigo``, ``perché`` -> ``perche``);
    ``ñ`` becomes ``n`` too, as readers without a Spanish keyboard type it."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(word: str) -> str:
    """A light, Whoosh-free normal form for matching synonyms: case and plural ``s`` dropped.

    Porter stemming would also merge "activation" and "activate"; synonyms list such
    forms explicitly instead, so keywords stay predictable for writers.
    """
    word = fold_accents(word.lower().replace("’", "'"))
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
        return word[:-1]
    return word
