"""The writer's workflow: scaffold a draft, publish it (freezing it in the lock), withdraw it.

Every step edits the writer's YAML as text, touching only the lines it owns
(``status:``, ``date:``, ``withdrawn:``), so comments and formatting survive; every
write is atomic (temporary file + rename). ``today`` is always passed in: the command
line reads the clock once, tests pass a fixed date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from helpdesk._files import atomic_write
from helpdesk.content.kb import KnowledgeBase, load_kb, load_taxonomy
from helpdesk.content.problems import ProblemList, validate_document
from helpdesk.content.taxonomy import Product, Taxonomy
from helpdesk.content.yaml import YamlProblem, parse_yaml
from helpdesk.errors import ConfigError, ContentError, ReleaseError
from helpdesk.releases.catalog import LoadedRelease, releases_of
from helpdesk.releases.lock import (
    LOCK_NAME,
    LockEntry,
    fingerprint,
    read_lock,
    write_lock,
)
from helpdesk.releases.model import Release
from helpdesk.releases.versions import Version, VersionError, parse_version

_SCAFFOLD = """\
# Release notes for {title} {version}. `helpdesk schema release` documents every key.
product: {product}
version: "{version}"
status: draft
summary: >-
  One or two sentences: what this release is about and who should install it.
# Sections are shown in this order; delete the ones you do not need.
upgrade: []          # actions required before or after upgrading (shown first)
known_issues: []     # {{id, text, affects: ">=X,<Y", fixed_in: Z, workaround: {{text, inferred}}}}
security: []
features: []         # {{id, text, articles: [article-id], platforms: [windows]}}
fixes: []
deprecations: []     # {{id, text, removal: "<planned removal version>"}}
"""


@dataclass(frozen=True)
class Target:
    """A product and version named on the command line, checked against the taxonomy."""

    product: Product
    version: Version
    path: Path


def resolve(root: Path, product_id: str, version_text: str) -> Target:
    """Check the product and version a writer typed.

    Raises:
        ConfigError: unknown product or a version the product's versioning rejects (exit 2).
        ContentError: the taxonomy itself cannot be read.
    """
    taxonomy = _taxonomy(root)
    products = {p.id: p for p in taxonomy.products}
    if product_id not in products:
        raise ConfigError(
            f"unknown product '{product_id}'; choose one of: {', '.join(sorted(products))}"
        )
    product = products[product_id]
    try:
        version = parse_version(version_text, product.versioning)
    except VersionError as exc:
        raise ConfigError(str(exc)) from None
    return Target(product, version, root / "releases" / product.id / f"{version_text}.yaml")


def new_release(root: Path, product_id: str, version_text: str) -> Path:
    """Write a draft scaffold for a new release and return its path.

    Raises:
        ConfigError: see :func:`resolve`.
        ReleaseError: the version already has a file (possibly spelled differently).
    """
    target = resolve(root, product_id, version_text)
    folder = target.path.parent
    if folder.is_dir():
        for existing in sorted(folder.glob("*.yaml")):
            try:
                same = parse_version(existing.stem, target.product.versioning) == target.version
            except VersionError:
                continue
            if same:
                raise ReleaseError(f"{existing} already holds version {existing.stem}")
    text = _SCAFFOLD.format(
        title=target.product.title, product=target.product.id, version=version_text
    )
    atomic_write(target.path, text)
    return target.path


def publish_release(root: Path, product_id: str, version_text: str, *, today: dt.date) -> str:
    """Publish a draft, or record a correction of a published release, in the lock file.

    Returns:
        What was done, as one sentence for the writer.

    Raises:
        ConfigError: see :func:`resolve`.
        ContentError: the knowledge base has problems (they are all listed).
        ReleaseError: the release is missing, withdrawn, or published and unchanged.
    """
    target = resolve(root, product_id, version_text)
    kb = load_kb(root, today=today)
    loaded = _find(kb, target)
    lock_path = root / "releases" / LOCK_NAME
    entries = read_lock(lock_path)
    release = loaded.release
    key = (release.product, release.version)
    if release.status == "withdrawn":
        raise ReleaseError(f"{release.product} {release.version} is withdrawn; it stays as it is")
    if release.status == "published":
        entry = entries[key]  # load_kb proved the entry exists
        if (
            fingerprint(release) == entry.fingerprint
            and len(release.corrections) == entry.corrections
        ):
            raise ReleaseError(f"{release.product} {release.version} is already published")
        entries[key] = LockEntry(*key, fingerprint(release), len(release.corrections))
        write_lock(lock_path, entries)
        return f"recorded the correction of {release.product} {release.version}"
    if not release.notes():
        raise ReleaseError(f"{loaded.path}: add at least one note before publishing")
    date = max(today, release.publish_after) if release.publish_after else today
    text = loaded.path.read_text(encoding="utf-8")
    text = _set_key(text, "status", "published")
    text = _set_key(text, "date", date.isoformat())
    published = _revalidate(loaded.path, text)
    entries[key] = LockEntry(*key, fingerprint(published), len(published.corrections))
    atomic_write(loaded.path, text)
    write_lock(lock_path, entries)
    when = f" (embargoed until {date.isoformat()})" if date > today else ""
    return f"published {release.product} {release.version} dated {date.isoformat()}{when}"


def withdraw_release(
    root: Path, product_id: str, version_text: str, *, reason: str, today: dt.date
) -> str:
    """Mark a published release withdrawn; its page stays, with a banner giving ``reason``."""
    target = resolve(root, product_id, version_text)
    loaded = _find(load_kb(root, today=today), target)
    if loaded.release.status != "published":
        raise ReleaseError(
            f"only a published release can be withdrawn (it is {loaded.release.status})"
        )
    text = _set_key(loaded.path.read_text(encoding="utf-8"), "status", "withdrawn")
    quoted = reason.replace("\\", "\\\\").replace('"', '\\"')
    text = text.rstrip("\n") + f'\nwithdrawn:\n  date: {today.isoformat()}\n  reason: "{quoted}"\n'
    _revalidate(loaded.path, text)
    atomic_write(loaded.path, text)
    return f"withdrew {loaded.release.product} {loaded.release.version}"


def list_releases(
    kb: KnowledgeBase, product_id: str | None, *, today: dt.date
) -> list[tuple[str, str, str, str]]:
    """Rows of (product, version, status, date), newest first within each product."""
    if product_id is not None and product_id not in {p.id for p in kb.taxonomy.products}:
        raise ConfigError(f"unknown product '{product_id}'")
    rows: list[tuple[str, str, str, str]] = []
    for product in sorted(releases_of(kb).by_product):
        if product_id not in (None, product):
            continue
        for item in reversed(releases_of(kb).by_product[product]):
            status: str = item.release.status
            embargo = item.release.publish_after
            if status == "published" and embargo and embargo > today:
                status = f"embargoed until {embargo.isoformat()}"
            date = item.release.date.isoformat() if item.release.date else "-"
            rows.append((product, item.release.version, status, date))
    return rows


def _taxonomy(root: Path) -> Taxonomy:
    problems = ProblemList(root)
    taxonomy = load_taxonomy(root, problems)
    if taxonomy is None:
        raise ContentError(problems.items)
    return taxonomy


def _find(kb: KnowledgeBase, target: Target) -> LoadedRelease:
    found = releases_of(kb).find(target.product.id, target.version)
    if found is None:
        raise ReleaseError(
            f"no release {target.product.id} {target.version}; create it with "
            f"`helpdesk release new {target.product.id} {target.version}`"
        )
    return found


def _set_key(text: str, key: str, value: str) -> str:
    """Set a top-level ``key: value`` line; if absent, insert it after ``status:``/``version:``."""
    pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(f"{key}: {value}", text, count=1)
    after = "status" if re.search(r"^status:", text, re.MULTILINE) else "version"
    return re.sub(rf"^({after}:.*)$", rf"\1\n{key}: {value}", text, count=1, flags=re.MULTILINE)


def _revalidate(path: Path, text: str) -> Release:
    # The edit is ours, but prove the result still reads before replacing the writer's file.
    problems = ProblemList(path.parent.parent.parent)
    try:
        doc = parse_yaml(path, text.encode("utf-8"))
    except YamlProblem as exc:
        raise ReleaseError(f"{path}:{exc.line}: cannot update the file: {exc.message}") from None
    release = validate_document(doc, Release, problems)
    if release is None:
        raise ContentError(problems.items)
    return release
