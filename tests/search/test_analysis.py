"""Tokenizer, synonyms and keywords: the parts that need no index."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpdesk.content.kb import KnowledgeBase
from helpdesk.search import search_keywords
from helpdesk.search.analysis import terms
from helpdesk.search.synonyms import SynonymTable
from helpdesk.search.words import words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KB5064401", ["kb5064401", "5064401"]),
        ("kb5064401", ["kb5064401", "5064401"]),
        ("version 19.99.", ["version", "19.99"]),
        ("client 20.0.3", ["client", "20.0.3", "20.0"]),
        ("app 1.5.X", ["app", "1.5.x", "1.5"]),
        ("error 0x80070005", ["error", "0x80070005"]),
        ("code E-102", ["code", "e-102", "e102"]),
        ("(08/30/2025)", ["08/30/2025"]),
    ],
)
def test_identifiers_stay_whole(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_prose_is_split_stemmed_and_stopped() -> None:
    assert terms("How do I activate my devices? Android/iOS two-factor") == [
        "activ",
        "devic",
        "android",
        "io",
        "two",
        "factor",
    ]
    assert terms("activating") == terms("activation") == terms("activate")


def test_words_keep_identifiers_and_case_fold() -> None:
    assert words("Windows 19.99 and KB5064401") == ["windows", "19.99", "and", "kb5064401"]


def test_synonym_table_matches_phrases_longest_first() -> None:
    table = SynonymTable([["sign in", "log in", "login"], ["PIN", "passcode"]])
    found = table.find(["how", "to", "log", "in", "with", "passcodes"])
    assert [(m.start, m.end, m.group) for m in found] == [(2, 4, 0), (5, 6, 1)]


def test_search_keywords_has_tag_words_and_synonyms(kb_dir: object, load: object) -> None:
    kb: KnowledgeBase = load()  # type: ignore[operator]
    keywords = search_keywords(kb.articles["enable-mfa"], kb)
    assert keywords[:2] == ["MFA", "verification code"]
    assert {"2FA", "two-factor", "authenticator"} <= set(keywords)
    pin = search_keywords(kb.articles["pin-login"], kb)
    assert "passcode" in pin and "log in" in pin  # from the title "Sign in with a PIN"
    assert len({k.casefold() for k in pin}) == len(pin)


def test_keywords_module_does_not_import_whoosh() -> None:
    code = (
        "import sys, helpdesk.search.keywords, helpdesk.search; "
        "print(any((m == 'whoosh' or m.startswith('whoosh.')) "
        "and not getattr(sys.modules[m], '_helpdesk_stand_in', False) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
