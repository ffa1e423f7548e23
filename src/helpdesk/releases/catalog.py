"""Releases as readers see them: visible ones only, ordered, with known issues spread out.

``Releases`` is what a knowledge base's ``releases`` section holds (``releases_of(kb)``):
every release file that loaded, drafts and embargoed ones included, because lint and the
writer workflow need them.
Everything that reaches a reader (pages, feeds, JSON, search) goes through
:meth:`Releases.timeline`, which takes ``today`` so an embargo is decided by the
build's date, never by the clock of whoever calls deep inside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.content.translations import Freshness, State
from helpdesk.errors import ConfigError
from helpdesk.releases.model import (
    SECTIONS,
    Deprecation,
    KnownIssue,
    Note,
    Release,
    Section,
    Workaround,
)
from helpdesk.releases.translation import ReleaseTranslation, localized_release
from helpdesk.releases.versions import (
    Version,
    Versioning,
    VersionRange,
    parse_range,
    parse_version,
)

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase


@dataclass(frozen=True)
class LoadedRelease:
    """A release that passed validation, with its parsed version and source file."""

    release: Release
    version: Version
    path: Path

    @property
    def product(self) -> str:
        return self.release.product

    def visible(self, today: dt.date) -> bool:
        """Published or withdrawn, and past its embargo (``publish_after``) on ``today``."""
        embargo = self.release.publish_after
        return self.release.status != "draft" and (embargo is None or embargo <= today)


@dataclass(frozen=True)
class ReleaseTranslationRecord:
    """One loaded release translation and how it stands against its source."""

    translation: ReleaseTranslation
    path: Path
    freshness: Freshness


@dataclass(frozen=True)
class LocalizedRelease:
    """A release as a reader of one language gets it.

    ``release`` has the translated title, summary and notes (notes left out of the
    translation, and everything when it is missing, stay in the source language).
    """

    release: Release
    lang: str
    text_lang: str
    state: State
    source_changed: dt.date | None = None
    """When stale: the source's last change (its date, or its latest correction)."""
    changes: tuple[str, ...] = ()
    path: Path | None = None


@dataclass(frozen=True)
class NoteView:
    """A note as it appears under one release: possibly declared in another one."""

    section: Section
    note: Note
    origin: LoadedRelease
    """The release whose file declares the note (differs for repeated known issues)."""
    anchor: str
    """HTML id of the note on this release's page, unique on the product page too."""
    fixed_in: str | None = None
    """For a known issue, the fixing version, only once that release is visible: an
    embargoed fix must not announce its version number early."""

    @property
    def workaround(self) -> Workaround | None:
        return self.note.workaround if isinstance(self.note, KnownIssue) else None

    @property
    def removal(self) -> str | None:
        return self.note.removal if isinstance(self.note, Deprecation) else None


@dataclass(frozen=True)
class ReleaseView:
    """One visible release with its notes by section, known issues included."""

    loaded: LoadedRelease
    sections: dict[Section, list[NoteView]]
    localized: LocalizedRelease | None = None
    """With a ``lang`` timeline: the release's translation state in that language."""

    @property
    def release(self) -> Release:
        return self.loaded.release

    @property
    def version(self) -> Version:
        return self.loaded.version

    @property
    def anchor(self) -> str:
        return self.loaded.version.slug

    def notes(self) -> list[NoteView]:
        return [view for section in SECTIONS for view in self.sections[section]]


