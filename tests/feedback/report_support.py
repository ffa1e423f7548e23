"""A fixed world for the report tests: a small KB, a feedback database and transcripts,
built the same way on every run."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from helpdesk.diagnostics.transcript import chain, record_line
from helpdesk.feedback.models import Search, Vote
from helpdesk.feedback.records import Received
from helpdesk.feedback.store import open_store

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
TODAY = date(2026, 12, 3)
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def copy_kb(tmp_path: Path) -> Path:
    """The fixture KB in a folder of its own (the search index is written inside it)."""
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb, ignore=shutil.ignore_patterns(".cache"))
    return kb


def _vote(article: str, helpful: bool, lang: str = "en", **extra: Any) -> Vote:
    return Vote(kind="vote", lang=lang, article=article, helpful=helpful, **extra)


def _search(query: str, results: int, lang: str = "en", opened: str | None = None) -> Search:
    return Search(kind="search", lang=lang, query=query, results=results, opened=opened)


def feedback_items() -> list[Vote | Search]:
    items: list[Vote | Search] = []
    items += [_vote("activate-device", True)] * 9 + [_vote("activate-device", False)]
    items += [_vote("pin-login", True)] * 2
    items += [
        _vote("pin-login", False, reason="outdated", comment="The menu is now Configure PIN."),
        _vote("pin-login", False, "it", reason="outdated"),
        _vote("pin-login", False, reason="hard-to-follow", comment="Too many steps\nfor a PIN."),
        _vote("pin-login", False, "es", reason="missing-info", comment="¿Y en iOS?"),
    ]
    items += [_vote("enable-mfa", False, reason="different-problem")]
    items += [_search("schedina alloggiati", 0, "it")] * 3
    items += [_search("Schedine alloggiati", 0, "it"), _search("alloggiati schedina", 2, "it")]
    items += [_search("activation code", 3, opened="activate-device")] * 4
    items += [_search("activation code", 3), _search("activaton code", 0)]
    items += [_search("printer offline", 0)] * 2
    return items


def make_database(path: Path) -> Path:
    store = open_store(path)
    store.add(
        [
            Received(START + timedelta(hours=index), item)
            for index, item in enumerate(feedback_items())
        ]
    )
    store.close()
    return path


def _walk(folder: Path, name: str, tree: str, steps: list[tuple[str, str, float]]) -> None:
    """One transcript: ``steps`` are (record type, node, seconds); an ``end`` step's
    type is ``end:<outcome>``."""
    records: list[dict[str, Any]] = []
    moment = START
    chain(records, "start", moment.isoformat(), session=name, tree=tree, version="v1", title=tree)
    for kind, node, seconds in steps:
        moment += timedelta(seconds=seconds)
        if kind.startswith("end:"):
            chain(records, "end", moment.isoformat(), node=node, outcome=kind[4:], seconds=seconds)
        else:
            chain(records, kind, moment.isoformat(), node=node, answer="x", seconds=seconds)
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(record_line(r) + "\n" for r in records)
    (folder / f"{name}.jsonl").write_text(text, encoding="utf-8")


def make_transcripts(folder: Path) -> Path:
    ask, typed = "question", "question"
    for n in range(3):
        _walk(
            folder,
            f"mfa-{n}",
            "mfa-trouble",
            [(ask, "which-app", 20 + n), (typed, "email", 40), ("end:resolved", "done", 5)],
        )
    _walk(folder, "mfa-3", "mfa-trouble", [(ask, "which-app", 30), ("end:escalated", "esc", 9)])
    _walk(folder, "mfa-4", "mfa-trouble", [(ask, "which-app", 25)])  # abandoned at "email"
    _walk(
        folder,
        "dev-0",
        "device-activation-failed",
        [(ask, "platform", 12), ("end:workaround", "done", 3)],
    )
    return folder
