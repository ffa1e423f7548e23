"""Write the generated docs folder, touching only files whose content changed.

Leaving unchanged files alone keeps their modification times, so the engine's
live-reload server (``helpdesk serve``) rebuilds only when something really changed,
and files that no longer belong to the site (a deleted or unpublished article) are
removed so the engine never builds a stale page.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpdesk._files import atomic_write
from helpdesk.errors import BuildError


@dataclass(frozen=True)
class GenerateReport:
    """What ``write_docs`` did."""

    written: int
    unchanged: int
    removed: int

    def __str__(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed"

    def __add__(self, other: GenerateReport) -> GenerateReport:
        return GenerateReport(
            self.written + other.written,
            self.unchanged + other.unchanged,
            self.removed + other.removed,
        )


def write_docs(docs_dir: Path, files: Mapping[str, str | bytes]) -> GenerateReport:
    """Make ``docs_dir`` hold exactly ``files``.

    Args:
        docs_dir: the generated docs folder (created if missing).
        files: content by path relative to ``docs_dir``; text is written as UTF-8.

    Returns:
        How many files were written, left unchanged and removed.

    Raises:
        BuildError: a path is absolute or climbs out of the folder.
    """
    docs_dir.mkdir(parents=True, exist_ok=True)
    existing = _existing_files(docs_dir)
    written = unchanged = 0
    for name, content in files.items():
        _check_name(name)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = docs_dir / name
        if name in existing and _same(target, data):
            unchanged += 1
            continue
        # A watcher (the engine's server) never sees a half-written page, and an
        # interrupted run leaves the old file whole; no fsync: pages are regenerated.
        atomic_write(target, data, durable=False)
        written += 1
    stale = existing.keys() - files.keys()
    for name in stale:
        existing[name].unlink()
    if stale:
        _remove_empty_dirs(docs_dir)
    return GenerateReport(written=written, unchanged=unchanged, removed=len(stale))


def _existing_files(root: Path) -> dict[str, Path]:
    """Every file under ``root`` by its relative POSIX path (os.walk: much faster than rglob)."""
    out: dict[str, Path] = {}
    for folder, _dirs, names in os.walk(root):
        base = Path(folder)
        rel = base.relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        for name in names:
            out[prefix + name] = base / name
    return out


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BuildError(f"refusing to write '{name}' outside the generated docs folder")


def _remove_empty_dirs(root: Path) -> None:
    # Bottom-up, so a folder emptied by removing its empty sub-folders goes too.
    for folder, _dirs, _names in os.walk(root, topdown=False):
        if Path(folder) != root and not os.listdir(folder):
            os.rmdir(folder)
