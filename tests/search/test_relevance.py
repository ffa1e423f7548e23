"""The relevance suite: realistic queries against the real kb/ (tests/search/relevance.yaml).

Prints hit@1, hit@3 and MRR; fails when hit@3 drops below 0.9. The misses are printed
too, so a regression says which queries it broke.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from helpdesk.content.kb import KnowledgeBase
from helpdesk.search import search

SUITE = Path(__file__).with_name("relevance.yaml")
HIT3_FLOOR = 0.9


def _cases() -> list[dict[str, Any]]:
    data = yaml.safe_load(SUITE.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["queries"]
    return cases


def test_suite_is_big_enough_and_points_at_real_articles(real_kb: KnowledgeBase) -> None:
    cases = _cases()
    assert len(cases) >= 50
    for case in cases:
        for article_id in case["expect"]:
            assert article_id in real_kb.articles, f"{case['query']!r} expects {article_id}"


def test_relevance(real_kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    cases = _cases()
    hit1 = hit3 = 0
    reciprocal = 0.0
    misses: list[str] = []
    for case in cases:
        results = search(
            real_kb, case["query"], limit=10, audience=case.get("audience", "customer")
        )
        ids = [hit.id for hit in results.hits]
        rank = next((i for i, hit_id in enumerate(ids, 1) if hit_id in case["expect"]), None)
        if rank is not None:
            reciprocal += 1 / rank
            hit1 += rank == 1
            hit3 += rank <= 3
        if rank is None or rank > 1:
            misses.append(f"  rank {rank}: {case['query']!r} -> {ids[:3]} (want {case['expect']})")
    n = len(cases)
    with capsys.disabled():
        print(
            f"\nrelevance: {n} queries, hit@1 {hit1 / n:.3f}, hit@3 {hit3 / n:.3f}, "
            f"MRR {reciprocal / n:.3f}"
        )
        print("\n".join(misses))
    assert hit3 / n >= HIT3_FLOOR, "\n".join(misses)
