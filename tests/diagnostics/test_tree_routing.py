"""Tree routing: what a caller says puts the intended tree first.

The phrasings in ``fixtures/tree_routing.yaml`` were written before the ranking was
tuned, in callers' words (none copied from a tree's ``symptoms``). The suite fails
below hit@1 0.85, and prints every miss with the tree that came first instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from helpdesk.content.kb import KnowledgeBase
from helpdesk.diagnostics.model import trees_of
from helpdesk.diagnostics.routing import TreeIndex, tree_index

FIXTURES = Path(__file__).parent / "fixtures"
HIT_AT_1 = 0.85


def _cases() -> list[dict[str, Any]]:
    data = yaml.safe_load((FIXTURES / "tree_routing.yaml").read_text(encoding="utf-8"))
    return list(data["queries"])


@pytest.fixture(scope="module")
def index(kb: KnowledgeBase) -> TreeIndex:
    return tree_index(kb)


def test_the_suite_is_large_and_names_real_trees(kb: KnowledgeBase) -> None:
    cases = _cases()
    assert len(cases) >= 60
    assert {c["tree"] for c in cases} == set(trees_of(kb))


def test_no_phrasing_is_copied_from_a_trees_symptoms(kb: KnowledgeBase) -> None:
    symptoms = {s.casefold() for tree in trees_of(kb).values() for s in tree.symptoms}
    copied = [c["q"] for c in _cases() if str(c["q"]).casefold() in symptoms]
    assert copied == []


def test_callers_words_put_the_intended_tree_first(index: TreeIndex) -> None:
    cases = _cases()
    misses = []
    for case in cases:
        found = index.find(str(case["q"]))
        first = found[0].id if found else None
        if first != case["tree"]:
            misses.append(f"{case['q']!r}: wanted {case['tree']}, got {first}")
    hit_at_1 = 1 - len(misses) / len(cases)
    print(f"\ntree routing hit@1 = {hit_at_1:.3f} over {len(cases)} phrasings")
    print("\n".join(misses))
    assert hit_at_1 >= HIT_AT_1, "\n".join(misses)


def test_only_trees_that_match_are_listed(index: TreeIndex) -> None:
    assert index.find("zebra quantum marmalade") == []
    found = index.find("scanner")
    assert found[0].id == "scanner-signature-pad"
    assert len(found) < 9


def test_a_typo_still_finds_the_tree(index: TreeIndex) -> None:
    assert index.find("acount lockd")[0].id == "account-locked"
    assert index.find("scaner not detectd")[0].id == "scanner-signature-pad"


def test_synonyms_from_the_kb_route_like_the_word_they_stand_for(index: TreeIndex) -> None:
    assert index.find("2FA phone lost")[0].id == "lost-authenticator"
    assert index.find("passcode forgotten")[0].id == "pin-setup-forgotten"


def test_results_are_best_first_with_scores(index: TreeIndex) -> None:
    found = index.find("pin")
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert found[0].id == "pin-setup-forgotten"
    assert found[0].title
