"""The tree model: what a support lead puts in ``kb/trees/<id>.yaml``.

A tree is a mapping of named nodes; each node says what kind it is and where the
walk goes next. Values the walk learns are named: an ``ask`` or ``input`` node
stores the agent's answer under the node's id, a ``lookup`` stores the API's reply
under ``save_as``, and the edge taken after a failed call sets ``error``. Conditions
and templates read those names (``user.mfa.state``, ``{email}``)::

    id: account-locked
    title: The account is locked after wrong passwords
    symptoms: ["Account temporarily locked", "too many attempts"]
    version_note: "2025-09: unlock through the access API"
    start: email
    nodes:
      email: {kind: input, type: email, prompt: "The user's sign-in email?", next: find}
      find: {kind: lookup, operation: find_user_by_email, params: {email: "{email}"},
             save_as: user, next: locked, on_error: not_found}
      locked:
        kind: branch
        when: [{if: "user.locked_until != null", then: gate}]
        else: not_locked
      ...

The model checks shapes only; ``diagnostics.validate`` proves the graph (targets,
reachability, data flow, verify gates) and reports each problem at its line.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from helpdesk.content.models import KbModel, Markdown, Slug, Text

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase

NODE_KINDS = ("ask", "input", "lookup", "branch", "action", "verify", "resolved", "escalate")
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=60)]
"""A node id or a variable name: lowercase letters, digits and underscores."""

Outcome = Literal["resolved", "workaround", "escalated", "not_our_problem"]
OUTCOMES: tuple[str, ...] = ("resolved", "workaround", "escalated", "not_our_problem")
"""The outcome tags an end node may carry."""
WALK_OUTCOMES: tuple[str, ...] = (*OUTCOMES, "declined")
"""How a walk can end: an end node's tag, or ``declined`` when the agent declined a fix
on the way (whatever a non-escalating end node says)."""
InputType = Literal["email", "version", "device_name", "ticket", "text", "integer"]
ParamValue = str | int | bool
"""A request parameter: a literal, or text with ``{name.path}`` references."""


class _Node(KbModel):
    title: Text | None = None
    """A short label for breadcrumbs and reports; defaults to the node id."""


class Choice(KbModel):
    value: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=60)]
    """What the answer is stored as (conditions compare with it), e.g. ``windows`` or ``60``."""
    label: Text
    """What the agent sees."""
    next: Name
    """The node the walk goes to when this choice is picked."""


class AskNode(_Node):
    """A question with fixed choices."""

    kind: Literal["ask"]
    prompt: Markdown
    """The question, as the agent would ask it (templates allowed)."""
    help: Markdown | None = None
    """Where to find the answer (a menu, a screen), shown under the question."""
    choices: list[Choice] = Field(min_length=2)
    """The possible answers, each leading to a node."""


class InputNode(_Node):
    """A typed value the agent types in; validated before the walk goes on."""

    kind: Literal["input"]
    prompt: Markdown
    """What to ask for (templates allowed)."""
    help: Markdown | None = None
    """Where to find the value."""
    type: InputType
    """email, version (dotted numbers), device_name, ticket, text or integer."""
    minimum: int | None = None
    """For integer inputs: the smallest value accepted."""
    maximum: int | None = None
    """For integer inputs: the largest value accepted."""
    prefill: Literal["caller_email"] | None = None
    """For email inputs that ask for the caller's own address: start with the call's
    caller (shown and editable). Ticket inputs always start with the call's ticket."""
    next: Name
    """The node after the value is accepted."""


class LookupNode(_Node):
    """A read through the access API; the reply becomes a fact named ``save_as``."""

    kind: Literal["lookup"]
    operation: Name
    """A read operation of the access API, e.g. ``find_user_by_email``."""
    params: dict[Name, ParamValue] = Field(default_factory=dict)
    """Parameters, templated from answers and facts: ``{email}``, ``{user.id}``."""
    save_as: Name
    """The fact name the reply is stored under."""
    next: Name
    """The node after a successful read."""
    on_error: Name | None = None
    """Where to go when the API refuses the read (sets ``error``); without it the walk ends."""


class Rule(KbModel):
    condition: str = Field(alias="if", min_length=1)
    """A condition, e.g. ``client == 'windows' and version >= v'20.0'``."""
    then: Name
    """The node when the condition holds."""


class BranchNode(_Node):
    """Ordered conditions; the first that holds wins, else ``else``."""

    kind: Literal["branch"]
    when: list[Rule] = Field(min_length=1)
    """The conditions, tried in order."""
    otherwise: Name | None = Field(default=None, alias="else")
    """The node when no condition holds (required; the checker says so)."""


