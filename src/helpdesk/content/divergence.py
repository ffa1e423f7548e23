"""Structural divergence: a translation must have its source's shape.

Translators translate text, not structure: the same blocks in the same order, the
same number of steps (a note where the source has one), the same tabs, admonitions
of the same kind, tables of the same size, the same images and trees. Each difference
is one problem at the translation's ``path:line:column``. A missing or extra block is
found by aligning the two lists of block kinds (like a diff), so one forgotten
paragraph is one message, not one per block after it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from helpdesk.content.articles import (
    AdmonitionBlock,
    Article,
    ImageBlock,
    StepsBlock,
    TableBlock,
    TabsBlock,
    TreeBlock,
)
from helpdesk.content.translation import ArticleTranslation
from helpdesk.content.yaml import Loc

Finding = tuple[Loc, str, bool]
"""Where (a location in the translation), the message, and whether to point at the key."""


def kind_of(block: Any) -> str:
    """A block's kind: its one field's name (``paragraph``, ``steps``, ...)."""
    return str(next(iter(type(block).model_fields)))


def diverged(source: Article, translation: ArticleTranslation) -> list[Finding]:
    """Every way ``translation``'s structure differs from ``source``'s."""
    return _blocks(source.body, translation.body, ("body",), "the source")


def _blocks(source: Sequence[Any], mine: Sequence[Any], loc: Loc, where: str) -> list[Finding]:
    out: list[Finding] = []
    source_kinds = [kind_of(b) for b in source]
    my_kinds = [kind_of(b) for b in mine]
    matcher = difflib.SequenceMatcher(None, source_kinds, my_kinds, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if source_kinds[i] != my_kinds[j]:
                    out.append(
                        (
                            (*loc, j),
                            f"block {j + 1} is a '{my_kinds[j]}' block but block {i + 1} of "
                            f"{where} is '{source_kinds[i]}'; keep the source's blocks in order",
                            False,
                        )
                    )
                else:
                    out += _same_kind(source[i], mine[j], (*loc, j), f"block {i + 1} of {where}")
            continue
        if i2 > i1 and (tag == "delete" or i2 - i1 > j2 - j1):
            missing = ", ".join(f"{i + 1} ({source_kinds[i]})" for i in range(i1, i2))
            at: Loc = (*loc, j1) if j1 < len(mine) else loc
            out.append(
                (
                    at,
                    f"{where} has {len(source)} block(s), this translation {len(mine)}: "
                    f"block(s) {missing} of {where} are not translated here",
                    at == loc,
                )
            )
        elif j2 > j1:
            extra = ", ".join(f"{j + 1} ({my_kinds[j]})" for j in range(j1, j2))
            out.append(
                (
                    (*loc, j1),
                    f"{where} has {len(source)} block(s), this translation {len(mine)}: "
                    f"block(s) {extra} here have no counterpart in {where}",
                    False,
                )
            )
    return out


def _same_kind(source: Any, mine: Any, loc: Loc, where: str) -> list[Finding]:
    if isinstance(source, StepsBlock) and isinstance(mine, StepsBlock):
        return _steps(source, mine, (*loc, "steps"), where)
    if isinstance(source, AdmonitionBlock) and isinstance(mine, AdmonitionBlock):
        out: list[Finding] = []
        theirs, ours = source.admonition, mine.admonition
        if theirs.kind != ours.kind:
            out.append(
                (
                    (*loc, "admonition", "kind"),
                    f"admonition kind '{ours.kind}' but {where} is a '{theirs.kind}'",
                    False,
                )
            )
        if (theirs.title is None) != (ours.title is None):
            has = "has a title" if theirs.title else "has no title"
            out.append(((*loc, "admonition"), f"{where} {has}; keep it that way", False))
        return out
    if isinstance(source, TabsBlock) and isinstance(mine, TabsBlock):
        return _tabs(source, mine, (*loc, "tabs"), where)
    if isinstance(source, TableBlock) and isinstance(mine, TableBlock):
        out = []
        theirs_t, ours_t = source.table, mine.table
        if len(theirs_t.columns) != len(ours_t.columns):
            out.append(
                (
                    (*loc, "table", "columns"),
                    f"{len(ours_t.columns)} column(s) but {where} has {len(theirs_t.columns)}",
                    False,
                )
            )
        if len(theirs_t.rows) != len(ours_t.rows):
            out.append(
                (
                    (*loc, "table", "rows"),
                    f"{len(ours_t.rows)} row(s) but {where} has {len(theirs_t.rows)}",
                    False,
                )
            )
        return out
    if isinstance(source, ImageBlock) and isinstance(mine, ImageBlock):
        out = []
        if source.image.src != mine.image.src:
            out.append(
                (
                    (*loc, "image", "src"),
                    f"image '{mine.image.src}' but {where} shows '{source.image.src}'; "
                    "translate the alt text, keep the image",
                    False,
                )
            )
        if (source.image.caption is None) != (mine.image.caption is None):
            has = "has a caption" if source.image.caption else "has no caption"
            out.append(((*loc, "image"), f"{where} {has}; keep it that way", False))
        return out
    if (
        isinstance(source, TreeBlock)
        and isinstance(mine, TreeBlock)
        and source.tree.id != mine.tree.id
    ):
        return [
            (
                (*loc, "tree", "id"),
                f"tree '{mine.tree.id}' but {where} links tree '{source.tree.id}'",
                False,
            )
        ]
    return []


def _steps(source: StepsBlock, mine: StepsBlock, loc: Loc, where: str) -> list[Finding]:
    if len(source.steps) != len(mine.steps):
        return [
            (
                loc,
                f"{len(mine.steps)} step(s) but {where} has {len(source.steps)}; "
                "translate step by step",
                False,
            )
        ]
    out: list[Finding] = []
    for index, (theirs, ours) in enumerate(zip(source.steps, mine.steps, strict=True)):
        if theirs.note is not None and ours.note is None:
            out.append(
                (
                    (*loc, index),
                    f"step {index + 1} of {where} has a note; translate it too "
                    "(write the step as text: … and note: …)",
                    False,
                )
            )
        elif theirs.note is None and ours.note is not None:
            out.append(((*loc, index, "note"), f"step {index + 1} of {where} has no note", True))
    return out


def _tabs(source: TabsBlock, mine: TabsBlock, loc: Loc, where: str) -> list[Finding]:
    theirs = [tab.platform for tab in source.tabs]
    ours = [tab.platform for tab in mine.tabs]
    if theirs != ours:
        return [
            (
                loc,
                f"tabs {', '.join(ours)} but {where} has tabs {', '.join(theirs)} "
                "(the same platforms, in the same order)",
                False,
            )
        ]
    out: list[Finding] = []
    for index, (tab_source, tab_mine) in enumerate(zip(source.tabs, mine.tabs, strict=True)):
        out += _blocks(
            tab_source.body,
            tab_mine.body,
            (*loc, index, "body"),
            f"the {tab_source.platform} tab of {where}",
        )
    return out
