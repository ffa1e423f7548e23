"""Snippets: a short passage of a document with the matched words marked ``**so**``.

Whoosh's highlighter runs the full analyzer pipeline over every hit's stored text and
was a quarter of the query time in the benchmark. Here the text is split with the
same regular expression as the index (``words.CHUNK_RE``, in C) and each distinct word is
analysed once (cached), so a snippet costs a regex pass and dictionary lookups.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from helpdesk.search.analysis import SOURCE_LANGUAGE, terms
from helpdesk.search.words import CHUNK_RE, fold_accents

_PARTS_RE = re.compile(r"[.\-/'’_]")
"""Where a chunk splits into the words the analyzer sees (and after an elided article)."""

WIDTH = 180
"""Characters of context in a snippet, about two lines of a terminal table."""


@functools.lru_cache(maxsize=100_000)
def _chunk_terms(chunk: str, lang: str) -> frozenset[str]:
    return frozenset(terms(chunk, lang))


@functools.cache
def _letters() -> dict[str, str]:
    """Each plain letter -> a character class of itself and its accented forms (Latin)."""
    forms: dict[str, set[str]] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        plain = fold_accents(char.lower())
        if len(plain) == 1 and plain.isascii() and plain.isalpha():
            forms.setdefault(plain, set()).add(char)
    return {
        plain: f"[{re.escape(plain)}{''.join(sorted(chars))}]" for plain, chars in forms.items()
    }


@functools.lru_cache(maxsize=256)
def _candidates_re(heads: frozenset[str]) -> re.Pattern[str]:
    """Where a word part starts with one of ``heads`` (any case or accent), or a digit is.

    A part starts at the start of a chunk or after one of ``_PARTS_RE``'s characters, so
    exactly where the previous character is no letter or digit (``_`` counts as a
    separator, as in ``_PARTS_RE``).
    """
    letters = _letters()
    alternatives = sorted(
        ("".join(letters.get(c, re.escape(c)) for c in head) for head in heads),
        key=len,
        reverse=True,
    )
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})|\d", re.IGNORECASE)


def matches(
    text: str, wanted: frozenset[str], lang: str = SOURCE_LANGUAGE
) -> list[tuple[int, int]]:
    """Offsets of the chunks of ``text`` whose index terms meet ``wanted``.

    Chunks ("two-factor", "KB5064401") come from one C-level regex pass; their terms
    are cached, so a long body costs little more than the scan itself. Only a chunk
    with a digit (an identifier) or with a word part that starts like a wanted term
    is analysed: stemmers only cut suffixes, so a term always keeps its word's first two
    letters (accents folded). A second C-level pass finds those places, so the Python
    loop runs over the few candidates, not over every word of every hit: this is what
    keeps a cold process (``helpdesk search`` from a shell) fast.
    """
    if not wanted:
        return []
    places = [m.start() for m in _candidates_re(frozenset(t[:2] for t in wanted)).finditer(text)]
    if not places:
        return []
    out: list[tuple[int, int]] = []
    end = -1
    for place in places:
        if place < end:
            continue  # inside the chunk just looked at
        # The chunk around ``place``: back to its start, then one match forward.
        start = place
        while start > 0 and _is_chunk_char(text, start - 1):
            start -= 1
        match = CHUNK_RE.match(text, start)
        while match is not None and match.end() <= place:  # a separator run before place
            match = CHUNK_RE.search(text, match.end())
        if match is None or match.start() > place:
            continue
        end = match.end()
        if not _chunk_terms(match.group(0), lang).isdisjoint(wanted):
            out.append(match.span())
    return out


def _is_chunk_char(text: str, index: int) -> bool:
    char = text[index]
    if char.isalnum() or char == "_":
        return True
    # A joiner inside a chunk ("two-factor", "19.99"): word characters on both sides.
    return (
        char in ".-/'’"
        and index > 0
        and (text[index - 1].isalnum() or text[index - 1] == "_")
        and index + 1 < len(text)
        and (text[index + 1].isalnum() or text[index + 1] == "_")
    )


def snippet(
    text: str,
    wanted: Iterable[str],
    width: int = WIDTH,
    *,
    found: list[tuple[int, int]] | None = None,
    lang: str = SOURCE_LANGUAGE,
) -> str:
    """The ``width`` characters of ``text`` with the most matched words, marked.

    Returns an empty string when nothing in ``text`` matches. ``found`` passes the
    result of ``matches`` when the caller already has it.
    """
    if found is None:
        found = matches(text, frozenset(wanted), lang)
    if not found:
        return ""
    # The window starting at each match; keep the one covering the most matches.
    best_start, best_count = found[0][0], 0
    right = 0
    for left, (start, _) in enumerate(found):
        right = max(right, left)
        while right + 1 < len(found) and found[right + 1][1] <= start + width:
            right += 1
        if right - left + 1 > best_count:
            best_start, best_count = start, right - left + 1
    begin = max(0, text.rfind(" ", 0, max(0, best_start - 40)) + 1) if best_start > 40 else 0
    end = min(len(text), begin + width)
    if end < len(text):
        cut = text.rfind(" ", begin, end)
        end = cut if cut > begin else end
    out: list[str] = ["… " if begin else ""]
    position = begin
    for start, stop in found:
        if start < begin or stop > end:
            continue
        out += [text[position:start], "**", text[start:stop], "**"]
        position = stop
    out.append(text[position:end])
    out.append(" …" if end < len(text) else "")
    return " ".join("".join(out).split())
