"""Release-note translations: ``kb/releases/<product>/<version>.<lang>.yaml``.

A translation holds the prose of one release in another language, notes by their id::

    product: windows-client
    version: "19.99"
    lang: it
    source_digest: sha256:…        # written by `helpdesk translations mark-current`
    title: Client Windows 19.99    # only if the source has a title
    summary: …
    notes:
      kb5064401-kb5064081:
        text: …
        workaround: …              # only where the source note has a workaround

Versions, dates, statuses, affected ranges, linked articles and platforms come from
the source. A note left out is shown in English.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator

from helpdesk.content import digest
from helpdesk.content.models import KbModel, Markdown, Slug, Text
from helpdesk.content.translation import Lang
from helpdesk.releases.model import KnownIssue, Release

LANG_SUFFIX = re.compile(r"^(?P<version>.+)\.(?P<lang>[a-z]{2,3}(-[a-z0-9]{2,8})?)$")
"""``19.99.it`` -> version ``19.99``, lang ``it`` (a version never ends in letters only
after its last dot: ``1.5.X`` has one letter, upper case)."""


def split_release_name(stem: str) -> tuple[str, str | None]:
    """``19.99.it`` -> ``("19.99", "it")``; ``19.99`` -> ``("19.99", None)``."""
    match = LANG_SUFFIX.match(stem)
    return (match["version"], match["lang"]) if match else (stem, None)


class NoteTranslation(KbModel):
    text: Markdown
    """The note's text in this language."""
    workaround: Markdown | None = None
    """The workaround's text, where the source note has one."""


class ReleaseTranslation(KbModel):
    """The prose of one release in one language."""

    product: Slug
    """The source's product id (the folder name)."""
    version: str
    """The source's version, exactly as in its file name."""
    lang: Lang
    """The translation's language."""
    source_digest: str | None = None
    """Written by ``helpdesk translations mark-current``, never by hand."""
    title: Text | None = None
    """The translated title (only when the source has one)."""
    summary: Markdown
    """The translated summary."""
    notes: dict[Slug, NoteTranslation] = Field(default_factory=dict)
    """Note id -> translated text (and workaround)."""

    _version_text = field_validator("version", mode="before")(
        classmethod(lambda c, v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v)
    )


def release_parts(release: Release) -> digest.SourceParts:
    """The translatable parts of a release: title, summary, then each note by id."""
    sequence: list[tuple[str, Any]] = []
    for section, note in release.notes():
        workaround = (
            note.workaround.text if isinstance(note, KnownIssue) and note.workaround else ""
        )
        sequence.append((f"{section} note {note.id}", [note.id, note.text, workaround]))
    return digest.parts_of([("title", release.title or ""), ("summary", release.summary)], sequence)


def localized_release(release: Release, translation: ReleaseTranslation) -> Release:
    """``release`` with the translated title, summary and notes (others stay as they are)."""
    update: dict[str, Any] = {"summary": translation.summary}
    if translation.title is not None and release.title is not None:
        update["title"] = translation.title
    for section in ("upgrade", "known_issues", "security", "features", "fixes", "deprecations"):
        notes = getattr(release, section)
        if any(note.id in translation.notes for note in notes):
            update[section] = [_note(note, translation.notes.get(note.id)) for note in notes]
    return release.model_copy(update=update)


def _note(note: Any, given: NoteTranslation | None) -> Any:
    if given is None:
        return note
    update: dict[str, Any] = {"text": given.text}
    if isinstance(note, KnownIssue) and note.workaround is not None and given.workaround:
        update["workaround"] = note.workaround.model_copy(update={"text": given.workaround})
    return note.model_copy(update=update)