@dataclass
class Releases:
    """Every loaded release, by product, oldest first."""

    by_product: dict[str, list[LoadedRelease]] = field(default_factory=dict)
    versioning: dict[str, Versioning] = field(default_factory=dict)
    as_of: dt.date | None = None
    """The date the knowledge base was loaded for; consumers without a date of their own
    (search sources) decide embargoes with it."""
    languages: list[str] = field(default_factory=lambda: ["en"])
    """The configured languages, the source language first."""
    translations: dict[tuple[str, str, str], ReleaseTranslationRecord] = field(default_factory=dict)
    """Translations by ``(product, version as in the file name, lang)``."""

    def localized(self, item: LoadedRelease, lang: str) -> LocalizedRelease:
        """``item`` in ``lang``, falling back to the source text when untranslated.

        Raises:
            ConfigError: ``lang`` is not a configured language.
        """
        if lang not in self.languages:
            raise ConfigError(f"unknown language '{lang}' (known: {', '.join(self.languages)})")
        source = item.release
        if lang == self.languages[0]:
            return LocalizedRelease(source, lang, lang, "current")
        record = self.translations.get((item.product, source.version, lang))
        if record is None:
            return LocalizedRelease(source, lang, self.languages[0], "missing")
        stale = record.freshness.state == "stale"
        return LocalizedRelease(
            localized_release(source, record.translation),
            lang,
            lang,
            record.freshness.state,
            (source.last_changed or source.date) if stale else None,
            record.freshness.changes,
            record.path,
        )

    def all(self) -> list[LoadedRelease]:
        return [r for product in sorted(self.by_product) for r in self.by_product[product]]

    def find(self, product: str, version: Version) -> LoadedRelease | None:
        return next((r for r in self.by_product.get(product, []) if r.version == version), None)

    def products(self, today: dt.date) -> list[str]:
        """Products with at least one visible release, in id order."""
        return [
            p for p in sorted(self.by_product) if any(r.visible(today) for r in self.by_product[p])
        ]

    def timeline(self, product: str, today: dt.date, lang: str | None = None) -> list[ReleaseView]:
        """The visible releases of ``product``, oldest first, with known issues spread.

        A known issue is listed under "Known issues" of every visible release inside
        its range (``affects``, by default from the declaring release on) and before
        its ``fixed_in``; and under "Fixes" of the release that equals ``fixed_in``.
        With ``lang``, every text is in that language where translated (see
        ``localized``); ``ReleaseView.localized`` tells each release's state.
        """
        loaded = [r for r in self.by_product.get(product, []) if r.visible(today)]
        states: dict[Path, LocalizedRelease] = {}
        if lang is not None:
            for index, item in enumerate(loaded):
                states[item.path] = local = self.localized(item, lang)
                loaded[index] = LoadedRelease(local.release, item.version, item.path)
        versions = [r.version for r in loaded]
        # Per known issue, once: where it is declared, its range, its fix and where that is.
        issues = []
        for origin_at, origin in enumerate(loaded):
            for issue in origin.release.known_issues:
                affected = self._issue_range(origin, issue)
                fixed = self._fixed_version(origin, issue)
                fixed_at = versions.index(fixed) if fixed in versions else None
                shown_fix = issue.fixed_in if fixed_at is not None else None
                issues.append((origin_at, origin, issue, affected, fixed, fixed_at, shown_fix))
        views: list[ReleaseView] = []
        for position, current in enumerate(loaded):
            sections: dict[Section, list[NoteView]] = {s: [] for s in SECTIONS}
            for section in SECTIONS:
                if section == "known_issues":
                    continue
                for note in getattr(current.release, section):
                    sections[section].append(_view(section, note, current, current))
            for origin_at, origin, issue, affected, fixed, fixed_at, shown_fix in issues:
                if affected is None:  # unnumbered product: from the declaring release on
                    inside = position >= origin_at
                    before_fix = fixed_at is None or position < fixed_at
                else:
                    inside = current.version in affected
                    before_fix = fixed is None or current.version < fixed
                if inside and before_fix:
                    sections["known_issues"].append(
                        _view("known_issues", issue, origin, current, shown_fix)
                    )
                if fixed is not None and current.version == fixed:
                    sections["fixes"].append(_view("fixes", issue, origin, current, shown_fix))
            views.append(ReleaseView(current, sections, states.get(current.path)))
        return views

    def _issue_range(self, origin: LoadedRelease, issue: KnownIssue) -> VersionRange | None:
        scheme = self.versioning.get(origin.product, "numeric")
        if scheme == "none":
            return None
        if issue.affects:
            return parse_range(issue.affects, scheme)
        return parse_range(f">={origin.version.text}", scheme)

    def _fixed_version(self, origin: LoadedRelease, issue: KnownIssue) -> Version | None:
        if issue.fixed_in is None:
            return None
        return parse_version(issue.fixed_in, self.versioning.get(origin.product, "numeric"))


def _view(
    section: Section,
    note: Note,
    origin: LoadedRelease,
    current: LoadedRelease,
    fixed_in: str | None = None,
) -> NoteView:
    return NoteView(section, note, origin, f"{current.version.slug}-{note.id}", fixed_in)


def releases_of(kb: KnowledgeBase) -> Releases:
    """The release notes a knowledge base loaded (its ``releases`` section), drafts and
    embargoed ones too; see ``Releases.timeline``."""
    releases: Releases = kb.section("releases")
    return releases
