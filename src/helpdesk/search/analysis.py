"""Analyzers: how text becomes index terms.

* ``prose_analyzer``: words split the way ``words.spans`` does (identifiers whole),
  lowercased, identifier variants added, stop words dropped, plain words stemmed
  (Porter2: the original Porter stems "activating" and "activate" apart), so
  "activating" finds "activation" but ``19.99`` stays ``19.99``.
* ``plain_analyzer``: the same words, lowercased only. It feeds the ``words`` field,
  the vocabulary that typo tolerance and "did you mean" draw from (a suggestion must be
  a word a reader would recognise, not a stem like "activ").

Every class here is pickled into the index's table of contents, so a change to one
must come with a ``schema.SCHEMA_VERSION`` bump (which rebuilds the index).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import Analyzer
from whoosh.analysis.filters import STOP_WORDS, Filter, LowercaseFilter, StopFilter
from whoosh.analysis.morph import StemFilter
from whoosh.analysis.tokenizers import Tokenizer
from whoosh.lang.porter2 import stem

from helpdesk.search.words import CHUNK_RE, is_identifier, spans

# Question and filler words customers type around the symptom; they appear in almost
# every article, so requiring them (AND) would only lose answers.
_FILLER = """
i me my mine our we us you your it its they them their he she his her
how do does did doing why what where which who whom when whose
is am are was were be been being has have had having get got gets
should would could can cannot can't won't don't doesn't didn't isn't
aren't wasn't couldn't shouldn't wont cant dont doesnt didnt isnt
there here so but just also than then too very any some all please
up about into over only own same since no s t
"""
STOP = frozenset({*STOP_WORDS, *_FILLER.split()})


_VERSION_PREFIX = re.compile(r"^(\d+)\.(\d+)")
_LETTERS_DIGITS = re.compile(r"^[a-z]+(\d+)$")


class IdentifierTokenizer(Tokenizer):  # type: ignore[misc]
    """Words and whole identifiers with positions and offsets (for phrases and snippets)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # spans() is the one definition of a word; this loop is the indexing hot path,
        # so plain alphabetic chunks (most of them) skip its generator.
        if not tokenize:
            items: Any = [(value, 0, len(value))]
        else:
            items = _fast_spans(value)
        for pos, (text, start, end) in enumerate(items):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text  # type: ignore[attr-defined]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def _fast_spans(value: str) -> Iterator[tuple[str, int, int]]:
    for match in CHUNK_RE.finditer(value):
        chunk = match.group(0)
        if chunk.isalpha():
            yield chunk, match.start(), match.end()
        else:
            offset = match.start()
            for text, start, end in spans(chunk):
                yield text, offset + start, offset + end


def identifier_variants(text: str) -> list[str]:
    """Other forms a reader types for an identifier (lowercased ``text`` expected).

    ``kb5064401`` -> ``5064401``; ``20.0x`` / ``20.0.3`` -> ``20.0``; ``e-102`` -> ``e102``.
    """
    out: list[str] = []
    letters_digits = _LETTERS_DIGITS.match(text)
    if letters_digits:
        out.append(letters_digits.group(1))
    version = _VERSION_PREFIX.match(text)
    if version and version.group(0) != text:
        out.append(version.group(0))
    if "-" in text:
        out.append(text.replace("-", ""))
    return out


class IdentifierVariantFilter(Filter):  # type: ignore[misc]
    """Adds ``identifier_variants`` at the same position, so both forms match."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            yield token
            if not is_identifier(token.text):
                continue
            original = token.text
            for variant in identifier_variants(original):
                token.text = variant
                yield token
            token.text = original


def stem_word(word: str) -> str:
    """Porter2-stem plain words; identifiers (anything with a digit) stay as typed."""
    return word if is_identifier(word) else str(stem(word))  # type: ignore[no-untyped-call]


def prose_analyzer() -> Analyzer:
    """Stemming analyzer for titles, summaries, bodies and tag keywords."""
    return (
        IdentifierTokenizer()
        | LowercaseFilter()
        | IdentifierVariantFilter()
        | StopFilter(stoplist=STOP, minsize=1)
        | StemFilter(stemfn=stem_word)  # type: ignore[no-untyped-call]
    )


def plain_analyzer() -> Analyzer:
    """Lowercased words, nothing dropped or stemmed: the vocabulary for suggestions."""
    return IdentifierTokenizer() | LowercaseFilter()


_PROSE = prose_analyzer()


def terms(text: str) -> list[str]:
    """The index terms of ``text`` (prose analysis), in order, variants included."""
    return [token.text for token in _PROSE(text)]
