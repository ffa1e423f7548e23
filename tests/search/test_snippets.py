"""Snippets find exactly the words the index would match, without analysing every word."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpdesk.search.analysis import terms
from helpdesk.search.snippets import matches, snippet
from helpdesk.search.words import CHUNK_RE

TEXTS = {
    "en": "Two-factor login: enter the 6-digit code from KB5064401 (v19.99) on the user's tablet.",
    "it": "Inserisci il codice di attivazione dell'app; l'autenticazione a due fattori è attiva.",
    "es": "Escribe el código de activación; la autenticación de doble factor está activada.",
}


def reference(text: str, wanted: frozenset[str], lang: str) -> list[tuple[int, int]]:
    """The slow, obviously right answer: analyse every chunk."""
    return [
        m.span()
        for m in CHUNK_RE.finditer(text)
        if not set(terms(m.group(0), lang)).isdisjoint(wanted)
    ]


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_matches_equal_analysing_every_chunk_for_each_single_term(lang: str) -> None:
    text = TEXTS[lang]
    every = sorted({t for m in CHUNK_RE.finditer(text) for t in terms(m.group(0), lang)})
    assert every
    for term in every:
        assert matches(text, frozenset([term]), lang) == reference(text, frozenset([term]), lang), (
            term
        )


def test_accents_and_elisions_are_found() -> None:
    wanted = frozenset(terms("codigo autenticacion", "es"))
    marked = snippet(TEXTS["es"], wanted, lang="es")
    assert "**código**" in marked and "**autenticación**" in marked
    it = snippet(TEXTS["it"], frozenset(terms("autenticazione", "it")), lang="it")
    assert "**l'autenticazione**" in it


def test_nothing_wanted_matches_nothing() -> None:
    assert matches(TEXTS["en"], frozenset(), "en") == []


def test_a_search_process_does_not_import_whoosh_word_variations() -> None:
    # whoosh.lang.morph_en compiles hundreds of expressions on import; a query never uses it.
    code = (
        "import sys\n"
        "from helpdesk.search import engine\n"
        "from whoosh.lang.morph_en import variations\n"
        "print(getattr(sys.modules['whoosh.lang.morph_en'], '_helpdesk_stand_in', False))\n"
        "print('renders' in set(variations('render')))\n"
        "print(getattr(sys.modules['whoosh.lang.morph_en'], '_helpdesk_stand_in', False))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # A stand-in until used; the real module (and the right answer) once it is.
    assert out.stdout.split() == ["True", "True", "False"]
