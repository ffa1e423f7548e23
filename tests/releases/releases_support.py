"""Helpers shared by the release-notes tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

DAY = dt.date(2025, 9, 1)
"""The date every fixture release is published on."""

PUBLISH_ORDER = [
    ("client", "19.99"),
    ("client", "20.0.0"),
    ("client", "20.0.9"),
    ("client", "20.0.10"),
    ("app", "1.5"),
]


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a file (the test fails loudly if it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
