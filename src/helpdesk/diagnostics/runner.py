"""The headless runner: walk a tree from recorded answers, without a person.

Used by ``helpdesk diagnose``, by CI to simulate every path of every tree, and by
agents for scripted checks. The answers file maps node ids to what the agent would
do there::

    answers:
      ticket: HD-1042
      email: giulia.admin@hotel-aurora.example
      client: windows            # an ask node: the choice's value
      request_from_user: true    # a verify node: true (confirm) or false (refuse)
      suspend: confirm           # an action: confirm (needs --yes) or decline

Without ``yes`` the runner stops in front of the first action it would confirm
(the plan is on screen and the session is saved, so a later run with ``yes`` and the
same session id carries on from there).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpdesk.content.problems import ProblemList
from helpdesk.content.yaml import YamlProblem, parse_yaml
from helpdesk.diagnostics.engine import Session
from helpdesk.diagnostics.model import Tree
from helpdesk.diagnostics.operations import Registry
from helpdesk.diagnostics.walk import Clock
from helpdesk.errors import DiagnosticError

# How often one question may come up in a headless walk before it counts as a loop.
MAX_VISITS = 3
_TRUE = {"true", "yes", "confirm", "confirmed", "y"}
_FALSE = {"false", "no", "refuse", "refused", "decline", "declined", "n"}


@dataclass
class RunResult:
    """How a headless walk ended: ``finished``, ``failed`` or ``stopped`` (at a plan)."""

    session: Session
    state: str
    secrets: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) pairs shown once; the runner's caller prints them, nobody stores them."""


def read_answers(path: Path) -> dict[str, Any]:
    """Read a YAML/JSON answers file: ``{answers: {...}}`` or a flat mapping.

    Raises:
        DiagnosticError: the file cannot be read or is not a mapping.
    """
    try:
        doc = parse_yaml(path)
    except YamlProblem as exc:
        where = ProblemList(path.parent).path(path)
        raise DiagnosticError(f"{where}:{exc.line}:{exc.column}: {exc.message}") from None
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]
    if not isinstance(data, dict):
        raise DiagnosticError(f"{path}: the answers file must hold a mapping of node ids")
    return {str(k): v for k, v in data.items()}


def _flag(value: Any, node_id: str) -> bool:
    text = str(value).strip().lower()
    if value is True or text in _TRUE:
        return True
    if value is False or text in _FALSE:
        return False
    raise DiagnosticError(f"answer for '{node_id}' must be true/confirm or false/decline")


async def run_headless(
    tree: Tree,
    client: Any,
    answers: Mapping[str, Any],
    *,
    yes: bool = False,
    state_dir: Path | str | None = None,
    session_id: str | None = None,
    operations: Registry | None = None,
    clock: Clock | None = None,
    on_plan: Callable[[Session], None] | None = None,
) -> RunResult:
    """Walk ``tree`` with ``answers`` until it ends, fails, or reaches an unconfirmed action.

    Raises:
        DiagnosticError: an answer is missing or does not fit its node.
        AccessError: the access API could not be reached.
    """
    if session_id is None:
        session = await Session.start(
            tree, client, state_dir=state_dir, operations=operations, clock=clock
        )
    else:
        session = await Session.resume(
            session_id, tree, client, state_dir=state_dir, operations=operations, clock=clock
        )
    shown: list[tuple[str, str]] = []
    asked: Counter[str] = Counter()
    while not session.finished:
        view = session.current
        if view.kind in ("lookup", "branch"):
            await session.run()
            continue
        asked[view.id] += 1
        if asked[view.id] > MAX_VISITS:
            # Recorded answers never change, so a tree that comes back to a question
            # (such as "type the email again") would be answered the same way for ever.
            raise DiagnosticError(
                f"the recorded answers go round in a loop: node '{view.id}' came up "
                f"{MAX_VISITS + 1} times; change the answer that leads back to it. "
                f"Session {session.id} is saved"
            )
        if view.kind == "action" and view.id not in answers and not yes:
            # The plan is what a run without --yes stops at, recorded answer or not.
            if on_plan is not None:
                on_plan(session)
            return RunResult(session, "stopped", shown)
        if view.id not in answers and view.kind == "action":
            answers = {**answers, view.id: "confirm"}  # --yes confirms every planned change
        if view.id not in answers:
            # Say what the answers file could hold, so adding the line is the whole fix.
            if view.kind == "ask":
                expected = "one of " + ", ".join(c.value for c in view.choices)
            elif view.kind == "input":
                expected = "the value to type"
            else:
                expected = "true or false" if view.kind == "verify" else "confirm or decline"
            raise DiagnosticError(
                f"no recorded answer for node '{view.id}' ({view.kind}: {view.prompt}); "
                f"add '{view.id}: …' ({expected}) to the answers file. "
                f"Session {session.id} is saved and can be resumed"
            )
        value = answers[view.id]
        if view.kind == "ask":
            await session.answer(str(value))
        elif view.kind == "input":
            await session.provide(value)
        elif view.kind == "verify":
            await (session.confirm() if _flag(value, view.id) else session.decline())
        elif view.kind == "action":
            if not _flag(value, view.id):
                await session.decline()
                continue
            if on_plan is not None:
                on_plan(session)
            if not yes:
                return RunResult(session, "stopped", shown)
            outcome = await session.confirm()
            if outcome is not None:
                shown += [(f"{view.id}: {k}", v) for k, v in outcome.secrets.items()]
    # Nobody steps back from a headless end: seal the transcript at once.
    session.close()
    return RunResult(session, session.status, shown)
