"""Is the search index still what the knowledge base says? Answered without reading it.

Loading and validating the whole KB to find out costs most of a ``helpdesk search``
(pydantic alone takes longer to import than the query takes to run). After every index
update, ``sources.json`` records the size and modification time of every file the
indexes were made from; a search whose files all still match, on a day before the
next embargo lifts, searches the index as it is. Anything else -- a file added,
removed, touched, a schema change, an embargo date reached -- loads the KB and
updates the indexes as before.

A file written while the KB was being loaded (its mtime not older than the load) is
recorded as unknown, so the next search reloads it: a save racing a search is never
lost. This module imports only the standard library on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

SOURCES = "sources.json"
FORMAT = 1
_SUFFIXES = (".yaml", ".yml", ".lock")
_SKIP_DIRS = {"templates", "images"}
"""Folders whose files never reach the index (pages and pictures)."""


def cache_dir(kb_root: Path) -> Path:
    return Path(kb_root) / ".cache" / "search"


def scan(kb_root: Path) -> dict[str, list[int]]:
    """``relative path -> [mtime_ns, size]`` of every content file under ``kb_root``."""
    out: dict[str, list[int]] = {}
    root = str(kb_root)
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if folder != root or entry.name not in _SKIP_DIRS:
                    stack.append(entry.path)
            elif entry.name.endswith(_SUFFIXES):
                info = entry.stat()
                out[os.path.relpath(entry.path, root)] = [info.st_mtime_ns, info.st_size]
    return out


def record(
    kb_root: Path,
    languages: list[str],
    valid_until: dt.date | None,
    *,
    loaded_at: float,
    schema: int | None = None,
) -> None:
    """Write ``sources.json`` after the indexes were brought up to date.

    Args:
        kb_root: the KB folder.
        languages: the configured languages (the source first).
        valid_until: the next embargo date, after which the KB must be read again.
        loaded_at: when the KB was read (``time.time()``); 0 for a KB built in code,
            which records nothing (its files may not be what it holds).
        schema: the index schema version (default: the current one).
    """
    folder = cache_dir(kb_root)
    target = folder / SOURCES
    if not loaded_at:
        target.unlink(missing_ok=True)
        return
    if schema is None:
        from helpdesk.search.schema import SCHEMA_VERSION

        schema = SCHEMA_VERSION
    limit = int((loaded_at - 1.0) * 1e9)
    files = {
        path: (stamp if stamp[0] < limit else [-1, -1]) for path, stamp in scan(kb_root).items()
    }
    payload = {
        "format": FORMAT,
        "schema": schema,
        "languages": languages,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "files": files,
    }
    from helpdesk._files import atomic_write

    atomic_write(target, json.dumps(payload, sort_keys=True), durable=False)


def fresh_languages(kb_root: Path, schema: int, today: dt.date | None = None) -> list[str] | None:
    """The configured languages when every index is up to date, else None.

    Args:
        kb_root: the KB folder.
        schema: the index schema version the caller's code writes.
        today: the date to search for (embargoes); defaults to today.
    """
    try:
        data: Any = json.loads((cache_dir(kb_root) / SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("schema") != schema:
        return None
    until = data.get("valid_until")
    day = today or dt.date.today()
    if until is not None and day.isoformat() >= str(until):
        return None
    if data.get("files") != scan(kb_root):
        return None
    languages = data.get("languages")
    if not isinstance(languages, list) or not languages:
        return None
    return [str(lang) for lang in languages]
