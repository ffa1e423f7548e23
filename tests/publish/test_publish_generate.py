"""The generated docs folder: only changed files are written, stale ones removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpdesk.errors import BuildError
from helpdesk.publish.generate import write_docs


def test_writes_then_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    files: dict[str, str | bytes] = {
        "index.md": "# Home\n",
        "a/one.md": "# One\n",
        "images/x.png": b"\x89PNG",
    }
    first = write_docs(docs, files)
    assert (first.written, first.unchanged, first.removed) == (3, 0, 0)
    old = 1_000_000_000
    for name in files:
        os.utime(docs / name, (old, old))

    files["a/one.md"] = "# One, edited\n"
    second = write_docs(docs, files)
    assert (second.written, second.unchanged, second.removed) == (1, 2, 0)
    assert (docs / "a/one.md").read_text() == "# One, edited\n"
    assert (docs / "index.md").stat().st_mtime == old  # untouched
    assert (docs / "images/x.png").stat().st_mtime == old
    assert not any(p.name.endswith(".tmp") for p in docs.rglob("*"))


def test_removes_pages_that_no_longer_exist(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_docs(docs, {"index.md": "x", "gone/old.md": "y", "a/keep.md": "z"})
    report = write_docs(docs, {"index.md": "x", "a/keep.md": "z"})
    assert (report.written, report.unchanged, report.removed) == (0, 2, 1)
    assert not (docs / "gone").exists()  # the emptied folder goes too
    assert sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*")) == [
        "a",
        "a/keep.md",
        "index.md",
    ]


@pytest.mark.parametrize("name", ["../escape.md", "/etc/passwd", "a/../../b.md"])
def test_refuses_paths_outside_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(BuildError, match="outside the generated docs folder"):
        write_docs(tmp_path / "docs", {name: "x"})
    assert not (tmp_path / "escape.md").exists()
