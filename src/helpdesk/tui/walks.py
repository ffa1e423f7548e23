"""Saved walks as the start screen lists them (over the engine's ``SessionStore``).

The engine owns the files (``<folder>/<id>.json``); this module only reads them into
short rows: ticket, caller, tree, the title of the node it stopped at (never a raw
id) and how long ago. Demo walks and real-server walks live in different folders, so
one never shows up among the other's. The import of the engine's state module
(pydantic) is deferred so the start screen draws first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.times import ago

if TYPE_CHECKING:
    from helpdesk.diagnostics.state import SessionState, SessionStore
    from helpdesk.tui.catalog import Catalog
    from helpdesk.tui.connection import Connection

MAX_LISTED = 12


def walks_folder(data_dir: Path, connection: Connection) -> Path:
    """Where this connection's walks are saved: ``sessions`` for the embedded demo,
    ``sessions-servers/<host>-<hash>`` for each real server."""
    if connection.api_url is None:
        return data_dir / "sessions"
    digest = hashlib.sha256(connection.api_url.encode()).hexdigest()[:8]
    host = "".join(c if c.isalnum() else "-" for c in connection.label)[:40].strip("-")
    return data_dir / "sessions-servers" / f"{host}-{digest}"


@dataclass(frozen=True)
class SavedWalk:
    """One saved walk.

    Attributes:
        session_id: the engine's session id (resume with it).
        tree_id / title: the tree walked.
        where: the title of the node it stopped at.
        finished: True once it reached an end node (or failed).
        outcome: the end's outcome tag, if finished.
        updated: ISO time the current node was entered.
        ticket / caller: from the call the walk was started in (or its ticket answer).
    """

    session_id: str
    tree_id: str
    title: str
    where: str
    finished: bool
    outcome: str | None
    updated: str
    ticket: str = ""
    caller: str = ""

    @property
    def updated_label(self) -> str:
        try:
            return datetime.fromisoformat(self.updated).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return self.updated[:16]

    def age(self, now: datetime) -> str:
        """``12 min ago``, from the time the walk last moved."""
        try:
            return ago(datetime.fromisoformat(self.updated), now)
        except ValueError:
            return self.updated[:16]

    @property
    def summary(self) -> str:
        parts = [p for p in (self.ticket, self.caller, f"at {self.where}") if p]
        return " · ".join(parts)

    def matches(self, text: str) -> bool:
        """Whether every word of ``text`` is in the ticket, caller, tree or node title."""
        haystack = " ".join((self.ticket, self.caller, self.title, self.where)).casefold()
        return all(word in haystack for word in text.casefold().split())


class WalkStore:
    """Lists the saved walks in ``folder`` (the engine's state folder)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def store(self) -> SessionStore:
        from helpdesk.diagnostics.state import SessionStore

        return SessionStore(self.folder)

    def list(self, catalog: Catalog | None, *, limit: int = MAX_LISTED) -> list[SavedWalk]:
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
        return walks[:limit]

    def load(self, session_id: str) -> SessionState:
        return self.store().load(session_id)


def _row(state: SessionState, catalog: Catalog | None) -> SavedWalk:
    tree = catalog.trees.get(state.tree_id) if catalog is not None else None
    where = tree.label(state.current) if tree is not None else state.current
    answers = state.answers()
    ticket = state.context.get("ticket") or str(answers.get("ticket") or "")
    caller = state.context.get("caller_name") or state.context.get("caller") or ""
    if not caller:
        caller = str(answers.get("email") or answers.get("requester_email") or "")
    return SavedWalk(
        session_id=state.id,
        tree_id=state.tree_id,
        title=state.tree_title,
        where=where,
        finished=state.status != "active" or state.closed,
        outcome=state.outcome,
        updated=state.entered_at,
        ticket=ticket,
        caller=caller,
    )
