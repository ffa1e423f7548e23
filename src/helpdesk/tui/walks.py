"""Saved walks as the start screen lists them (over the engine's ``SessionStore``).

The engine owns the files (``<data dir>/sessions/<id>.json``); this module only reads
them into short rows: which tree, where it stopped, whether it finished. The import of
the engine's state module (pydantic) is deferred so the start screen draws first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.diagnostics.state import SessionState, SessionStore
    from helpdesk.tui.catalog import Catalog

MAX_LISTED = 12


@dataclass(frozen=True)
class SavedWalk:
    """One saved walk.

    Attributes:
        session_id: the engine's session id (resume with it).
        tree_id / title: the tree walked.
        where: the label of the node it stopped at.
        finished: True once it reached an end node (or failed).
        outcome: the end's outcome tag, if finished.
        updated: ISO time the current node was entered.
    """

    session_id: str
    tree_id: str
    title: str
    where: str
    finished: bool
    outcome: str | None
    updated: str

    @property
    def updated_label(self) -> str:
        try:
            return datetime.fromisoformat(self.updated).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return self.updated[:16]


class WalkStore:
    """Lists the saved walks in ``folder`` (the engine's state folder)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def store(self) -> SessionStore:
        from helpdesk.diagnostics.state import SessionStore

        return SessionStore(self.folder)

    def list(self, catalog: Catalog | None) -> list[SavedWalk]:
        """Unfinished walks first, then finished ones; newest first within each."""
        walks: list[SavedWalk] = []
        try:
            states = list(self.store().sessions())
        except OSError:
            return []
        for state in states:
            walks.append(_row(state, catalog))
        walks.sort(key=lambda w: w.updated, reverse=True)
        walks.sort(key=lambda w: w.finished)
        return walks[:MAX_LISTED]

    def load(self, session_id: str) -> SessionState:
        return self.store().load(session_id)


def _row(state: SessionState, catalog: Catalog | None) -> SavedWalk:
    tree = catalog.trees.get(state.tree_id) if catalog is not None else None
    where = tree.label(state.current) if tree is not None else state.current
    return SavedWalk(
        session_id=state.id,
        tree_id=state.tree_id,
        title=state.tree_title,
        where=where,
        finished=state.status != "active",
        outcome=state.outcome,
        updated=state.entered_at,
    )
