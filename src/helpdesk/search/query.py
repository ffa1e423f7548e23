"""From what a person typed to a Whoosh query.

A query string is read into *slots*, each one thing the person asked for:

* a quoted phrase (``"recovery codes"``) is one slot, searched as a phrase;
* a synonym-group member ("2FA", "sign in") is one slot whose alternatives are every
  member of its group, so the group matches both ways;
* any other word is one slot; a word the index has never seen (and that no synonym
  knows) is replaced by the closest indexed words, which makes typos work and gives
  the "did you mean" line;
* stop and filler words ("how", "my", "won't") make no slot.

Slots are ANDed; when that finds nothing the caller retries with ``combine(..., any=True)``
(OR, with a coordination bonus so documents with more of the words still come first).
Within a slot, the alternatives are ORed across the search fields with their boosts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh.query.compound import And, DisjunctionMax, Or
from whoosh.query.positional import Phrase
from whoosh.query.qcore import Query
from whoosh.query.terms import Term

from helpdesk.search.analysis import SOURCE_LANGUAGE, stop_words, terms
from helpdesk.search.schema import SEARCH_FIELDS
from helpdesk.search.synonyms import SynonymTable
from helpdesk.search.words import is_identifier, spans

QUOTED_RE = re.compile(r'"([^"]*)"?')
SYNONYM_WEIGHT = 0.6
"""A synonym counts for less than the word typed: the writer's own word is the surer sign."""
CORRECTION_WEIGHT = 0.8
TIEBREAK = 0.1
"""Share of the other alternatives' scores a slot adds to its best one."""
SHORT_FIELDS = {name: SEARCH_FIELDS[name] for name in ("title", "tags", "summary")}
"""Where synonym *phrases* are looked for: a phrase match in a long body costs a
positions walk per document and says little; in a title or summary it says a lot."""

Known = Callable[[str], bool]
"""Whether a lowercased word occurs in the index (or means something to search)."""
Suggest = Callable[[str], list[str]]
"""Indexed words close to an unknown word, best first."""
Complete = Callable[[str], list[str]]
"""Indexed words that start with a fragment, most common first."""
COMPLETION_WEIGHT = 0.5
"""A completion of a known short word ("act" -> "activation") counts for half."""
SHORT_WORD = 3
"""Words up to this length may be fragments an agent typed in a hurry ("acc", "dev")."""


@dataclass(frozen=True)
class Vocabulary:
    """What the index knows, as the parser needs it."""

    known: Known
    suggest: Suggest
    complete: Complete


class UnionOr(Or):  # type: ignore[misc]
    """``Or`` that always merges its parts' postings lazily.

    For indexes under 5,000 documents Whoosh pre-loads every part's postings into
    arrays (in Python); with a few parts per slot and per field that was most of the
    query time in the benchmark, while the lazy union only touches what is collected.
    """

    matcher_type = Or.DEFAULT_MATCHER


@dataclass
class Slot:
    """One thing asked for: alternatives (each a list of words; several words = phrase)."""

    text: str
    alternatives: list[list[str]]
    weights: list[float] = field(default_factory=list)
    """How much each alternative counts (the typed word 1.0, synonyms and guesses less)."""
    phrase: bool = False
    synonyms: list[str] = field(default_factory=list)
    corrected: str | None = None

    def __post_init__(self) -> None:
        if not self.weights:
            self.weights = [1.0] + [SYNONYM_WEIGHT] * (len(self.alternatives) - 1)


@dataclass
class ParsedQuery:
    text: str
    slots: list[Slot]
    lang: str = SOURCE_LANGUAGE
    """The language the words are analysed in (the index's)."""

    @property
    def did_you_mean(self) -> str | None:
        """The query with each corrected word replaced, or None when nothing was corrected."""
        fixes = {slot.text: slot.corrected for slot in self.slots if slot.corrected}
        if not fixes:
            return None
        pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in fixes), re.IGNORECASE)
        return pattern.sub(
            lambda m: fixes.get(m.group(0), fixes.get(m.group(0).lower(), "")), self.text
        )


def parse(
    text: str, table: SynonymTable, vocab: Vocabulary, lang: str = SOURCE_LANGUAGE
) -> ParsedQuery:
    """Read ``text`` into slots (see the module docstring), its words analysed in ``lang``."""
    slots: list[Slot] = []
    position = 0
    for match in QUOTED_RE.finditer(text):
        slots += _free_text(text[position : match.start()], table, vocab, lang)
        phrase = [w for w, _, _ in spans(match.group(1))]
        if phrase:
            slots.append(Slot(match.group(1).strip(), [phrase], phrase=True))
        position = match.end()
    slots += _free_text(text[position:], table, vocab, lang)
    return ParsedQuery(text, slots, lang)


