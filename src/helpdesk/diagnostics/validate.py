"""The tree checker: a tree is proven walkable before any agent may use it.

Run by ``helpdesk lint`` through the one loader. Every problem is reported at the
line of the offending key or value:

* every target exists, every node is reachable from ``start``;
* every reachable node has a path to an end (no cycle without an exit);
* every branch has an ``else``; every condition and template parses;
* every lookup names a known *read* operation, every action a known *write*
  operation, with the operation's required parameters and no unknown ones;
  every action has an ``on_error``;
* every article an end node links exists;
* every answer or fact is set on **every** path before it is read (a must-be-set
  data-flow pass over the graph), and names a field the reply really has;
* every action (a change to someone's access) sits below a ``verify`` gate on
  every path from ``start``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from helpdesk.content.yaml import Loc
from helpdesk.diagnostics.conditions import ConditionError, Ref, parse_condition, references
from helpdesk.diagnostics.model import (
    ActionNode,
    AskNode,
    BranchNode,
    EscalateNode,
    InputNode,
    LookupNode,
    ResolvedNode,
    Tree,
    VerifyNode,
    successors,
)
from helpdesk.diagnostics.operations import (
    ERROR_FIELDS,
    Registry,
    path_problem,
    result_model,
)
from helpdesk.diagnostics.templates import template_refs

Report = Callable[[Loc, str], None]
"""Where the checker sends a problem: ``report(loc, message)``."""

_GATE = "@verified"  # a pseudo-variable set by passing a verify node


def _loc(node_id: str, edge: str) -> Loc:
    return ("nodes", node_id, *(int(p) if p.isdigit() else p for p in edge.split(".")))


def check_tree(
    tree: Tree, report: Report, *, articles: Iterable[str], operations: Registry
) -> None:
    """Check one tree; call ``report(loc, message)`` for each problem found."""
    article_ids = set(articles)
    if tree.start not in tree.nodes:
        report(("start",), f"start node '{tree.start}' does not exist")
        return
    for node_id, node in tree.nodes.items():
        for edge, target in successors(node):
            if target not in tree.nodes:
                report(_loc(node_id, edge), f"'{target}' is not a node of this tree")
        if isinstance(node, BranchNode) and node.otherwise is None:
            report(
                ("nodes", node_id, "kind"),
                f"branch '{node_id}' has no 'else'; add else: <node> for when no condition holds",
            )
        if isinstance(node, AskNode):
            values = [c.value for c in node.choices]
            for index, value in enumerate(values):
                if value in values[:index]:
                    report(_loc(node_id, f"choices.{index}.value"), f"choice '{value}' repeats")
        bounds = (getattr(node, "minimum", None), getattr(node, "maximum", None))
        if isinstance(node, InputNode) and node.type != "integer" and bounds != (None, None):
            report(_loc(node_id, "type"), "minimum/maximum apply to integer inputs only")
        if isinstance(node, LookupNode | ActionNode):
            _check_operation(node_id, node, report, operations)
        if isinstance(node, ResolvedNode | EscalateNode):
            for index, article in enumerate(node.articles):
                if article not in article_ids:
                    report(
                        _loc(node_id, f"articles.{index}"), f"article '{article}' does not exist"
                    )

    reachable = _reachable(tree)
    for node_id in tree.nodes:
        if node_id not in reachable:
            report(("nodes", node_id), f"node '{node_id}' cannot be reached from '{tree.start}'")
    ending = _can_end(tree)
    for node_id in sorted(reachable - ending, key=list(tree.nodes).index):
        report(
            ("nodes", node_id),
            f"no path from '{node_id}' reaches an end node (a loop without an exit?)",
        )
    _check_data_flow(tree, reachable, report, operations)


def _check_operation(
    node_id: str, node: LookupNode | ActionNode, report: Report, operations: Registry
) -> None:
    want = "read" if isinstance(node, LookupNode) else "write"
    op = operations.get(node.operation)
    if op is None:
        known = ", ".join(sorted(n for n, o in operations.items() if o.kind == want))
        report(
            _loc(node_id, "operation"),
            f"unknown operation '{node.operation}' (known {want} operations: {known})",
        )
        return
    if op.kind != want:
        role = "a lookup only reads" if want == "read" else "an action must change something"
        report(
            _loc(node_id, "operation"),
            f"'{node.operation}' is a {op.kind} operation; {role}; use a "
            f"{'lookup' if op.kind == 'read' else 'action'} node",
        )
    for name in op.required:
        if name not in node.params:
            report(_loc(node_id, "params"), f"'{node.operation}' needs parameter '{name}'")
    known_params = {**op.required, **op.optional}
    for name, value in node.params.items():
        if name not in known_params:
            report(
                _loc(node_id, f"params.{name}"),
                f"'{node.operation}' has no parameter '{name}' "
                f"(it takes: {', '.join(known_params) or 'none'})",
            )
        elif not isinstance(value, str) and not _fits(value, known_params[name]):
            report(
                _loc(node_id, f"params.{name}"),
                f"parameter '{name}' must be {known_params[name].__name__}",
            )
    if isinstance(node, ActionNode) and node.on_error is None:
        report(
            ("nodes", node_id, "kind"),
            f"action '{node_id}' has no 'on_error'; say where the walk goes if the API refuses",
        )


def _fits(value: object, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _reachable(tree: Tree) -> set[str]:
    seen = {tree.start}
    queue = deque([tree.start])
    while queue:
        for _, target in successors(tree.nodes[queue.popleft()]):
            if target in tree.nodes and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _can_end(tree: Tree) -> set[str]:
    done = {n for n, node in tree.nodes.items() if isinstance(node, ResolvedNode | EscalateNode)}
    changed = True
    while changed:
        changed = False
        for node_id, node in tree.nodes.items():
            if node_id not in done and any(t in done for _, t in successors(node)):
                done.add(node_id)
                changed = True
    return done


def _sets(tree: Tree, node_id: str, edge: str) -> set[str]:
    """The names a node sets on one of its outgoing edges."""
    node = tree.nodes[node_id]
    if edge == "on_error":
        return {"error"}
    if isinstance(node, AskNode):
        return {node_id, f"{node_id}_label"}
    if isinstance(node, InputNode):
        return {node_id}
    if isinstance(node, LookupNode) and edge == "next":
        return {node.save_as}
    if isinstance(node, ActionNode) and edge == "next" and node.save_as:
        return {node.save_as}
    if isinstance(node, VerifyNode) and edge == "next":
        return {_GATE}
    return set()


def _definitely_set(tree: Tree, reachable: set[str]) -> dict[str, set[str]]:
    """For each node, the names set on every path from ``start`` to it (a must analysis)."""
    every: set[str] = {_GATE, "error"}
    for node_id, node in tree.nodes.items():
        for edge, _ in successors(node):
            every |= _sets(tree, node_id, edge)
    state: dict[str, set[str]] = {n: set(every) for n in reachable}
    state[tree.start] = set()
    changed = True
    while changed:
        changed = False
        for node_id in reachable:
            incoming: set[str] | None = None
            for source in reachable:
                for edge, target in successors(tree.nodes[source]):
                    if target == node_id:
                        out = state[source] | _sets(tree, source, edge)
                        incoming = out if incoming is None else incoming & out
            new = set() if node_id == tree.start else (incoming or set())
            if new != state[node_id]:
                state[node_id] = new
                changed = True
    return state


def _producers(tree: Tree) -> dict[str, list[Any]]:
    """What type each name holds: a reply model, a plain value, or the error fact."""
    types: dict[str, list[Any]] = {"error": ["error"]}
    for node_id, node in tree.nodes.items():
        if isinstance(node, AskNode | InputNode):
            types.setdefault(node_id, []).append("value")
        if isinstance(node, AskNode):
            types.setdefault(f"{node_id}_label", []).append("value")
        elif isinstance(node, LookupNode | ActionNode) and node.save_as:
            types.setdefault(node.save_as, []).append(result_model(node.operation) or "any")
    return types


def _texts(node_id: str, node: Any) -> list[tuple[Loc, str]]:
    """Every templated string of a node, with its location."""
    out: list[tuple[Loc, str]] = []
    for attr in ("prompt", "help", "text"):
        value = getattr(node, attr, None)
        if isinstance(value, str):
            out.append((("nodes", node_id, attr), value))
    for index, item in enumerate(getattr(node, "handover", [])):
        out.append((("nodes", node_id, "handover", index), item))
    for name, value in getattr(node, "params", {}).items():
        if isinstance(value, str):
            out.append((("nodes", node_id, "params", name), value))
    return out


def _check_data_flow(tree: Tree, reachable: set[str], report: Report, operations: Registry) -> None:
    state = _definitely_set(tree, reachable)
    producers = _producers(tree)
    for node_id, node in tree.nodes.items():
        if node_id not in reachable:
            continue
        reads: list[tuple[Loc, Ref, str]] = []
        for loc, text in _texts(node_id, node):
            try:
                reads += [(loc, ref, "template") for ref in template_refs(text)]
            except ConditionError as exc:
                report(loc, f"template: {exc.message} (at character {exc.offset + 1})")
        if isinstance(node, BranchNode):
            for index, rule in enumerate(node.when):
                loc = ("nodes", node_id, "when", index, "if")
                try:
                    expr = parse_condition(rule.condition)
                except ConditionError as exc:
                    report(loc, f"condition: {exc.message} (at character {exc.offset + 1})")
                    continue
                reads += [(loc, ref, "condition") for ref in references(expr)]
        for loc, ref, _what in reads:
            _check_read(node_id, loc, ref, state[node_id], producers, report)
        op = operations.get(getattr(node, "operation", ""))
        if isinstance(node, ActionNode) and op is not None and _GATE not in state[node_id]:
            route = " → ".join(_unguarded_path(tree, node_id))
            report(
                ("nodes", node_id),
                f"action '{node_id}' changes access but is not below a verify gate on every "
                f"path (e.g. {route}); add a verify node before it",
            )


def _check_read(
    node_id: str,
    loc: Loc,
    ref: Ref,
    available: set[str],
    producers: dict[str, list[Any]],
    report: Report,
) -> None:
    root = ref.path[0]
    if root not in producers:
        report(loc, f"'{root}' is never set in this tree (no answer, input or fact has that name)")
        return
    if root not in available:
        report(
            loc,
            f"'{ref.dotted}' is read in '{node_id}' but '{root}' is not set on every path "
            "that leads here",
        )
        return
    rest = ref.path[1:]
    kinds = producers[root]
    if not rest:
        return
    problems: list[str] = []
    for kind in kinds:
        if kind == "any":
            return
        if kind == "value":
            problems.append(f"'{root}' is an answer and has no field '{rest[0]}'")
        elif kind == "error":
            if rest[0] in ERROR_FIELDS and len(rest) == 1:
                return
            problems.append(f"'error' has the fields {', '.join(ERROR_FIELDS)}")
        else:
            problem = path_problem(kind, rest)
            if problem is None:
                return
            problems.append(f"{root}: {problem}")
    if problems:
        report(loc, problems[0])


def _unguarded_path(tree: Tree, target: str) -> list[str]:
    """A route from ``start`` to ``target`` that passes no verify node (for the message)."""
    parent: dict[str, str | None] = {tree.start: None}
    queue = deque([tree.start])
    while queue:
        current = queue.popleft()
        if current == target:
            break
        if isinstance(tree.nodes[current], VerifyNode):
            continue
        for _, nxt in successors(tree.nodes[current]):
            if nxt in tree.nodes and nxt not in parent:
                parent[nxt] = current
                queue.append(nxt)
    route: list[str] = []
    step: str | None = target if target in parent else None
    while step is not None:
        route.append(step)
        step = parent[step]
    return list(reversed(route)) or [target]