class ActionNode(_Node):
    """A write through the access API; shown as a plan from a dry run, then confirmed."""

    kind: Literal["action"]
    operation: Name
    """A write operation of the access API, e.g. ``suspend_mfa``."""
    prompt: Markdown
    """What the agent is about to do, in words (the API's own summary is shown too)."""
    params: dict[Name, ParamValue] = Field(default_factory=dict)
    """Parameters, templated from answers and facts."""
    save_as: Name | None = None
    """Fact name for the result (secrets such as a PIN are never stored)."""
    next: Name
    """The node after the change is applied."""
    on_decline: Name
    """The node when the agent declines the change."""
    on_error: Name | None = None
    """The node when the API refuses the change (sets ``error``; required by the checker)."""


class VerifyNode(_Node):
    """An identity or policy gate: the agent confirms it before any action below it."""

    kind: Literal["verify"]
    prompt: Markdown
    """The statement to confirm, e.g. "The request came from the user's own email"."""
    help: Markdown | None = None
    """How to check it."""
    next: Name
    """The node once the agent confirms."""
    on_refuse: Name
    """The node when the gate is not met."""


class ResolvedNode(_Node):
    """An end: the problem is solved, worked around, or not ours."""

    kind: Literal["resolved"]
    outcome: Literal["resolved", "workaround", "not_our_problem"]
    """The outcome tag counted in reports."""
    text: Markdown
    """What to tell the caller (templates allowed)."""
    articles: list[Slug] = Field(default_factory=list)
    """Ids of KB articles to send or link in the ticket."""


class EscalateNode(_Node):
    """An end: hand the ticket to another team."""

    kind: Literal["escalate"]
    outcome: Literal["escalated"] = "escalated"
    """Always ``escalated``."""
    to: Text = "tier 2"
    """Who takes over."""
    text: Markdown
    """Why, in one or two sentences (templates allowed)."""
    handover: list[Text] = Field(min_length=1)
    """What to hand over (templates allowed), one item per line."""
    articles: list[Slug] = Field(default_factory=list)
    """Ids of KB articles relevant to the escalation."""


Node = Annotated[
    AskNode
    | InputNode
    | LookupNode
    | BranchNode
    | ActionNode
    | VerifyNode
    | ResolvedNode
    | EscalateNode,
    Field(discriminator="kind"),
]
EndNode = ResolvedNode | EscalateNode
QUESTION_KINDS = ("ask", "input", "verify")


class Tree(KbModel):
    """One diagnostic tree (``kb/trees/<id>.yaml``)."""

    id: Slug
    """Identifier; equal to the file name without ``.yaml``."""
    title: Text
    """The symptom as a caller would put it."""
    symptoms: list[Text] = Field(min_length=1)
    """Phrases callers use; searched when an agent looks for a tree."""
    version_note: Text
    """What changed in the last revision and when (the content hash is the exact version)."""
    start: Name
    """The first node."""
    nodes: dict[Name, Node] = Field(min_length=1)
    """Every node by id."""

    def digest(self) -> str:
        """The tree's exact version: a hash of its content, independent of formatting."""
        data = self.model_dump(mode="json", by_alias=True)
        raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def label(self, node_id: str) -> str:
        """A node's breadcrumb label."""
        node = self.nodes.get(node_id)
        return (node.title if node is not None and node.title else None) or node_id


def successors(node: object) -> list[tuple[str, str]]:
    """Every ``(edge, target)`` leaving a node; the edge names the key that holds it."""
    out: list[tuple[str, str]] = []
    if isinstance(node, AskNode):
        out += [(f"choices.{i}.next", c.next) for i, c in enumerate(node.choices)]
    elif isinstance(node, BranchNode):
        out += [(f"when.{i}.then", r.then) for i, r in enumerate(node.when)]
        if node.otherwise is not None:
            out.append(("else", node.otherwise))
    elif isinstance(node, InputNode | LookupNode | ActionNode | VerifyNode):
        out.append(("next", node.next))
    for attr in ("on_error", "on_decline", "on_refuse"):
        target = getattr(node, attr, None)
        if target is not None:
            out.append((attr, target))
    return out


def trees_of(kb: KnowledgeBase) -> dict[str, Tree]:
    """The diagnostic trees a knowledge base loaded (its ``trees`` section) by id, each
    proven by the tree checker."""
    trees: dict[str, Tree] = kb.section("trees")
    return trees
