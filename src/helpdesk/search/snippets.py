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
from helpdesk.search.words import CHUNK_RE, fold_accents, is_identifier

_PARTS_RE = re.compile(r"[.\-/'’_]")
"""Where a chunk splits into the words the analyzer sees (and after an elided article)."""

WIDTH = 180
"""Characters of context in a snippet, about two lines of a terminal table."""


@functools.lru_cache(maxsize=100_000)
def _chunk_terms(chunk: str, lang: str) -> frozenset[str]:
    return frozenset(terms(chunk, lang))


def matches(
    text: str, wanted: frozenset[str], lang: str = SOURCE_LANGUAGE
) -> list[tuple[int, int]]:
    """Offsets of the chunks of ``text`` whose index terms meet ``wanted``.

    Chunks ("two-factor", "KB5064401") come from one C-level regex pass; their terms
    are cached, so a long body costs little more than the scan itself. A chunk none of
    whose words starts like a wanted term is skipped unanalysed: stemmers only cut
    suffixes, so a term always keeps its word's first two letters (accents folded).
    This is what keeps a cold process (``helpdesk search`` from a shell) fast.
    """
    heads = {term[:2] for term in wanted}
    out = []
    for match in CHUNK_RE.finditer(text):
        chunk = match.group(0)
        if not is_identifier(chunk) and heads.isdisjoint(
            part[:2] for part in _PARTS_RE.split(fold_accents(chunk.lower()))
        ):
            continue
        if not _chunk_terms(chunk, lang).isdisjoint(wanted):
            out.append(match.span())
    return out


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
