"""Source digests: what a translation was made from, so lint can say what changed since.

A digest is written by ``helpdesk translations mark-current`` into the translation's
``source_digest`` and is opaque to writers. It is one line::

    sha256:3f9a1c0b7d2e4f60.Tk3wAb9zQ0xq….~~Ab9zTk3w~…
           └─ whole text ─┘ └ 4 characters ┘ └ per part, its items' codes ┘
                            per part

The first field hashes the whole translatable text of the source (so "unchanged" is
certain); then each *part* of the source -- a fixed list (title, summary) followed by
a sequence (the body's blocks, or a release's notes) -- has a short code of its own.
Comparing the recorded codes with today's source names the parts that changed, were
added or were removed (aligned like a diff, so inserting a block does not mark every
block after it). Whitespace is normalised first: re-wrapping a paragraph is no change.

A part may have *items* of its own (a steps block's steps, a table's rows, a tabs block's
tabs); the optional third field holds their codes, part by part (``~`` between parts), so
a changed block is narrowed to the step, row or tab that changed. Digests written before
items existed have no third field and still compare, block by block.
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import json
import re
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
    items: tuple[Item, ...] = ()
    """Its own items (steps, rows, tabs), when it has any."""


@dataclass(frozen=True)
class Item:
    """One item inside a part: a step, a table row, a tab."""

    name: str
    """e.g. ``step 3``, ``row 2``, ``the android tab``."""
    payload: str
    loc: tuple[str | int, ...]
    """Where it is inside its part (``("steps", 2)``), for the source line."""


@dataclass(frozen=True)
class SourceParts:
    """A source's parts: ``fixed`` ones always present, then a ``sequence``."""

    fixed: tuple[Part, ...]
    sequence: tuple[Part, ...]

    @functools.cached_property
    def whole(self) -> str:
        """The digest's first field (computed once per source and load)."""
        whole = hashlib.sha256()
        for part in (*self.fixed, *self.sequence):
            whole.update(part.payload.encode())
            whole.update(b"\x1e")
        return f"{PREFIX}{whole.hexdigest()[:16]}"

    def digest(self) -> str:
        """The value ``mark-current`` records."""
        codes = "".join(_code(p.payload) for p in (*self.fixed, *self.sequence))
        items = ITEM_SEPARATOR.join(
            "".join(_code(item.payload) for item in p.items) for p in self.sequence
        )
        return (
            f"{self.whole}.{codes}.{items}"
            if items.strip(ITEM_SEPARATOR)
            else f"{self.whole}.{codes}"
        )


ITEM_SEPARATOR = "~"
"""Between the item codes of two parts (not a base64url character)."""


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
    loc: tuple[str | int, ...] = ()
    """For a change narrowed to an item: where the item is inside its part."""
    noun: str = "part"
    """For ``removed``: what went (``part``, ``step``, ``row``, ``tab``)."""

    def describe(self) -> str:
        if self.kind == "changed":
            return f"{self.part} changed"
        if self.kind == "added":
            return f"{self.part} added"
        what = self.noun if self.count == 1 else f"{self.count} {self.noun}s"
        return f"{what} removed {self.part}"


class DigestFormatError(ValueError):
    """A ``source_digest`` that ``mark-current`` did not write (copied or edited by hand)."""


def normalised(value: Any) -> str:
    """JSON of ``value`` (a model, or plain data) with whitespace in strings collapsed.

    This runs for every part of every translated source on every load, so the common
    case -- no string holds anything to collapse -- is the JSON as written (in C); only
    a part with line breaks, doubled or edge spaces takes the walk through the data.
    Both give the same text, so recorded digests do not depend on the path taken.
    """
    data = (
        value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value
    )
    text = _JSON.encode(data)
    if _COLLAPSIBLE.search(text) is None:
        return text
    return _JSON.encode(_squash(data))


