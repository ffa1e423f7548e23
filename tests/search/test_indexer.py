"""The index on disk: incremental updates, schema changes, damage."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from helpdesk.content.kb import KnowledgeBase
from helpdesk.search import index_dir, indexer, search, update_index
from helpdesk.search.indexer import MANIFEST

Load = Callable[[], KnowledgeBase]


def test_first_update_builds_then_nothing_to_do(load: Load) -> None:
    messages: list[str] = []
    first = update_index(load(), progress=messages.append)
    assert first.rebuilt and first.added == 6 and first.reason == "no index yet"
    assert any("building the search index" in m for m in messages)
    second = update_index(load())
    assert not second.rebuilt and second.touched == 0 and second.unchanged == 6


def test_changed_article_is_the_only_one_reindexed(kb_dir: Path, load: Load) -> None:
    update_index(load())
    path = kb_dir / "articles" / "device-activation.yaml"
    path.write_text(path.read_text().replace("FULL MODE", "FULL MODE (zebracorn)"))
    stats = update_index(load())
    assert (stats.added, stats.changed, stats.removed, stats.unchanged) == (0, 1, 0, 5)
    assert [h.id for h in search(load(), "zebracorn")] == ["device-activation"]


def test_deleted_article_disappears(kb_dir: Path, load: Load) -> None:
    kb = load()
    update_index(kb)
    assert "windows-update-conflict" in [h.id for h in search(kb, "KB5064401")]
    (kb_dir / "articles" / "windows-update-conflict.yaml").unlink()
    kb = load()
    stats = update_index(kb)
    assert (stats.removed, stats.unchanged) == (1, 5)
    assert [h.id for h in search(kb, "KB5064401")] == []


def test_added_article_is_found(kb_dir: Path, load: Load) -> None:
    update_index(load())
    source = (kb_dir / "articles" / "enable-mfa.yaml").read_text()
    (kb_dir / "articles" / "extra.yaml").write_text(
        source.replace("id: enable-mfa", "id: extra").replace("Turn on", "Quokka")
    )
    stats = update_index(load())
    assert (stats.added, stats.unchanged) == (1, 6)
    assert search(load(), "quokka").hits[0].id == "extra"


def test_schema_version_change_rebuilds(
    load: Load, kb_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_index(load())
    monkeypatch.setattr(indexer, "SCHEMA_VERSION", 999)
    stats = update_index(load())
    assert stats.rebuilt and "schema changed" in stats.reason and stats.added == 6
    assert json.loads((index_dir(kb_dir) / MANIFEST).read_text())["schema"] == 999


@pytest.mark.parametrize("damage", ["garbage-manifest", "garbage-segments", "no-manifest"])
def test_damaged_index_is_rebuilt_with_a_warning(load: Load, kb_dir: Path, damage: str) -> None:
    update_index(load())
    folder = index_dir(kb_dir)
    if damage == "garbage-manifest":
        (folder / MANIFEST).write_text("{not json")
    elif damage == "no-manifest":
        (folder / MANIFEST).unlink()
    else:
        for path in folder.iterdir():
            if path.name != MANIFEST:
                path.write_bytes(b"\x00garbage")
    messages: list[str] = []
    stats = update_index(load(), progress=messages.append)
    assert stats.rebuilt and stats.warnings and stats.added == 6
    assert any(m.startswith("warning: ") for m in messages)
    assert search(load(), "passcode").hits[0].id == "pin-login"


def test_search_builds_a_missing_index_on_the_fly(load: Load, kb_dir: Path) -> None:
    messages: list[str] = []
    results = search(kb_dir, "pin", progress=messages.append)
    assert results.hits and any("building" in m for m in messages)
    # An index folder can be searched directly, without the KB.
    assert search(index_dir(kb_dir), "pin").hits[0].id == "pin-login"


def test_warm_searcher_sees_updates(load: Load, kb_dir: Path) -> None:
    folder = index_dir(kb_dir)
    update_index(load())
    assert search(folder, "wombat").hits == []
    path = kb_dir / "articles" / "pin-login.yaml"
    path.write_text(path.read_text().replace("four-digit PIN.", "four-digit PIN, wombat."))
    update_index(load())
    assert [h.id for h in search(folder, "wombat")] == ["pin-login"]
