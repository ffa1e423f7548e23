"""Loading and checking release-note translations (``<version>.<lang>.yaml``).

``load.load_releases`` calls :func:`load_release_translations` once the source
releases are read. The checks mirror the articles' (``content.translations``): a
known, non-source language; a source release file beside it; ``product``, ``version``
and ``lang`` equal to what the file name and folder say; notes that exist in the
source (a workaround only where the source has one); and freshness against the
source's text (a stale or never-marked translation is a warning).
"""

from __future__ import annotations

from pathlib import Path

from helpdesk.content.digest import DigestFormatError
from helpdesk.content.problems import ProblemList, read_document, validate_document
from helpdesk.content.translations import check_language, freshness
from helpdesk.content.yaml import YamlDocument
from helpdesk.releases.catalog import LoadedRelease, Releases, ReleaseTranslationRecord
from helpdesk.releases.model import KnownIssue
from helpdesk.releases.translation import (
    ReleaseTranslation,
    release_parts,
    split_release_name,
)

__all__ = ["load_release_translations", "split_release_name"]


def load_release_translations(
    releases: Releases,
    paths: list[Path],
    documents: dict[Path, YamlDocument],
    problems: ProblemList,
) -> None:
    """Read every translation in ``paths`` into ``releases.translations``."""
    by_path = {item.path: item for item in releases.all()}
    for path in paths:
        version, lang = split_release_name(path.stem)
        assert lang is not None  # the caller only passes translation files
        source_path = path.with_name(f"{version}.yaml")
        if not check_language(path, lang, releases.languages, problems, source_path.name):
            continue
        if not source_path.is_file():
            problems.file(
                path,
                f"translation of release {path.parent.name} {version}, but there is no "
                f"{problems.path(source_path)}; rename the file to <version>.<lang>.yaml "
                "or remove it",
            )
            continue
        source = by_path.get(source_path)
        doc = read_document(path, problems)
        if source is None or doc is None:
            continue  # a broken source has its own message
        translation = validate_document(doc, ReleaseTranslation, problems)
        if translation is None or not _matches(doc, translation, source, lang, problems):
            continue
        mark = f"`helpdesk translations mark-current {problems.path(path)}`"
        try:
            fresh = freshness(translation.source_digest, release_parts(source.release))
        except DigestFormatError:
            problems.at(
                doc,
                ("source_digest",),
                "source_digest was not written by mark-current (never copy or edit it); "
                f"check the text against the source, then run {mark}",
            )
            continue
        if not fresh.marked:
            problems.at(
                doc,
                ("product",),
                f"translation was never marked current; check it, then run {mark}",
                severity="warning",
            )
        elif fresh.state == "stale":
            problems.at(
                doc,
                ("source_digest",),
                f"stale: the source ({problems.path(source_path)}) changed since this "
                f"translation was checked: {'; '.join(fresh.changes)}; update the "
                f"translation, then run {mark}",
                severity="warning",
            )
        key = (source.product, source.release.version, lang)
        releases.translations[key] = ReleaseTranslationRecord(translation, path, fresh)


def _matches(
    doc: YamlDocument,
    translation: ReleaseTranslation,
    source: LoadedRelease,
    lang: str,
    problems: ProblemList,
) -> bool:
    release = source.release
    checks = [
        ("product", translation.product, release.product),
        ("version", translation.version, release.version),
        ("lang", translation.lang, lang),
    ]
    for key, given, wanted in checks:
        if given != wanted:
            problems.at(doc, (key,), f"{key} '{given}' but the source (file name) says '{wanted}'")
            return False
    ok = True
    if translation.title is not None and release.title is None:
        problems.at(doc, ("title",), "the source has no title; remove it here", key=True)
        ok = False
    notes = {note.id: note for _, note in release.notes()}
    for note_id, given_note in translation.notes.items():
        note = notes.get(note_id)
        if note is None:
            known = ", ".join(notes) or "none"
            problems.at(
                doc,
                ("notes", note_id),
                f"the source has no note '{note_id}' (its notes: {known})",
                key=True,
            )
            ok = False
        elif given_note.workaround is not None and not (
            isinstance(note, KnownIssue) and note.workaround is not None
        ):
            problems.at(
                doc,
                ("notes", note_id, "workaround"),
                f"note '{note_id}' has no workaround in the source; remove it here",
                key=True,
            )
            ok = False
    return ok
