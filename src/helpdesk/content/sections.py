"""Sections of ``kb/`` that packages above ``content`` load: registered, never imported.

The loader reads the taxonomy and the articles (with their translations) itself; every
other part of the knowledge base -- release notes, diagnostic trees -- belongs to the
package that knows its format. Such a package declares a *section*: an object with a
``name``, an ``order`` and a ``load(loading)`` method, registered under the entry-point
group ``helpdesk.kb_sections`` in ``pyproject.toml``::

    [project.entry-points."helpdesk.kb_sections"]
    releases = "helpdesk.releases.load:SECTION"
    trees = "helpdesk.diagnostics.loader:SECTION"

So ``content`` imports nothing above it (``helpdesk lint`` loads the tree checker
only through its section, never the HTTP client or the terminal app), and a new kind
of content is one section plus one line, without touching the loader.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from helpdesk.content.articles import Article
from helpdesk.content.problems import ProblemList
from helpdesk.content.taxonomy import Taxonomy
from helpdesk.content.yaml import YamlDocument
from helpdesk.errors import ConfigError

GROUP = "helpdesk.kb_sections"


@dataclass
class Loading:
    """What a section gets: the run so far, and where to put its problems."""

    root: Path
    """The ``kb/`` folder."""
    today: dt.date
    problems: ProblemList
    """The run's problem list: add every problem here, never raise one by one."""
    taxonomy: Taxonomy | None
    """The taxonomy, or None when it failed (its problem is already in the list)."""
    articles: dict[str, Article]
    """Articles that validated, by id (source language)."""
    documents: dict[str, YamlDocument]
    """Parsed source of each article in ``articles``."""
    known_articles: frozenset[str]
    """Ids of every article file, including those that failed validation: check links
    against these, so one broken article gives one message, not one per link to it."""
    sections: dict[str, Any] = field(default_factory=dict)
    """Sections loaded so far (lower ``order`` first), by name."""

    @property
    def languages(self) -> list[str]:
        return list(self.taxonomy.languages) if self.taxonomy else ["en"]


class Section(Protocol):
    """One registered part of the knowledge base."""

    name: str
    """Key in ``KnowledgeBase.sections`` (``releases``, ``trees``)."""
    order: int
    """Sections load in ascending order; a later one may read ``loading.sections``."""

    def load(self, loading: Loading) -> Any:
        """Read and check the section; return what ``KnowledgeBase.sections[name]`` holds."""


class SectionsMissing(ConfigError):
    """helpdesk is installed without its entry points (an old editable install)."""


@functools.cache
def registered_sections() -> tuple[Section, ...]:
    """The sections registered under ``helpdesk.kb_sections``, in load order.

    Raises:
        SectionsMissing: none are registered, which means the installed metadata is
            older than the code (loading without them would silently skip content).
    """
    found: list[Section] = [point.load() for point in entry_points(group=GROUP)]
    if not found:
        raise SectionsMissing(
            "no knowledge-base sections are registered (entry points "
            f"'{GROUP}'); reinstall helpdesk: make setup (or pip install -e .)"
        )
    return tuple(sorted(found, key=lambda section: (section.order, section.name)))
