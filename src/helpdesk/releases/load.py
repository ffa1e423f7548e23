"""Reading ``kb/releases/`` for the one loader (its ``SECTION`` calls ``load_releases``).

Each file is validated into a :class:`~helpdesk.releases.model.Release`, then checked
against what spans files: the product exists and matches the folder, the version is
valid for the product's ``versioning`` and equals the file name, no two files name the
same version (``20.0`` and ``20.0.0`` are the same), linked articles exist, and a
published release still matches what ``published.lock`` froze. Every problem is added
to the run's list with the line of the offending key, never raised one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from helpdesk.content.articles import Article
from helpdesk.content.problems import ProblemList, read_document, validate_document, yaml_files
from helpdesk.content.sections import Loading
from helpdesk.content.taxonomy import Taxonomy
from helpdesk.content.yaml import Loc, YamlDocument
from helpdesk.releases.catalog import LoadedRelease, Releases
from helpdesk.releases.lock import LOCK_NAME, LockFileError, fingerprint, read_lock
from helpdesk.releases.model import Deprecation, KnownIssue, Release
from helpdesk.releases.translations import load_release_translations, split_release_name
from helpdesk.releases.versions import Version, VersionError, parse_range, parse_version

_ARTICLE_LINK = "](kb:"


class _ReleasesSection:
    """``kb/releases/`` as a section of the one loader (registered in ``pyproject.toml``)."""

    name = "releases"
    order = 10

    def load(self, loading: Loading) -> Releases:
        if loading.taxonomy is None:  # its own problem is reported; nothing to check against
            return Releases()
        return load_releases(
            loading.root,
            loading.taxonomy,
            loading.articles,
            loading.problems,
            today=loading.today,
            known_articles=loading.known_articles,
        )


SECTION = _ReleasesSection()


def load_releases(
    root: Path,
    taxonomy: Taxonomy,
    articles: dict[str, Article],
    problems: ProblemList,
    *,
    today: dt.date | None = None,
    known_articles: Iterable[str] | None = None,
) -> Releases:
    """Load and check every release under ``root / "releases"``.

    Args:
        root: the ``kb/`` folder.
        taxonomy: the loaded taxonomy (products and their ``versioning``).
        articles: loaded articles by id, for the ``articles`` links of notes.
        problems: the run's problem list; every problem found is added to it.
        today: the date the knowledge base is loaded for (kept as ``Releases.as_of``).
        known_articles: every article id with a file, valid or not (default: the keys
            of ``articles``); links to these are not reported missing.

    Returns:
        The releases that validated (files with errors are left out).
    """
    folder = root / "releases"
    releases = Releases(
        versioning={p.id: p.versioning for p in taxonomy.products},
        as_of=today,
        languages=list(taxonomy.languages),
    )
    if not folder.is_dir():
        return releases
    products = {p.id: p for p in taxonomy.products}
    known = frozenset(articles if known_articles is None else known_articles)
    seen: dict[tuple[str, Version], Path] = {}
    documents: dict[Path, YamlDocument] = {}
    translated: list[Path] = []
    for path in _release_files(folder, problems):
        if split_release_name(path.stem)[1] is not None:
            translated.append(path)
            continue
        doc = read_document(path, problems)
        if doc is None:
            continue
        release = validate_document(doc, Release, problems)
        if release is None:
            continue
        if release.product not in products:
            names = ", ".join(sorted(products))
            problems.at(doc, ("product",), f"unknown product '{release.product}' (known: {names})")
            continue
        if release.product != path.parent.name:
            problems.at(
                doc,
                ("product",),
                f"product '{release.product}' does not match the folder "
                f"'{path.parent.name}'; move the file to releases/{release.product}/",
            )
            continue
        scheme = products[release.product].versioning
        try:
            version = parse_version(release.version, scheme)
        except VersionError as exc:
            problems.at(doc, ("version",), str(exc))
            continue
        if path.stem != release.version:
            problems.at(
                doc,
                ("version",),
                f"version '{release.version}' does not match the file name; rename the file "
                f"to '{release.version}.yaml' or set version: \"{path.stem}\"",
            )
            continue
        first = seen.get((release.product, version))
        if first is not None:
            problems.at(
                doc,
                ("version",),
                f"version '{release.version}' is the same version as "
                f"{problems.path(first)}; keep one file per version",
            )
            continue
        seen[(release.product, version)] = path
        documents[path] = doc
        _check_notes(doc, release, scheme, taxonomy, articles, known, problems)
        releases.by_product.setdefault(release.product, []).append(
            LoadedRelease(release, version, path)
        )
    for product, loaded in releases.by_product.items():
        if products[product].versioning == "none":
            loaded.sort(key=lambda r: (r.release.date or dt.date.max, r.version.text))
        else:
            loaded.sort(key=lambda r: r.version)
        _check_issue_ids(loaded, documents, problems)
    _check_lock(folder / LOCK_NAME, releases, documents, problems)
    load_release_translations(releases, translated, documents, problems)
    return releases


def _release_files(folder: Path, problems: ProblemList) -> list[Path]:
    files: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == LOCK_NAME:
            continue
        if not entry.is_dir():
            if entry.suffix in (".yaml", ".yml"):
                problems.file(entry, "put release files in releases/<product>/<version>.yaml")
            continue
        files += yaml_files(entry, problems)
    return files


def _check_notes(
    doc: YamlDocument,
    release: Release,
    scheme: str,
    taxonomy: Taxonomy,
    articles: dict[str, Article],
    known: frozenset[str],
    problems: ProblemList,
) -> None:
    platforms = {p.id for p in taxonomy.platforms}
    counters: dict[str, int] = {}
    for section, note in release.notes():
        index = counters.get(section, 0)
        counters[section] = index + 1
        loc: Loc = (section, index)
        for i, article_id in enumerate(note.articles):
            if article_id not in known:
                problems.at(doc, (*loc, "articles", i), f"article '{article_id}' does not exist")
            elif article_id in articles and not articles[article_id].on_site:
                problems.at(
                    doc,
                    (*loc, "articles", i),
                    f"article '{article_id}' is not on the site (draft or agent-only)",
                    severity="warning",
                )
        for i, platform in enumerate(note.platforms):
            if platform not in platforms:
                problems.at(doc, (*loc, "platforms", i), f"unknown platform '{platform}'")
        for part in note.text.split(_ARTICLE_LINK)[1:]:
            target = part.split(")", 1)[0].split("#", 1)[0]
            if target not in known:
                problems.at(doc, (*loc, "text"), f"link to unknown article 'kb:{target}'")
        checks: list[tuple[str, str | None, bool]] = [("affects", note.affects, True)]
        if isinstance(note, KnownIssue):
            checks.append(("fixed_in", note.fixed_in, False))
        if isinstance(note, Deprecation):
            checks.append(("removal", note.removal, False))
        for key, value, is_range in checks:
            if value is None:
                continue
            try:
                if is_range:
                    parse_range(value, "none" if scheme == "none" else "numeric")
                else:
                    parse_version(value, "none" if scheme == "none" else "numeric")
            except VersionError as exc:
                problems.at(doc, (*loc, key), str(exc))


def _check_issue_ids(
    loaded: list[LoadedRelease], documents: dict[Path, YamlDocument], problems: ProblemList
) -> None:
    # Known issues live across releases, so their ids (and anchors) must be unique per product.
    first: dict[str, LoadedRelease] = {}
    for item in loaded:
        for index, issue in enumerate(item.release.known_issues):
            if issue.id in first:
                problems.at(
                    documents[item.path],
                    ("known_issues", index, "id"),
                    f"known issue '{issue.id}' is already declared in "
                    f"{problems.path(first[issue.id].path)}; edit it there (add fixed_in) "
                    "instead of declaring it again",
                )
            else:
                first[issue.id] = item


def _check_lock(
    lock_path: Path,
    releases: Releases,
    documents: dict[Path, YamlDocument],
    problems: ProblemList,
) -> None:
    try:
        entries = read_lock(lock_path)
    except LockFileError as exc:
        problems.file(lock_path, str(exc), exc.line)
        return
    for item in releases.all():
        release = item.release
        doc = documents[item.path]
        entry = entries.pop((release.product, release.version), None)
        if release.status == "draft":
            if entry is not None:
                problems.at(
                    doc,
                    ("status",),
                    "this release was published; it cannot go back to draft (withdraw it "
                    "instead: status: withdrawn with withdrawn: {date, reason})",
                )
            continue
        if entry is None:
            problems.at(
                doc,
                ("status",),
                f"status is '{release.status}' but the release is not in "
                f"releases/{LOCK_NAME}; set status: draft and run "
                f"`helpdesk release publish {release.product} {release.version}`",
            )
            continue
        if (
            fingerprint(release) != entry.fingerprint
            and len(release.corrections) <= entry.corrections
        ):
            where: Loc = ("corrections",) if release.corrections else ("summary",)
            problems.at(
                doc,
                where,
                "this published release was edited; undo the edit, or add a corrections "
                "entry (date, reason) saying what changed and then run "
                f"`helpdesk release publish {release.product} {release.version}` to record it",
                key=True,
            )
    for entry in entries.values():
        problems.file(
            lock_path,
            f"{entry.product} {entry.version} is recorded as published but its file "
            f"releases/{entry.product}/{entry.version}.yaml is missing; a published release "
            "is withdrawn, not deleted",
            entry.line,
        )
