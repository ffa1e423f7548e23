"""The relevance suites: realistic queries against the real kb/, one suite per language.

``relevance.yaml`` (English) and ``relevance.<lang>.yaml`` for every other language in
``languages``: queries as receptionists type them in that language (typos and missing
accents included), written before the analyzers and synonyms were tuned, each with the
source ids of the articles that answer it. Each suite prints hit@1, hit@3 and MRR and
fails when hit@3 drops below 0.9; the misses are printed too, so a regression says
which queries it broke. Tune analyzers, boosts and synonyms, never the articles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from helpdesk.content.kb import KnowledgeBase
from helpdesk.search import search

HERE = Path(__file__).parent
HIT3_FLOOR = 0.9
MIN_QUERIES = {"en": 50}
"""The English suite is the oldest and largest; every translation's has 40 or more."""
TRANSLATED_MIN = 40
LANGUAGES = ["en", "it", "es"]


def suite_path(lang: str) -> Path:
    return HERE / ("relevance.yaml" if lang == "en" else f"relevance.{lang}.yaml")


def _cases(lang: str) -> list[dict[str, Any]]:
    data = yaml.safe_load(suite_path(lang).read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["queries"]
    return cases


def test_every_configured_language_has_a_suite(real_kb: KnowledgeBase) -> None:
    assert real_kb.languages == LANGUAGES  # a new language needs its suite here too
    for lang in real_kb.languages:
        assert suite_path(lang).is_file(), f"no relevance suite for '{lang}'"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_suite_is_big_enough_and_points_at_real_articles(real_kb: KnowledgeBase, lang: str) -> None:
    cases = _cases(lang)
    assert len(cases) >= MIN_QUERIES.get(lang, TRANSLATED_MIN)
    for case in cases:
        for article_id in case["expect"]:
            assert article_id in real_kb.articles, f"{case['query']!r} expects {article_id}"


def measure(kb: KnowledgeBase, lang: str) -> tuple[float, float, float, list[str]]:
    """hit@1, hit@3, MRR and the misses (rank > 1) of one language's suite."""
    cases = _cases(lang)
    hit1 = hit3 = 0
    reciprocal = 0.0
    misses: list[str] = []
    for case in cases:
        results = search(
            kb, case["query"], lang=lang, limit=10, audience=case.get("audience", "customer")
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
    return hit1 / n, hit3 / n, reciprocal / n, misses


@pytest.mark.parametrize("lang", LANGUAGES)
def test_relevance(real_kb: KnowledgeBase, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    hit1, hit3, mrr, misses = measure(real_kb, lang)
    with capsys.disabled():
        print(
            f"\nrelevance ({lang}): {len(_cases(lang))} queries, hit@1 {hit1:.3f}, "
            f"hit@3 {hit3:.3f}, MRR {mrr:.3f}"
        )
        print("\n".join(misses))
    assert hit3 >= HIT3_FLOOR, "\n".join(misses)


def test_translated_hits_are_in_their_language(real_kb: KnowledgeBase) -> None:
    results = search(real_kb, "codici di backup", lang="it")
    assert results.hits and results.found_in is None
    assert {hit.lang for hit in results.hits} == {"it"}
    assert results.hits[0].id == "mfa-backup-codes"  # the source's id, not a translated one
    assert results.hits[0].url.startswith("it/")
