"""Tree routing: which diagnostic tree fits what a caller says, best first.

The agent types the caller's words ("works in the Workspace but the Windows client says
wrong password"); the terminal app lists the trees that match and opens the first on
Enter, and ``helpdesk trees find`` prints the same ranking. Trees are few and change
only with the KB, so they are indexed here in memory (no Whoosh index on disk), through
the same analysis as article search:

* words split and stemmed by ``search.analysis.terms`` (identifiers such as ``19.99``
  or ``KB5064401`` whole, stop and filler words dropped);
* synonym groups from ``kb/synonyms.yaml`` expand a query word both ways (a caller's
  "2FA" finds a tree that says "MFA"), members counting a little less than the word typed;
* a word no tree uses is replaced by the closest words trees do use (one edit, two for
  long words), and the word being typed is completed, so every keystroke ranks.

Each tree is three fields: its title (the symptom as callers put it), its symptoms and
the text of its nodes (prompts, choice labels, titles, outcomes). A query word scores
BM25 per field (title and symptoms weigh most; node text breaks ties and catches
words only a question uses). Scores add over the query's words, scaled by the share of
words a tree matched, so a tree that matches most of what the caller said beats one
that matches a single frequent word many times. Trees scoring under a fraction of the
best are left out: only trees that match are listed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpdesk.diagnostics.model import trees_of
from helpdesk.search.analysis import terms
from helpdesk.search.synonyms import SynonymTable
from helpdesk.search.words import is_identifier, spans

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase
    from helpdesk.diagnostics.model import Tree

FIELDS = {"title": 3.0, "symptoms": 2.2, "nodes": 0.6}
"""How much a word counts in each field of a tree."""
SYNONYM_WEIGHT = 0.7
CORRECTION_WEIGHT = 0.8
COMPLETION_WEIGHT = 0.6
CUTOFF = 0.3
"""Trees scoring under this share of the best are not listed."""
K1, B = 1.2, 0.6
MAX_COMPLETIONS = 6


@dataclass(frozen=True)
class TreeMatch:
    """One tree that matches a query."""

    id: str
    title: str
    score: float
    symptom: str
    """The symptom phrase that matched best (the first one when none did)."""

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "score": round(self.score, 4)}


@dataclass
class _Doc:
    tree_id: str
    title: str
    symptoms: tuple[str, ...]
    fields: dict[str, list[str]]
    """Field name -> analysed terms in order (positions are list indexes)."""
    symptom_terms: tuple[frozenset[str], ...]


@dataclass
class _Slot:
    """One thing the caller said: alternatives (term sequences) with weights."""

    alternatives: list[tuple[tuple[str, ...], float]]


class TreeIndex:
    """The trees of a knowledge base, ready to rank.

    Args:
        trees: the diagnostic trees.
        synonyms: synonym groups (``kb.synonyms.groups``).
    """

    def __init__(self, trees: Iterable[Tree], synonyms: Sequence[Sequence[str]] = ()) -> None:
        self.table = SynonymTable(synonyms)
        self.docs = [_document(tree) for tree in trees]
        # term -> doc index -> field -> positions
        self.postings: dict[str, dict[int, dict[str, list[int]]]] = defaultdict(dict)
        for index, doc in enumerate(self.docs):
            for name, field_terms in doc.fields.items():
                for position, term in enumerate(field_terms):
                    self.postings[term].setdefault(index, {}).setdefault(name, []).append(position)
        count = len(self.docs)
        self.idf = {
            term: math.log(1 + (count - len(docs) + 0.5) / (len(docs) + 0.5))
            for term, docs in self.postings.items()
        }
        self.average = {
            name: (sum(len(d.fields[name]) for d in self.docs) / count if count else 1.0) or 1.0
            for name in FIELDS
        }
        self.vocabulary = _Vocabulary(
            w for doc in self.docs for text in _texts_of(doc) for w in _plain_words(text)
        )
        self.vocabulary.add(self.table.vocabulary())

    # ------------------------------------------------------------- querying

    def find(self, query: str, *, limit: int | None = None) -> list[TreeMatch]:
        """The trees that match ``query``, best first (``[]`` when none does)."""
        slots = self._slots(query)
        if not slots or not self.docs:
            return []
        totals: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        for slot in slots:
            for index, score in self._score_slot(slot).items():
                totals[index] += score
                matched[index] += 1
        ranked = []
        for index, total in totals.items():
            coverage = matched[index] / len(slots)
            ranked.append((total * (0.4 + 0.6 * coverage) ** 2, index))
        if not ranked:
            return []
        ranked.sort(key=lambda pair: (-pair[0], self.docs[pair[1]].title))
        best = ranked[0][0]
        found = [
            self._match(index, score, slots) for score, index in ranked if score >= best * CUTOFF
        ]
        return found if limit is None else found[:limit]

    def _match(self, index: int, score: float, slots: list[_Slot]) -> TreeMatch:
        doc = self.docs[index]
        wanted = {term for slot in slots for alt, _ in slot.alternatives for term in alt}
        best, symptom = 0, doc.symptoms[0]
        for text, symptom_terms in zip(doc.symptoms, doc.symptom_terms, strict=True):
            overlap = len(symptom_terms & wanted)
            if overlap > best:
                best, symptom = overlap, text
        return TreeMatch(doc.tree_id, doc.title, score, symptom)

    def _score_slot(self, slot: _Slot) -> dict[int, float]:
        """Per tree, the best alternative's score for one slot."""
        scores: dict[int, float] = {}
        for sequence, weight in slot.alternatives:
            for index, per_field in self._occurrences(sequence).items():
                idf = sum(self.idf.get(t, 0.0) for t in sequence) / len(sequence)
                score = 0.0
                for name, count in per_field.items():
                    length = len(self.docs[index].fields[name])
                    norm = 1 - B + B * length / self.average[name]
                    score += FIELDS[name] * idf * count * (K1 + 1) / (count + K1 * norm)
                score *= weight
                if score > scores.get(index, 0.0):
                    scores[index] = score
        return scores

    def _occurrences(self, sequence: tuple[str, ...]) -> dict[int, dict[str, int]]:
        """Per tree and field, how often ``sequence`` occurs (consecutive terms)."""
        first = self.postings.get(sequence[0])
        if not first:
            return {}
        if len(sequence) == 1:
            return {i: {f: len(p) for f, p in fields.items()} for i, fields in first.items()}
        out: dict[int, dict[str, int]] = {}
        for index, fields in first.items():
            for name, positions in fields.items():
                field_terms = self.docs[index].fields[name]
                size = len(sequence)
                hits = sum(
                    1 for p in positions if tuple(field_terms[p : p + size]) == tuple(sequence)
                )
                if hits:
                    out.setdefault(index, {})[name] = hits
        return out

    def _slots(self, query: str) -> list[_Slot]:
        typed = [w for w, _, _ in spans(query)]
        # The last word is still being typed unless the query ends in a space.
        partial = len(typed) - 1 if typed and not query[-1:].isspace() else -1
        matches = {m.start: m for m in self.table.find(typed)} if self.table else {}
        slots: list[_Slot] = []
        position = 0
        while position < len(typed):
            found = matches.get(position)
            if found is not None:
                slots.append(self._synonym_slot(typed[found.start : found.end], found.group))
                position = found.end
                continue
            word = typed[position]
            slot = self._word_slot(word, completing=position == partial)
            if slot is not None:
                slots.append(slot)
            position += 1
        return [s for s in slots if s.alternatives]

    def _synonym_slot(self, words: list[str], group: int) -> _Slot:
        typed = " ".join(words).casefold()
        alternatives = [(_sequence(" ".join(words)), 1.0)]
        for member in self.table.members(group):
            if member.casefold() != typed:
                alternatives.append((_sequence(member), SYNONYM_WEIGHT))
        return _Slot(_unique(alternatives))

    def _word_slot(self, word: str, *, completing: bool) -> _Slot | None:
        analysed = tuple(terms(word))
        if not analysed:
            return None  # a stop or filler word
        lowered = word.lower()
        alternatives: list[tuple[tuple[str, ...], float]] = [(analysed[:1], 1.0)]
        alternatives += [((t,), 0.5) for t in analysed[1:]]  # identifier variants
        if is_identifier(word):
            return _Slot(alternatives)
        known = any(t in self.postings for t in analysed)
        if completing and len(lowered) >= 2:
            for completion in self.vocabulary.complete(lowered):
                alternatives.append((_sequence(completion), COMPLETION_WEIGHT))
        if not known:
            for guess in self.vocabulary.near(lowered):
                found = self.table.find([guess]) if self.table else []
                if found:
                    slot = self._synonym_slot([guess], found[0].group)
                    alternatives += [(a, w * CORRECTION_WEIGHT) for a, w in slot.alternatives]
                else:
                    alternatives.append((_sequence(guess), CORRECTION_WEIGHT))
        return _Slot(_unique([(a, w) for a, w in alternatives if a]))


