"""Failed searches grouped by similar wording: "Schedina alloggiati", "schedine alloggiati"
and "alloggiati schedina" are one thing readers could not find.

Each query gets a key: its words case- and accent-folded, a plural or gender ending
trimmed (crudely, for English, Italian and Spanish alike), sorted. Queries with the same
key are one group; then a group whose key is nearly another's (a typo, a missing
letter) joins the larger one. The group is named by its most frequent wording.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

SIMILAR = 0.86
"""``difflib`` ratio from which two keys are the same wording (one typo in ~15 letters)."""
MAX_COMPARED = 400
"""Groups a new key is compared with at most (the largest first), so grouping stays
linear in practice however many distinct queries there are."""
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_ENDINGS = ("es", "s", "a", "e", "i", "o")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _trim(word: str) -> str:
    if len(word) > 4 and not word.isdigit():
        for ending in _ENDINGS:
            if word.endswith(ending):
                return word[: -len(ending)]
    return word


def wording_key(query: str) -> str:
    """The key queries of the same wording share."""
    words = sorted({_trim(_fold(w)) for w in _WORD_RE.findall(query)})
    return " ".join(words) or query.casefold().strip()


@dataclass
class QueryGroup:
    """Searches that asked for the same thing in one language."""

    lang: str
    key: str
    wordings: Counter[str] = field(default_factory=Counter)
    no_results: int = 0
    """Searches that showed nothing."""
    abandoned: int = 0
    """Searches with results that the reader left without opening one."""

    @property
    def count(self) -> int:
        return self.no_results + self.abandoned

    @property
    def label(self) -> str:
        """The most frequent wording (ties: the first in alphabetical order)."""
        best = max(self.wordings.values())
        return min(w for w, n in self.wordings.items() if n == best)

    def merge(self, other: QueryGroup) -> None:
        self.wordings.update(other.wordings)
        self.no_results += other.no_results
        self.abandoned += other.abandoned


def group_queries(failed: Iterable[tuple[str, str, bool, int]]) -> list[QueryGroup]:
    """Group failed searches.

    Args:
        failed: ``(lang, query, found_nothing, count)``: how often each wording failed.

    Returns:
        Groups, most frequent first (then by language and label).
    """
    exact: dict[tuple[str, str], QueryGroup] = {}
    for lang, query, nothing, count in failed:
        key = wording_key(query)
        group = exact.get((lang, key))
        if group is None:
            group = exact[(lang, key)] = QueryGroup(lang, key)
        group.wordings[query] += count
        if nothing:
            group.no_results += count
        else:
            group.abandoned += count
    merged: dict[str, list[QueryGroup]] = {}
    for group in sorted(exact.values(), key=lambda g: (-g.count, g.lang, g.key)):
        kept = merged.setdefault(group.lang, [])
        target = _similar(group.key, kept)
        if target is None:
            kept.append(group)
        else:
            target.merge(group)
    out = [g for groups in merged.values() for g in groups]
    return sorted(out, key=lambda g: (-g.count, g.lang, g.label))


def _similar(key: str, groups: list[QueryGroup]) -> QueryGroup | None:
    matcher = difflib.SequenceMatcher(b=key, autojunk=False)
    for group in groups[:MAX_COMPARED]:
        matcher.set_seq1(group.key)
        if (
            matcher.real_quick_ratio() >= SIMILAR
            and matcher.quick_ratio() >= SIMILAR
            and matcher.ratio() >= SIMILAR
        ):
            return group
    return None
