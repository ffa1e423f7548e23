"""The publish lock: ``kb/releases/published.lock`` freezes what was published.

``helpdesk release publish`` records a fingerprint of each published release's content
in this file, which is committed with the knowledge base. Lint recomputes the
fingerprint; a difference without a new ``corrections`` entry is an error, so a
customer who read a note can trust it still says the same thing (or says why not).

The file is plain text, one release per line, sorted, so a review diff shows exactly
which releases were published or corrected::

    # product version fingerprint corrections
    windows-client 19.99 sha256:3f1c…e0 0

What is fingerprinted is the content a reader relies on: the date, the summary and
every note. Lifecycle fields are left out on purpose: ``status``/``withdrawn`` (a
release may be withdrawn later), ``corrections`` (they explain a change),
``publish_after`` (an embargo may move) and a known issue's ``fixed_in`` (a known issue
lives across releases and is marked fixed when the fix ships).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from helpdesk._files import atomic_write
from helpdesk.releases.model import Release

LOCK_NAME = "published.lock"
_HEADER = (
    "# Written by `helpdesk release publish`; do not edit by hand.\n"
    "# product version fingerprint corrections\n"
)


@dataclass(frozen=True)
class LockEntry:
    product: str
    version: str
    fingerprint: str
    corrections: int
    line: int = 0


class LockFileError(ValueError):
    """A line of the lock file cannot be read; carries the line number."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def fingerprint(release: Release) -> str:
    """A stable hash of the release's published content (see the module docstring)."""
    data = release.model_dump(
        mode="json",
        exclude={"status", "withdrawn", "corrections", "publish_after"},
        # Defaults left out: a new optional key in the model must not unfreeze every release.
        exclude_defaults=True,
    )
    for issue in data.get("known_issues", []):
        issue.pop("fixed_in", None)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_lock(path: Path) -> dict[tuple[str, str], LockEntry]:
    """The entries of the lock file by (product, version); an absent file is empty.

    Raises:
        LockFileError: a line is not ``product version fingerprint corrections``.
    """
    entries: dict[tuple[str, str], LockEntry] = {}
    if not path.is_file():
        return entries
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 4 or not parts[2].startswith("sha256:") or not parts[3].isdigit():
            raise LockFileError(
                "expected 'product version sha256:… corrections'; restore the file from "
                "version control and publish again",
                number,
            )
        key = (parts[0], parts[1])
        if key in entries:
            raise LockFileError(f"{parts[0]} {parts[1]} is listed twice", number)
        entries[key] = LockEntry(parts[0], parts[1], parts[2], int(parts[3]), number)
    return entries


def write_lock(path: Path, entries: dict[tuple[str, str], LockEntry]) -> None:
    """Write the lock file atomically, sorted by product then version text."""
    lines = [
        f"{e.product} {e.version} {e.fingerprint} {e.corrections}\n"
        for _, e in sorted(entries.items())
    ]
    atomic_write(path, _HEADER + "".join(lines))
