"""Source digests: what a translation was made from, so lint can say what changed since.

A digest is written by ``helpdesk translations mark-current`` into the translation's
``source_digest`` and is opaque to writers. It is one line::

    sha256:3f9a1c0b7d2e4f60.Tk3wAb9zQ0xq…
           └─ whole text ─┘ └ 4 characters per part ┘

The first field hashes the whole translatable text of the source (so "unchanged" is
certain); then each *part* of the source -- a fixed list (title, summary) followed by
a sequence (the body's blocks, or a release's notes) -- has a short code of its own.
Comparing the recorded codes with today's source names the parts that changed, were
added or were removed (aligned like a diff, so inserting a block does not mark every
block after it). Whitespace is normalised first: re-wrapping a paragraph is no change.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

PREFIX = "sha256:"
CODE_CHARS = 4
"""Characters per part code (24 bits): enough to tell a changed part from its old self."""


@dataclass(frozen=True)
class Part:
    """One translatable part of a source, as a writer names it."""

    name: str
    """e.g. ``title``, ``body block 3 (steps)``, ``note kb5064401-conflict``."""
    payload: str
    """Its normalised text (JSON), what the code is computed from."""


@dataclass(frozen=True)
class SourceParts:
    """A source's parts: ``fixed`` ones always present, then a ``sequence``."""

    fixed: tuple[Part, ...]
    sequence: tuple[Part, ...]

    def digest(self) -> str:
        """The value ``mark-current`` records."""
        whole = hashlib.sha256()
        for part in (*self.fixed, *self.sequence):
            whole.update(part.payload.encode())
            whole.update(b"\x1e")
        codes = "".join(_code(p.payload) for p in (*self.fixed, *self.sequence))
        return f"{PREFIX}{whole.hexdigest()[:16]}.{codes}"


@dataclass(frozen=True)
class Change:
    """One difference between the source a translation was made from and today's."""

    kind: Literal["changed", "added", "removed"]
    part: str
    """Name of today's part (changed, added) or where the removed parts were."""
    index: int | None = None
    """For the sequence: index of today's part (changed, added), else None."""
    count: int = 1
    """For ``removed``: how many parts went."""

    def describe(self) -> str:
        if self.kind == "changed":
            return f"{self.part} changed"
        if self.kind == "added":
            return f"{self.part} added"
        what = "part" if self.count == 1 else f"{self.count} parts"
        return f"{what} removed {self.part}"


class DigestFormatError(ValueError):
    """A ``source_digest`` that ``mark-current`` did not write (copied or edited by hand)."""


def normalised(value: Any) -> str:
    """JSON of ``value`` (a model, or plain data) with whitespace in strings collapsed."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True)
    return json.dumps(_squash(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _squash(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_squash(v) for v in value]
    if isinstance(value, dict):
        return {k: _squash(v) for k, v in value.items()}
    return value


def _code(payload: str) -> str:
    raw = hashlib.sha256(payload.encode()).digest()[:3]
    return base64.urlsafe_b64encode(raw).decode()


def compare(recorded: str, current: SourceParts) -> list[Change]:
    """What changed in the source since ``recorded`` was written; empty when nothing did.

    Raises:
        DigestFormatError: ``recorded`` is not a digest this module wrote.
    """
    if current.digest().split(".", 1)[0] == recorded.split(".", 1)[0]:
        return []
    old_fixed, old_sequence = _decode(recorded, len(current.fixed))
    changes = [
        Change("changed", part.name)
        for part, old in zip(current.fixed, old_fixed, strict=True)
        if _code(part.payload) != old
    ]
    new_sequence = [_code(p.payload) for p in current.sequence]
    matcher = difflib.SequenceMatcher(None, old_sequence, new_sequence, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag in ("replace", "insert"):
            kind: Literal["changed", "added"] = "changed" if tag == "replace" else "added"
            changes += [Change(kind, current.sequence[j].name, j) for j in range(j1, j2)]
        if tag == "delete" or (tag == "replace" and i2 - i1 > j2 - j1):
            gone = (i2 - i1) - (j2 - j1 if tag == "replace" else 0)
            where = f"after {current.sequence[j1 - 1].name}" if j1 else "at the start"
            changes.append(Change("removed", where, None, gone))
    # Same codes but another whole hash: a 24-bit collision; still say something changed.
    return changes or [Change("changed", "the text")]


def _decode(recorded: str, fixed: int) -> tuple[list[str], list[str]]:
    head, dot, codes = recorded.partition(".")
    if (
        not head.startswith(PREFIX)
        or len(head) != len(PREFIX) + 16
        or not dot
        or len(codes) % CODE_CHARS
        or len(codes) < fixed * CODE_CHARS
    ):
        raise DigestFormatError(recorded)
    split = [codes[i : i + CODE_CHARS] for i in range(0, len(codes), CODE_CHARS)]
    return split[:fixed], split[fixed:]


def parts_of(fixed: Sequence[tuple[str, Any]], sequence: Sequence[tuple[str, Any]]) -> SourceParts:
    """``SourceParts`` from named values (models or plain data)."""
    return SourceParts(
        tuple(Part(name, normalised(value)) for name, value in fixed),
        tuple(Part(name, normalised(value)) for name, value in sequence),
    )
