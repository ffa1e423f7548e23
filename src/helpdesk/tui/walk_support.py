"""Pure helpers of the walk screen: a stalled step, crumbs, the linked article, who a
plan touches, and notices for API refusals the engine routed through a tree's
``on_error`` edge.

Kept apart from the screen so they are plain functions over engine objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from helpdesk.tui.advice import advise

if TYPE_CHECKING:
    from helpdesk.diagnostics.engine import Session
    from helpdesk.diagnostics.model import Tree
    from helpdesk.diagnostics.state import Fact
    from helpdesk.diagnostics.views import NodeView
    from helpdesk.tui.catalog import Catalog

Severity = Literal["information", "warning", "error"]
_SHOWN_KINDS = ("ask", "input", "verify", "action", "lookup")


def stalled(view: NodeView) -> bool:
    """Whether the engine stands on a step it runs by itself (a lookup, a branch, an
    action not planned yet): the call it makes there did not get through, and
    ``session.run`` takes it up again."""
    return view.kind in ("lookup", "branch") or (view.kind == "action" and view.plan is None)


def crumbs_of(session: Session) -> tuple[list[tuple[str, str]], str]:
    """``(node_id, label)`` of the steps worth showing, and the current node's label.

    Branch steps are left out (they are the engine's decisions, not the agent's), and
    repeated visits of one node are shown once, at their last place.
    """
    tree = session.tree
    crumbs: list[tuple[str, str]] = []
    for step in session.state.steps:
        if step.kind not in _SHOWN_KINDS:
            continue
        crumbs = [c for c in crumbs if c[0] != step.node]
        crumbs.append((step.node, tree.label(step.node)))
    return crumbs, tree.label(session.state.current)


def linked_article(catalog: Catalog, tree: Tree) -> str | None:
    """The article to preview beside a walk: one that embeds the tree, else its best match."""
    from helpdesk.content.articles import TreeBlock

    for article in catalog.kb.agent_articles():
        if any(isinstance(b, TreeBlock) and b.tree.id == tree.id for b in article.blocks()):
            return article.id
    ends = [getattr(n, "articles", []) for n in tree.nodes.values()]
    for ids in ends:
        for article_id in ids:
            if catalog.article(article_id) is not None:
                return str(article_id)
    hits = [h for h in catalog.search(tree.title, limit=5) if h.kind == "article"]
    return hits[0].id if hits else None


def who_of(subject: str, facts: Iterable[Fact]) -> str:
    """A plan's subject (``user:<id>``, ``device:<id>``) as the agent knows it: a person's
    name and email, a device's name, when a fact has them (lists of results included)."""
    kind, _, ident = subject.partition(":")
    for fact in facts:
        for candidate in _objects(fact.value):
            if candidate.get("id") == ident:
                name = candidate.get("name")
                email = candidate.get("email")
                if name and email:
                    return f"{name} <{email}>"
                if name and kind == "device":
                    return f"device '{name}'"
                if name:
                    return str(name)
    return subject or "—"


def _objects(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [found for item in value for found in _objects(item)]
    if not isinstance(value, dict):
        return []
    found = [value]
    for item in value.values():
        if isinstance(item, dict | list):
            found += _objects(item)
    return found


def api_error_notices(records: Sequence[dict[str, Any]]) -> list[tuple[str, str, Severity]]:
    """A titled notice for each API refusal in ``records`` (the tree handles the rest)."""
    notices: list[tuple[str, str, Severity]] = []
    for record in records:
        if record.get("type") != "api_error":
            continue
        advice = advise(_status_error(int(record.get("status", 0)), str(record.get("detail", ""))))
        severity: Severity = "warning" if advice.severity == "warning" else "error"
        notices.append((advice.title, advice.message, severity))
    return notices


def _status_error(status: int, detail: str) -> Exception:
    # The access client's status -> error table, so advice matches what it raises.
    from helpdesk import errors
    from helpdesk.access.client import STATUS_ERRORS

    if status == 429:
        return errors.RateLimited(detail, retry_after=1.0, status=status, detail=detail)
    cls = errors.Unavailable if status >= 500 else STATUS_ERRORS.get(status, errors.APIStatusError)
    return cls(detail, status=status, detail=detail)