def _free_text(text: str, table: SynonymTable, vocab: Vocabulary, lang: str) -> list[Slot]:
    typed = [w for w, _, _ in spans(text)]
    slots: list[Slot] = []
    matches = {m.start: m for m in table.find(typed)} if table else {}
    position = 0
    while position < len(typed):
        found = matches.get(position)
        if found is not None:
            words = typed[found.start : found.end]
            slots.append(_synonym_slot(" ".join(words), found.group, table))
            position = found.end
            continue
        word = typed[position]
        position += 1
        if not terms(word, lang):  # a stop or filler word
            continue
        slots.append(_word_slot(word, table, vocab))
    return slots


def _synonym_slot(typed: str, group: int, table: SynonymTable) -> Slot:
    members = [m for m in table.members(group) if m.casefold() != typed.casefold()]
    alternatives = [[w for w, _, _ in spans(typed)]]
    alternatives += [[w for w, _, _ in spans(m)] for m in members]
    return Slot(typed, alternatives, synonyms=members)


def _word_slot(word: str, table: SynonymTable, vocab: Vocabulary) -> Slot:
    lowered = word.lower()
    # Identifiers are never "corrected": KB5064401 is not a typo of KB5064081.
    if is_identifier(word):
        return Slot(word, [[word]])
    known = vocab.known(lowered)
    fragment = len(lowered) >= 3 and (not known or len(lowered) <= SHORT_WORD)
    completions = vocab.complete(lowered) if fragment else []
    if known:
        alternatives = [[word]] + [[c] for c in completions]
        return Slot(word, alternatives, [1.0] + [COMPLETION_WEIGHT] * len(completions))
    guesses = completions or vocab.suggest(lowered)
    if not guesses:
        return Slot(word, [[word]])
    best = guesses[0]
    found = table.find([best]) if table else []
    if found:
        slot = _synonym_slot(best, found[0].group, table)
        slot.text, slot.corrected = word, best
        return slot
    weights = [CORRECTION_WEIGHT] + [CORRECTION_WEIGHT * 0.7] * (len(guesses) - 1)
    return Slot(word, [[g] for g in guesses], weights, corrected=best)


def build(
    parsed: ParsedQuery,
    *,
    any_slot: bool = False,
    keep: Callable[[Query], bool] | None = None,
) -> Query | None:
    """The Whoosh query for ``parsed``: slots ANDed (or ORed when ``any_slot``).

    ``keep`` may drop slots from the OR (the engine drops words most documents have:
    they cost the most to score and rank almost nothing), as long as one slot is left.
    """
    # The any-word query only tops up or rescues a result list: synonym phrases there
    # cost a positions walk per candidate (the slowest queries) and change little.
    queries = [
        q
        for q in (
            _slot_query(slot, parsed.lang, synonym_phrases=not any_slot) for slot in parsed.slots
        )
        if q is not None
    ]
    if any_slot and keep is not None:
        queries = [q for q in queries if keep(q)] or queries
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    if any_slot:
        # No coordination bonus: BM25 already sums the slots a document matches, and
        # Whoosh's CoordMatcher re-walks the matcher tree for every document.
        return UnionOr(queries)
    return And(queries)


def _slot_query(slot: Slot, lang: str, *, synonym_phrases: bool = True) -> Query | None:
    # Each alternative sums over the fields (BM25F-like); the slot takes the best
    # alternative (plus a little of the others), so a page that happens to say "MFA",
    # "2FA" and "authenticator" does not outscore one that answers the question.
    options: list[Query] = []
    seen: set[tuple[str, ...]] = set()
    for index, (words, weight) in enumerate(zip(slot.alternatives, slot.weights, strict=True)):
        # "two-factor" and "two factor" are the same terms: search them once.
        key = tuple(t for w in words for t in terms(w, lang))
        if key in seen or (index > 0 and len(words) > 1 and not synonym_phrases):
            continue
        seen.add(key)
        typed = index == 0 or slot.corrected is not None
        clauses = _alternative(words, weight, SEARCH_FIELDS if typed else SHORT_FIELDS, lang)
        if clauses:
            options.append(clauses[0] if len(clauses) == 1 else UnionOr(clauses))
    if not options:
        return None
    return options[0] if len(options) == 1 else DisjunctionMax(options, tiebreak=TIEBREAK)


def _alternative(
    words: list[str], weight: float, phrase_fields: dict[str, float], lang: str
) -> list[Query]:
    """Clauses for one alternative: a word in every field, a phrase in ``phrase_fields``."""
    if len(words) == 1:
        analysed = terms(words[0], lang)
        return [
            Term(name, term, boost=boost * weight * (1.0 if i == 0 else 0.5))
            for name, boost in SEARCH_FIELDS.items()
            for i, term in enumerate(analysed)
        ]
    # A phrase: the first term of each word (variants would break positions); stop words
    # are dropped at indexing with positions renumbered, so they are dropped here too.
    stop = stop_words(lang)
    sequence = [t[0] for t in (terms(w, lang) for w in words if w.lower() not in stop) if t]
    if not sequence:
        return []
    if len(sequence) == 1:
        return [Term(n, sequence[0], boost=b * weight) for n, b in SEARCH_FIELDS.items()]
    return [Phrase(n, sequence, boost=b * weight) for n, b in phrase_fields.items()]