_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""One encoder for every part (``json.dumps`` with options builds a new one per call)."""

_COLLAPSIBLE = re.compile(r'[^\S ]|  |" | "|\\[nrtfb]|\\u00[01]')
"""What ``_squash`` could change in the JSON text: whitespace other than one space (raw
or escaped), two spaces, a space just inside quotes (an escaped quote counts too: then
the walk decides)."""


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
    if current.whole == recorded.split(".", 1)[0]:
        return []
    old_fixed, old_sequence, old_items = _decode(recorded, len(current.fixed))
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
        if tag == "replace" and i2 - i1 == j2 - j1 and old_items is not None:
            # Part for part: narrow each to the items that changed, where both have items.
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                changes += _item_changes(old_items[i], current.sequence[j], j)
        elif tag in ("replace", "insert"):
            kind: Literal["changed", "added"] = "changed" if tag == "replace" else "added"
            changes += [Change(kind, current.sequence[j].name, j) for j in range(j1, j2)]
        if tag == "delete" or (tag == "replace" and i2 - i1 > j2 - j1):
            gone = (i2 - i1) - (j2 - j1 if tag == "replace" else 0)
            where = f"after {current.sequence[j1 - 1].name}" if j1 else "at the start"
            changes.append(Change("removed", where, None, gone))
    # Same codes but another whole hash: a 24-bit collision; still say something changed.
    return changes or [Change("changed", "the text")]


def _item_changes(old: list[str], part: Part, index: int) -> list[Change]:
    """A changed part, narrowed to its items when both sides have some."""
    new = [_code(item.payload) for item in part.items]
    if not old or not new:
        return [Change("changed", part.name, index)]
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    # "step 3" -> step, "row 2" -> row, "the android tab" -> tab (the last item is never
    # a table's "the column headings", which come first).
    words = part.items[-1].name.split()
    noun = words[-1] if words[0] == "the" else words[0]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag in ("replace", "insert"):
            kind: Literal["changed", "added"] = "changed" if tag == "replace" else "added"
            changes += [
                Change(kind, f"{part.name}, {part.items[j].name}", index, loc=part.items[j].loc)
                for j in range(j1, j2)
            ]
        if tag == "delete" or (tag == "replace" and i2 - i1 > j2 - j1):
            gone = (i2 - i1) - (j2 - j1 if tag == "replace" else 0)
            where = f"from {part.name}" + (f" after {part.items[j1 - 1].name}" if j1 else "")
            changes.append(Change("removed", where, index, gone, noun=noun))
    # The items are the same but the part is not (e.g. a table's column headings).
    return changes or [Change("changed", part.name, index)]


def _decode(recorded: str, fixed: int) -> tuple[list[str], list[str], list[list[str]] | None]:
    head, dot, rest = recorded.partition(".")
    codes, _, items = rest.partition(".")
    if (
        not head.startswith(PREFIX)
        or len(head) != len(PREFIX) + 16
        or not dot
        or len(codes) % CODE_CHARS
        or len(codes) < fixed * CODE_CHARS
    ):
        raise DigestFormatError(recorded)
    split = [codes[i : i + CODE_CHARS] for i in range(0, len(codes), CODE_CHARS)]
    sequence = split[fixed:]
    if not items:
        return split[:fixed], sequence, None  # written before items had codes
    per_part = items.split(ITEM_SEPARATOR)
    if len(per_part) != len(sequence) or any(len(p) % CODE_CHARS for p in per_part):
        raise DigestFormatError(recorded)
    item_codes = [[p[i : i + CODE_CHARS] for i in range(0, len(p), CODE_CHARS)] for p in per_part]
    return split[:fixed], sequence, item_codes


ItemSpec = tuple[str, Any, tuple[str | int, ...]]
"""An item as ``parts_of`` takes it: (name, value, where inside its part)."""


def parts_of(
    fixed: Sequence[tuple[str, Any]],
    sequence: Sequence[tuple[str, Any]],
    items: Sequence[Sequence[ItemSpec]] | None = None,
) -> SourceParts:
    """``SourceParts`` from named values (models or plain data); ``items`` holds each
    sequence part's items (same order as ``sequence``), when parts have items."""
    per_part = items if items is not None else [()] * len(sequence)
    return SourceParts(
        tuple(Part(name, normalised(value)) for name, value in fixed),
        tuple(
            Part(
                name,
                normalised(value),
                tuple(Item(n, normalised(v), loc) for n, v, loc in part_items),
            )
            for (name, value), part_items in zip(sequence, per_part, strict=True)
        ),
    )
