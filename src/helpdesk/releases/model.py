"""The release model: what a writer puts in ``kb/releases/<product>/<version>.yaml``.

One release per file. Notes are grouped in sections, shown in this order on every
page (the upgrade actions come first because skipping them breaks the install)::

    product: windows-client
    version: "20.0.0"
    status: draft            # draft -> published (helpdesk release publish) -> withdrawn
    summary: The PIN-based generation of the Windows client.
    upgrade:
      - id: set-pin
        text: Set a four-digit PIN in the Workspace before you upgrade.
        articles: [pin-login]
    known_issues:
      - id: kb5064401-conflict
        text: The client stops working after Windows updates KB5064401 and KB5064081.
        affects: ">=19.99,<20.0"
        fixed_in: "20.0.3"   # then listed under "fixes" of 20.0.3, automatically

Versions are checked against the product's ``versioning`` by the loader, which knows
the taxonomy; this module only knows the shape of a file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from helpdesk.content.models import KbModel, Markdown, Slug, Text

Section = Literal["upgrade", "known_issues", "security", "features", "fixes", "deprecations"]
SECTIONS: tuple[Section, ...] = (
    "upgrade",
    "known_issues",
    "security",
    "features",
    "fixes",
    "deprecations",
)
SECTION_TITLES: dict[str, str] = {
    "upgrade": "Before you upgrade",
    "known_issues": "Known issues",
    "security": "Security",
    "features": "New features",
    "fixes": "Fixes",
    "deprecations": "Deprecations",
}
ReleaseStatus = Literal["draft", "published", "withdrawn"]


def _text(value: Any) -> Any:
    # The YAML reader keeps 19.99 as text, but a bare 20 is still a number.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Note(KbModel):
    """One change, in one section of a release."""

    id: Slug
    """Stable identifier; part of the note's permalink (``#v20-0-0-set-pin``)."""
    text: Markdown
    """What changed and what to do, in Markdown; ``[text](kb:article-id)`` links an article."""
    articles: list[Slug] = Field(default_factory=list)
    """Ids of KB articles about this change; each shows "Changes affecting this article"."""
    platforms: list[Slug] = Field(default_factory=list)
    """Platform ids (from the taxonomy) the note is limited to; empty means all."""
    affects: str | None = None
    """Versions of this product the note is about, e.g. ``">=19.99,<20.0"``."""

    _normalise_affects = field_validator("affects", mode="before")(
        classmethod(lambda c, v: _text(v))
    )


class Workaround(KbModel):
    text: Markdown
    """What to do until the fix, in Markdown."""
    inferred: bool = False
    """``true`` for a best guess the vendor has not confirmed; the page says so."""


class KnownIssue(Note):
    """A problem that lives across releases: listed in every release of its range until fixed."""

    fixed_in: str | None = None
    """The version that fixes it; the note then appears under "Fixes" of that release."""
    workaround: Workaround | None = None
    """Optional workaround shown under the issue."""

    _normalise_fixed = field_validator("fixed_in", mode="before")(
        classmethod(lambda c, v: _text(v))
    )


class Deprecation(Note):
    """Something that still works but will be removed."""

    removal: str | None = None
    """The version in which it is planned to go away (if known)."""

    _normalise_removal = field_validator("removal", mode="before")(
        classmethod(lambda c, v: _text(v))
    )


class Correction(KbModel):
    """A change to a published release, shown on its page as "Corrected on …"."""

    date: dt.date
    """When the correction was made (YYYY-MM-DD)."""
    reason: Text
    """What was wrong and what changed, in one sentence."""


class Withdrawal(KbModel):
    date: dt.date
    """When the release was withdrawn."""
    reason: Text
    """Why, and what to install instead; shown in a banner on the release's page."""


class Release(KbModel):
    """One release of one product (``kb/releases/<product>/<version>.yaml``)."""

    product: Slug
    """Product id from the taxonomy; equal to the folder name."""
    version: str
    """The version, exactly as in the file name (``19.99``, ``20.0.10``, ``1.5.1``)."""
    status: ReleaseStatus = "draft"
    """``draft`` (not published anywhere), ``published`` or ``withdrawn``."""
    date: dt.date | None = None
    """The date these notes were published on the help center; set by ``helpdesk release
    publish``. It says when the text appeared, not when the version shipped."""
    released: dt.date | None = None
    """When the version shipped to customers. Leave it out when nobody knows: pages then
    show no release date rather than a wrong one. Pages and the "current version" follow
    the versions' order, never these dates."""
    publish_after: dt.date | None = None
    """Embargo: the release stays out of every output until a build on or after this date."""
    title: Text | None = None
    """Optional headline (defaults to "<product> <version>")."""
    summary: Markdown
    """A short prelude: what this release is about, in one or two sentences."""
    upgrade: list[Note] = Field(default_factory=list)
    """Actions required when upgrading to this release; shown first."""
    known_issues: list[KnownIssue] = Field(default_factory=list)
    """Known issues first reported in this release (they are repeated where they apply)."""
    security: list[Note] = Field(default_factory=list)
    """Security changes."""
    features: list[Note] = Field(default_factory=list)
    """New features."""
    fixes: list[Note] = Field(default_factory=list)
    """Fixes (fixed known issues are added automatically)."""
    deprecations: list[Deprecation] = Field(default_factory=list)
    """Things that will be removed, with the planned removal version."""
    withdrawn: Withdrawal | None = None
    """Set when ``status: withdrawn``: when and why."""
    corrections: list[Correction] = Field(default_factory=list)
    """Corrections made after publishing; each needs a date and a reason."""

    _normalise_version = field_validator("version", mode="before")(
        classmethod(lambda c, v: _text(v))
    )

    @model_validator(mode="after")
    def _consistent(self) -> Release:
        ids = [note.id for _, note in self.notes()]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"note id(s) used more than once: {', '.join(repeated)}")
        if self.status == "withdrawn" and self.withdrawn is None:
            raise ValueError("a withdrawn release needs 'withdrawn: {date, reason}'")
        if self.status != "withdrawn" and self.withdrawn is not None:
            raise ValueError("'withdrawn' is set but status is not 'withdrawn'")
        if self.status != "draft" and self.date is None:
            raise ValueError("a published release needs a 'date'")
        return self

    def notes(self) -> list[tuple[Section, Note]]:
        """Every note the file declares, with its section, in page order."""
        return [(section, note) for section in SECTIONS for note in getattr(self, section)]

    @property
    def heading(self) -> str:
        return self.title or self.version

    @property
    def last_changed(self) -> dt.date | None:
        """The release date, or the latest correction (the feed entry's ``updated``)."""
        dates = [d for d in (self.date, *(c.date for c in self.corrections)) if d]
        if self.withdrawn:
            dates.append(self.withdrawn.date)
        return max(dates) if dates else None
