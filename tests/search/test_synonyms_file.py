"""``kb/synonyms.yaml`` is read by the one loader: optional, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.content.kb import load_kb
from helpdesk.errors import ContentError
from helpdesk.search import search


def test_the_file_is_optional(kb_dir: Path) -> None:
    (kb_dir / "synonyms.yaml").unlink()
    kb = load_kb(kb_dir)
    assert kb.synonyms.groups == []
    assert search(kb, "2FA").hits == []  # nothing expands "2FA" any more
    assert search(kb, "MFA").hits[0].id == "enable-mfa"


def test_errors_are_located(kb_dir: Path) -> None:
    (kb_dir / "synonyms.yaml").write_text(
        "groups:\n  - [MFA, 2FA]\n  - [lonely]\n  - [PIN, pin]\nextra: 1\n"
    )
    with pytest.raises(ContentError) as caught:
        load_kb(kb_dir)
    rendered = caught.value.render()
    assert "synonyms.yaml:3:5: groups: a group needs at least two words" in rendered
    assert "synonyms.yaml:4:5:" in rendered and "more than once" in rendered
    assert "synonyms.yaml:5:1: unknown key 'extra'" in rendered
