"""Helpers shared by the diagnostics tests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_NOISE = re.compile(
    r"^([0-9a-f]{16,}|hd-[0-9a-f]+|\d{4}-\d\d-\d\dT[\d:.+Z-]+|[a-z0-9-]+-\d{8}-\d{6}-[0-9a-f]+)$"
)


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield str(value)


def stored_values(folder: Path) -> list[str]:
    """Every value written to the session files, minus hashes, keys, times and ids."""
    out: list[str] = []
    for path in folder.iterdir():
        if path.suffix == ".json":
            out += _leaves(json.loads(path.read_text()))
        elif path.suffix == ".jsonl":
            for line in path.read_text().splitlines():
                out += _leaves(json.loads(line))
    return [v for v in out if not _NOISE.match(v)]


def assert_not_stored(secret: str, folder: Path) -> None:
    leaks = [v for v in stored_values(folder) if secret in v]
    assert leaks == [], f"secret found in stored values: {leaks}"
