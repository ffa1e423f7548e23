"""Helpers shared by the publish tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"


def make_project(tmp_path: Path, kb_source: Path) -> Path:
    """Copy mkdocs.yml and a knowledge base (with the real templates) into ``tmp_path``."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(kb_source, root / "kb", ignore=shutil.ignore_patterns(".cache", "templates"))
    shutil.copytree(REPO / "kb" / "templates", root / "kb" / "templates")
    return root


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with a hash of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
