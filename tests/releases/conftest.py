"""Fixtures for the release-notes tests: a small KB copied into tmp_path, published on demand."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from releases_support import DAY, PUBLISH_ORDER

from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.publish.templates import make_env
from helpdesk.releases.workflow import publish_release

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """The fixture KB (all drafts) with the project's templates, in a writable folder."""
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb", root)
    shutil.copytree(REPO / "kb" / "templates", root / "templates")
    return root


@pytest.fixture
def published_kb(kb_dir: Path) -> Path:
    """The fixture KB with every release published on ``DAY``."""
    for product, version in PUBLISH_ORDER:
        publish_release(kb_dir, product, version, today=DAY)
    return kb_dir


@pytest.fixture
def load() -> Callable[[Path], KnowledgeBase]:
    def _load(root: Path, today: dt.date = DAY) -> KnowledgeBase:
        return load_kb(root, today=today)

    return _load


@pytest.fixture
def env(kb_dir: Path) -> jinja2.Environment:
    return make_env(kb_dir / "templates")
