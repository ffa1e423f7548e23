"""Read-only views of a walk for user interfaces (the terminal app, the headless runner).

A view is a frozen dataclass built from the tree and the session's answers and
facts, with every template already filled in, so a UI only lays it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from helpdesk.diagnostics.inputs import HINTS
from helpdesk.diagnostics.model import (
    ActionNode,
    AskNode,
    EscalateNode,
    InputNode,
    ResolvedNode,
    Tree,
    VerifyNode,
)
from helpdesk.diagnostics.state import Plan
from helpdesk.diagnostics.templates import render


@dataclass(frozen=True)
class ChoiceView:
    value: str
    label: str


@dataclass(frozen=True)
class NodeView:
    """The node the walk stands on.

    ``kind`` says which fields matter and which call moves on:

    =========  ==========================================  ======================
    kind       fields                                      call
    =========  ==========================================  ======================
    ask        prompt, help, choices                       ``answer(value)``
    input      prompt, help, input_type, hint, min/max     ``provide(value)``
    verify     prompt, help                                ``confirm()`` / ``decline()``
    action     prompt, plan (None until the dry run ran)   ``confirm()`` / ``decline()``
    lookup,    nothing to show: the engine is about to     ``run()`` (retry after a
    branch     call the API (or it failed to reach it)     network error)
    resolved,  outcome, text, articles (+ to, handover)    none: the walk is over
    escalate
    =========  ==========================================  ======================
    """

    id: str
    kind: str
    title: str
    prompt: str | None = None
    help: str | None = None
    choices: tuple[ChoiceView, ...] = ()
    input_type: str | None = None
    hint: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    prefill: str | None = None
    plan: Plan | None = None
    outcome: str | None = None
    text: str | None = None
    articles: tuple[str, ...] = ()
    to: str | None = None
    handover: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionOutcome:
    """What ``confirm()`` on an action returns. ``secrets`` is shown once and never stored."""

    applied: bool
    summary: str
    audit_id: int | None = None
    replayed: bool = False
    secrets: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None


def node_view(
    tree: Tree,
    node_id: str,
    env: Mapping[str, Any],
    plan: Plan | None,
    *,
    zone: tzinfo = UTC,
    now: datetime | None = None,
) -> NodeView:
    """A view of ``node_id`` with templates filled from ``env`` (times in ``zone``,
    relative to ``now``, when it is given; see ``templates.render``)."""

    def fill(text: str) -> str:
        return render(text, env, zone=zone, now=now)

    node = tree.nodes[node_id]
    title = tree.label(node_id)
    help_text = getattr(node, "help", None)
    common: dict[str, Any] = {
        "id": node_id,
        "kind": node.kind,
        "title": title,
        "help": fill(help_text) if help_text else None,
    }
    if isinstance(node, AskNode):
        choices = tuple(ChoiceView(c.value, fill(c.label)) for c in node.choices)
        return NodeView(**common, prompt=fill(node.prompt), choices=choices)
    if isinstance(node, InputNode):
        return NodeView(
            **common,
            prompt=fill(node.prompt),
            input_type=node.type,
            hint=HINTS[node.type],
            minimum=node.minimum,
            maximum=node.maximum,
            prefill=node.prefill,
        )
    if isinstance(node, VerifyNode):
        return NodeView(**common, prompt=fill(node.prompt))
    if isinstance(node, ActionNode):
        return NodeView(**common, prompt=fill(node.prompt), plan=plan)
    if isinstance(node, ResolvedNode):
        return NodeView(
            **common,
            outcome=node.outcome,
            text=fill(node.text),
            articles=tuple(node.articles),
        )
    if isinstance(node, EscalateNode):
        return NodeView(
            **common,
            outcome=node.outcome,
            text=fill(node.text),
            articles=tuple(node.articles),
            to=node.to,
            # Read later by another team: absolute UTC times, no "in 55 min" that ages.
            handover=tuple(render(item, env) for item in node.handover),
        )
    return NodeView(**common)
