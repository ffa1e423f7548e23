"""Version ordering per product, as the taxonomy declares it (``versioning``).

``numeric`` products have dotted numbers with an optional pre-release suffix. Numbers
compare as numbers and trailing zeros do not count, so ``19.99 < 20.0.0 < 20.0.9 <
20.0.10`` and ``20.0 == 20.0.0`` (two files naming those are duplicates). A pre-release
sorts below its release: ``20.1.0-beta.2 < 20.1.0-rc.1 < 20.1.0``.

``none`` products (the web Workspace) have no version numbers customers install; their
"versions" are labels such as ``2025-09``, ordered by the release date instead.

Ranges (``affects`` of a note, ``applies_to`` of an article) are comma-separated
clauses, all of which must hold: ``>=19.99,<20.0.3``; a bare version means ``==``.
We parse them here rather than with ``packaging`` because PEP 440 treats pre-releases
and ``!=``/``==`` padding in ways writers do not expect, and because ordering must be
the product's own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Versioning = Literal["numeric", "none"]

_NUMERIC_RE = re.compile(
    r"^(?P<release>\d+(?:\.\d+){0,3})"
    r"(?:[-.]?(?P<pre>alpha|beta|rc|a|b)(?:[.-]?(?P<pre_n>\d+))?)?$"
)
_LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "rc": 2}
_CLAUSE_RE = re.compile(r"^(?P<op>>=|<=|==|!=|>|<)?\s*(?P<version>\S+)$")


class VersionError(ValueError):
    """A version or range that cannot be read; the message says how to write it."""


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    """A parsed version; compares by its ``key``, displays as the writer wrote it."""

    text: str
    key: tuple[tuple[int, ...], int, int, str]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.key == other.key

    def __lt__(self, other: Version) -> bool:
        return self.key < other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.text

    @property
    def is_prerelease(self) -> bool:
        return self.key[1] < 3

    @property
    def slug(self) -> str:
        """An HTML id fragment: ``20.0.10`` -> ``v20-0-10``."""
        return "v" + re.sub(r"[^a-z0-9]+", "-", self.text.lower()).strip("-")


def parse_version(text: str, versioning: Versioning = "numeric") -> Version:
    """Read ``text`` as a version of a product with the given ``versioning``.

    Raises:
        VersionError: the text is not a version of that kind.
    """
    text = str(text).strip()
    if versioning == "none":
        if not _LABEL_RE.match(text):
            raise VersionError(
                f"'{text}' is not a release label; use letters, digits, '.', '-' or '_'"
            )
        # Labels carry no order of their own (callers order such releases by date); the
        # label itself only keeps two different labels from comparing equal.
        return Version(text, ((), 3, 0, text.lower()))
    match = _NUMERIC_RE.match(text)
    if not match:
        raise VersionError(
            f"'{text}' is not a version; write dotted numbers such as '20.0.10' or "
            "'1.5.1', optionally with a pre-release suffix such as '-beta.1' or '-rc.2'"
        )
    release = tuple(int(part) for part in match["release"].split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]  # 20.0 and 20.0.0 are the same version
    pre = match["pre"]
    rank = _PRE_RANK[pre] if pre else 3
    number = int(match["pre_n"] or 0) if pre else 0
    return Version(text, (release, rank, number, ""))


_OPS: dict[str, Callable[[Version, Version], bool]] = {
    ">=": lambda v, b: v >= b,
    "<=": lambda v, b: v <= b,
    ">": lambda v, b: v > b,
    "<": lambda v, b: v < b,
    "==": lambda v, b: v == b,
    "!=": lambda v, b: v != b,
}


@dataclass(frozen=True)
class VersionRange:
    """A conjunction of clauses such as ``>=19.99,<20.0.3``."""

    text: str
    clauses: tuple[tuple[str, Version], ...]

    def __contains__(self, version: Version) -> bool:
        return all(_OPS[op](version, bound) for op, bound in self.clauses)

    def __str__(self) -> str:
        return self.text


def parse_range(text: str, versioning: Versioning = "numeric") -> VersionRange:
    """Read a range such as ``>=19.99,<20.0.3`` or ``19.99``.

    Raises:
        VersionError: a clause is not an operator followed by a version.
    """
    if versioning == "none":
        raise VersionError("this product has no version numbers, so it cannot have a range")
    invalid = f"'{text}' is not a version range; write it like '>=19.99,<20.0.3' or '19.99'"
    clauses: list[tuple[str, Version]] = []
    for raw in str(text).split(","):
        match = _CLAUSE_RE.match(raw.strip())
        if not match:
            raise VersionError(invalid)
        try:
            bound = parse_version(match["version"], versioning)
        except VersionError:
            raise VersionError(invalid) from None
        clauses.append((match["op"] or "==", bound))
    return VersionRange(str(text).strip(), tuple(clauses))