def tree_index(kb: KnowledgeBase) -> TreeIndex:
    """The routing index of a loaded knowledge base's trees."""
    return TreeIndex(trees_of(kb).values(), kb.synonyms.groups)


# ---------------------------------------------------------------- documents


def _document(tree: Tree) -> _Doc:
    nodes: list[str] = []
    for node_id, node in tree.nodes.items():
        nodes.append(tree.label(node_id))
        for attr in ("prompt", "help", "text"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                nodes.append(_without_templates(value))
        for choice in getattr(node, "choices", []) or []:
            nodes.append(choice.label)
    fields = {
        "title": _analyse(tree.title),
        "symptoms": _analyse(" . ".join(tree.symptoms)),
        "nodes": _analyse(" . ".join(nodes)),
    }
    symptom_terms = tuple(frozenset(_analyse(s)) for s in tree.symptoms)
    return _Doc(tree.id, tree.title, tuple(tree.symptoms), fields, symptom_terms)


def _texts_of(doc: _Doc) -> list[str]:
    return [doc.title, *doc.symptoms]


def _without_templates(text: str) -> str:
    # "{user.email}" is a value filled in at walk time, not a word callers use.
    out, depth = [], 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return "".join(out)


def _analyse(text: str) -> list[str]:
    # One term per word position (the first, the stem); identifier variants are
    # added as their own positions only at query time, so phrases line up.
    out: list[str] = []
    for word, _, _ in spans(text):
        analysed = terms(word)
        out.extend(analysed)
    return out


def _sequence(text: str) -> tuple[str, ...]:
    return tuple(t for word, _, _ in spans(text) for t in terms(word)[:1])


def _plain_words(text: str) -> list[str]:
    return [w.lower() for w, _, _ in spans(text) if not is_identifier(w) and len(w) > 2]


def _unique(
    alternatives: list[tuple[tuple[str, ...], float]],
) -> list[tuple[tuple[str, ...], float]]:
    best: dict[tuple[str, ...], float] = {}
    for sequence, weight in alternatives:
        if sequence and weight > best.get(sequence, 0.0):
            best[sequence] = weight
    return list(best.items())


class _Vocabulary:
    """The plain words trees and synonyms use: completions and near misses."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: set[str] = set()
        self._deletes: dict[str, set[str]] = defaultdict(set)
        self._sorted: list[str] = []
        self.add(words)

    def add(self, words: Iterable[str]) -> None:
        for word in words:
            for part in word.lower().split():
                if part in self.words or len(part) < 3 or not part.isalpha():
                    continue
                self.words.add(part)
                self._deletes[part].add(part)
                for variant in _deletions(part):
                    self._deletes[variant].add(part)
        self._sorted = sorted(self.words)

    def complete(self, prefix: str) -> list[str]:
        """Words that start with ``prefix`` (not the prefix itself), shortest first."""
        import bisect

        start = bisect.bisect_left(self._sorted, prefix)
        out = []
        for word in self._sorted[start:]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                out.append(word)
        return sorted(out, key=len)[:MAX_COMPLETIONS]

    def near(self, word: str) -> list[str]:
        """Known words one edit away (two for words of eight letters or more)."""
        if len(word) < 4 or word in self.words:
            return []
        limit = 2 if len(word) >= 8 else 1
        candidates: set[str] = set(self._deletes.get(word, ()))
        for variant in _deletions(word):
            candidates |= self._deletes.get(variant, set())
            if limit == 2:
                for deeper in _deletions(variant):
                    candidates |= self._deletes.get(deeper, set())
        near = [c for c in candidates if _distance(word, c) <= limit]
        return sorted(near, key=lambda c: (_distance(word, c), c))[:3]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + cost)
        rows.append(row)
    return rows[-1][-1]
