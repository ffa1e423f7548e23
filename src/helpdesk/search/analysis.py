"""Analyzers: how text becomes index terms, per language.

* ``prose_analyzer(lang)``: words split the way ``words.spans`` does (identifiers
  whole), lowercased, identifier variants added, stop words of the language dropped,
  plain words stemmed (English: Porter2, since the original Porter stems "activating"
  and "activate" apart; Italian and Spanish: Snowball), so "activating" finds
  "activation" but ``19.99`` stays ``19.99``. Accents are folded so that ``codigo``
  finds ``código``: a word with accents is indexed both as the stem of the word
  (``activación`` -> ``activ``) and as the stem of its unaccented spelling
  (``activacion``), at the same position, because a reader who types without accents
  defeats the stemmer's accented suffix rules.
* ``plain_analyzer``: the same words, lowercased only. It feeds the ``words`` field,
  the vocabulary that typo tolerance and "did you mean" draw from (a suggestion must be
  a word a reader would recognise, not a stem like "activ").

Every class here is pickled into the index's table of contents, so a change to one
must come with a ``schema.SCHEMA_VERSION`` bump (which rebuilds the index).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import Analyzer
from whoosh.analysis.filters import STOP_WORDS, Filter, LowercaseFilter, StopFilter
from whoosh.analysis.tokenizers import Tokenizer
from whoosh.lang.porter2 import stem

from helpdesk.search.words import CHUNK_RE, fold_accents, is_identifier, spans

SOURCE_LANGUAGE = "en"

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

# The same idea in Italian and Spanish (Snowball's stop lists are added to these).
_FILLERS = {
    "it": """
    come cosa cos perche perché posso puoi può puo possiamo devo deve dobbiamo riesco
    riesce riusciamo voglio vorrei vuole fare faccio fa mio mia miei mie ho hai ha
    abbiamo non si quando dove quale quali chi qualcosa ancora più piu già gia poi
    dopo prima mai sempre solo anche ecc cioè
    """,
    "es": """
    como cómo qué que puedo puede podemos debo debe tengo tiene tenemos quiero quiere
    hacer hago hace mi mis no sí si donde dónde cuando cuándo cual cuál quien quién
    algo todavía ya luego después antes nunca siempre solo sólo también etc me se
    """,
}


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


@functools.cache
def stemmer(lang: str) -> Callable[[str], str]:
    """The stemming function of ``lang`` (English: Porter2; else Snowball; none: as is)."""
    if lang == SOURCE_LANGUAGE:
        return stem_word
    from whoosh.lang import has_stemmer, stemmer_for_language

    if not has_stemmer(lang.split("-")[0]):  # type: ignore[no-untyped-call]
        return str
    snowball = stemmer_for_language(lang.split("-")[0])  # type: ignore[no-untyped-call]
    return lambda word: str(snowball(word))


@functools.cache
def stop_words(lang: str) -> frozenset[str]:
    """Stop and filler words of ``lang``, with and without accents."""
    if lang == SOURCE_LANGUAGE:
        words = set(STOP)
    else:
        from whoosh.lang import has_stopwords, stopwords_for_language

        code = lang.split("-")[0]
        known = has_stopwords(code)  # type: ignore[no-untyped-call]
        words = set(stopwords_for_language(code)) if known else set()  # type: ignore[no-untyped-call]
        words |= set(_FILLERS.get(code, "").split())
    return frozenset(words | {fold_accents(w) for w in words})


class LanguageStemFilter(Filter):  # type: ignore[misc]
    """Stems plain words in ``lang``, folds accents, and adds the unaccented spelling's
    stem when it differs (see the module docstring). Identifiers pass unchanged.

    Pickled into the index by its language code only; the stemmer is looked up again.
    """

    def __init__(self, lang: str = SOURCE_LANGUAGE) -> None:
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.lang == self.lang  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.lang))

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        stem_fn = stemmer(self.lang)
        for token in tokens:
            text = token.text
            if is_identifier(text):
                yield token
                continue
            first = fold_accents(stem_fn(text))
            token.text = first
            yield token
            plain = fold_accents(text)
            if plain != text:
                second = fold_accents(stem_fn(plain))
                if second != first:
                    token.text = second
                    yield token


_ELIDED = re.compile(r"^[a-zà-ÿ]{1,6}['’](?=\w)")


class ElisionFilter(Filter):  # type: ignore[misc]
    """Drops an elided article or preposition: ``l'autenticazione`` -> ``autenticazione``,
    ``dell'app`` -> ``app`` (Italian writes them joined; the word is what is searched)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            if "'" in token.text or "’" in token.text:
                token.text = _ELIDED.sub("", token.text)
            yield token


def prose_analyzer(lang: str = SOURCE_LANGUAGE) -> Analyzer:
    """Stemming analyzer of ``lang`` for titles, summaries, bodies and tag keywords."""
    start = IdentifierTokenizer() | LowercaseFilter()
    if lang != SOURCE_LANGUAGE:
        start = start | ElisionFilter()
    return (
        start
        | IdentifierVariantFilter()
        | StopFilter(stoplist=stop_words(lang), minsize=1)
        | LanguageStemFilter(lang)
    )


def plain_analyzer(lang: str = SOURCE_LANGUAGE) -> Analyzer:
    """Lowercased words, nothing dropped or stemmed: the vocabulary for suggestions."""
    if lang != SOURCE_LANGUAGE:
        return IdentifierTokenizer() | LowercaseFilter() | ElisionFilter()
    return IdentifierTokenizer() | LowercaseFilter()


@functools.cache
def _prose(lang: str) -> Analyzer:
    return prose_analyzer(lang)


def terms(text: str, lang: str = SOURCE_LANGUAGE) -> list[str]:
    """The index terms of ``text`` in ``lang`` (prose analysis), in order, variants included."""
    return [token.text for token in _prose(lang)(text)]
