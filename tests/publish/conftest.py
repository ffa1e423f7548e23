"""Fixtures for the publish tests: a throw-away project folder around a small, fixed KB.

Tests never build in the repository's own ``build/`` or ``site/`` (other people's
builds may be running there); each gets a copy of the root ``mkdocs.yml``, the real
templates, and either the fixture KB (stable for goldens) or the real ``kb/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from publish_support import FIXTURE_KB, make_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder holding the fixture KB; returns the folder (kb/ is inside)."""
    return make_project(tmp_path, FIXTURE_KB)
