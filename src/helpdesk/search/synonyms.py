"""Synonym groups applied at query time (and to page keywords): both ways, phrase-aware.

A group such as ``[MFA, 2FA, two-factor, authenticator]`` is symmetric: any member
found in a query is expanded with every other member. Members can be phrases
("sign in"), matched as consecutive query words, longest match first, so "sign in"
expands as a whole instead of "sign" and "in" separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from helpdesk.search.words import fold, words


@dataclass(frozen=True)
class SynonymMatch:
    """Query words ``start:end`` are a member of group ``group``."""

    start: int
    end: int
    group: int


class SynonymTable:
    """Finds synonym-group members in a list of words.

    Args:
        groups: the groups as authored (e.g. ``kb.synonyms.groups``).
    """

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.groups: list[tuple[str, ...]] = [tuple(group) for group in groups]
        # first folded word -> [(folded member words, group index)], longest members first
        self._starts: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for index, group in enumerate(self.groups):
            for member in group:
                key = tuple(fold(w) for w in words(member))
                if key:
                    self._starts.setdefault(key[0], []).append((key, index))
        for entries in self._starts.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    def __bool__(self) -> bool:
        return bool(self.groups)

    def find(self, query_words: Sequence[str]) -> list[SynonymMatch]:
        """Non-overlapping members found in ``query_words``, left to right, longest first."""
        folded = [fold(w) for w in query_words]
        found: list[SynonymMatch] = []
        position = 0
        while position < len(folded):
            match = self._match_at(folded, position)
            if match is None:
                position += 1
                continue
            found.append(match)
            position = match.end
        return found

    def _match_at(self, folded: list[str], position: int) -> SynonymMatch | None:
        for key, group in self._starts.get(folded[position], ()):
            end = position + len(key)
            if tuple(folded[position:end]) == key:
                return SynonymMatch(position, end, group)
        return None

    def members(self, group: int) -> tuple[str, ...]:
        """Every member of a group, as authored."""
        return self.groups[group]

    def vocabulary(self) -> set[str]:
        """Every word of every member, lowercased: such words are never "typos"."""
        return {w for group in self.groups for member in group for w in words(member)}
