"""Fixtures for search tests: copies of a small fixture KB and of the real kb/.

Each test works on a copy in a temporary folder, so the index written beside the KB
(``.cache/search``) never lands in the repository and tests cannot see each other's.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpdesk.content.kb import KnowledgeBase, load_kb

HERE = Path(__file__).parent
FIXTURE_KB = HERE / "fixtures" / "kb"
REAL_KB = HERE.parents[1] / "kb"


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".cache"))
    return target


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A fresh copy of the fixture KB (six articles: customer, agent-only and draft)."""
    return _copy(FIXTURE_KB, tmp_path / "kb")


@pytest.fixture
def load(kb_dir: Path) -> Callable[[], KnowledgeBase]:
    """Load the fixture KB copy again (after a test edits its files)."""
    return lambda: load_kb(kb_dir)


@pytest.fixture(scope="session")
def real_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The project's real kb/, copied once per session."""
    return load_kb(_copy(REAL_KB, tmp_path_factory.mktemp("real") / "kb"))
