"""The walk's internal steps, under the public ``Session`` API of ``engine.py``.

Each method moves the saved state by one step: a lookup's fact, a branch's choice,
a plan from a dry run, an API refusal routed to ``on_error``, the end. They never
save; the public calls in ``engine.py`` save after every step they take.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from helpdesk.diagnostics.conditions import ConditionError, evaluate, parse_condition
from helpdesk.diagnostics.model import (
    ActionNode,
    AskNode,
    BranchNode,
    EscalateNode,
    LookupNode,
    ResolvedNode,
    Tree,
)
from helpdesk.diagnostics.operations import OperationSpec, Registry, default_operations
from helpdesk.diagnostics.state import Fact, Plan, SessionState, SessionStore, Step, redact
from helpdesk.diagnostics.templates import render, render_param
from helpdesk.diagnostics.transcript import chain
from helpdesk.diagnostics.views import NodeView, node_view
from helpdesk.errors import (
    APIStatusError,
    DiagnosticError,
    Forbidden,
    RateLimited,
    Unauthorized,
    Unavailable,
)

SERVICE_ERRORS = (Unauthorized, Forbidden, RateLimited, Unavailable)
"""Refusals about the agent's token or the service, not about the customer's account.

They never follow a tree's ``on_error`` edge: the session stays where it was, like after
a dropped connection, so the agent can fix the token, wait or retry the very same step
(with the same idempotency key for a write).
"""

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Walk(ABC):
    """State, tree and client of one walk, and the steps that move it."""

    def __init__(
        self,
        tree: Tree,
        client: Any,
        state: SessionState,
        *,
        store: SessionStore,
        operations: Registry | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.tree = tree
        self.client = client
        self.state = state
        self.store = store
        self.operations = operations if operations is not None else default_operations()
        self.clock = clock or utc_now
        self.zone: tzinfo = UTC
        """The hotel's time zone: the texts shown give times in it, with how far away
        they are. Set by whoever knows the workspace; records keep UTC."""
        self._secrets: dict[str, str] = {}

    @property
    def current(self) -> NodeView:
        return node_view(
            self.tree,
            self.state.current,
            self.env(),
            self.state.plan,
            zone=self.zone,
            now=self.clock(),
        )

    def env(self) -> dict[str, Any]:
        """Answers and fact values by name, as conditions and templates see them.

        An ``ask`` answer is also there as ``<node>_label``, the words of the choice
        picked, so texts read "the Windows client" rather than the stored value.
        """
        values: dict[str, Any] = dict(self.state.answers())
        for step in self.state.steps:
            node = self.tree.nodes.get(step.node)
            if isinstance(node, AskNode) and step.answer is not None:
                label = next((c.label for c in node.choices if c.value == step.answer), None)
                values[f"{step.node}_label"] = label if label is not None else str(step.answer)
        values.update({name: fact.value for name, fact in self.state.facts().items()})
        return values

    @property
    def id(self) -> str:
        return self.state.id

    @abstractmethod
    async def run(self) -> NodeView:
        """Run automatic steps up to the next stop (``Session.run``)."""

    def _now(self) -> str:
        return self.clock().isoformat()

    def _seconds(self) -> float:
        entered = datetime.fromisoformat(self.state.entered_at)
        return round(max((self.clock() - entered).total_seconds(), 0.0), 3)

    def _record(self, type: str, **fields: Any) -> None:
        chain(self.state.records, type, self._now(), **fields)

    def _save(self) -> None:
        self.store.save(self.state)

    def _require_active(self, call: str) -> None:
        if self.state.status != "active":
            raise RuntimeError(
                f"session {self.id} is {self.state.status}; {call}() needs an active walk"
            )

    def _expect(self, kinds: type | tuple[type, ...], call: str) -> Any:
        self._require_active(call)
        node = self.tree.nodes[self.state.current]
        if not isinstance(node, kinds):
            raise RuntimeError(
                f"{call}() does not apply to the current node '{self.state.current}' ({node.kind})"
            )
        return node

    def _enter(self, node_id: str) -> None:
        self.state.current = node_id
        self.state.entered_at = self._now()
        self.state.plan = None

    def _close(self, *, answer: Any = None, facts: dict[str, Fact] | None = None) -> None:
        node = self.tree.nodes[self.state.current]
        self.state.steps.append(
            Step(
                node=self.state.current,
                kind=node.kind,
                entered_at=self.state.entered_at,
                left_at=self._now(),
                answer=answer,
                facts=facts or {},
            )
        )

    async def _go(self, target: str) -> NodeView:
        self._enter(target)
        self._save()
        return await self.run()

    def _gate(self, confirmed: bool) -> None:
        self._record(
            "gate",
            node=self.state.current,
            prompt=self.current.prompt,
            confirmed=confirmed,
            seconds=self._seconds(),
        )
        self._close(answer="confirmed" if confirmed else "refused")

    def _operation(self, name: str) -> OperationSpec:
        op = self.operations.get(name)
        if op is None:
            raise DiagnosticError(f"the access API has no operation '{name}'")
        return op

    def _params(self, node: LookupNode | ActionNode, op: OperationSpec) -> dict[str, Any]:
        env = self.env()
        types = {**op.required, **op.optional}
        return {k: _coerce(render_param(v, env), types.get(k)) for k, v in node.params.items()}

    def _fact(self, name: str, value: Any, request: Mapping[str, Any]) -> Fact:
        args = ", ".join(f"{k}={v!r}" for k, v in redact(dict(request["params"])).items())
        return Fact(
            name=name,
            value=value,
            source=f"{request['operation']}({args})",
            node=self.state.current,
            time=self._now(),
        )

    async def _call(
        self,
        node: LookupNode | ActionNode,
        op: OperationSpec,
        params: dict[str, Any],
        **kwargs: Any,
    ) -> Any | None:
        """Call the API for a lookup or a plan; None when the walk went elsewhere.

        A refusal of the call itself follows ``on_error`` (or ends the walk); service
        errors (``SERVICE_ERRORS``) and transport errors propagate and leave it in place.
        """
        try:
            return await op(self.client, params, **kwargs)
        except APIStatusError as exc:
            if isinstance(exc, SERVICE_ERRORS):
                raise
            await self._api_error(node, node.operation, exc, run=False)
        except ValueError as exc:
            self._fail(f"the tree's call to {node.operation} is malformed: {exc}")
        return None

    async def _lookup(self, node: LookupNode) -> None:
        op = self._operation(node.operation)
        params = self._params(node, op)
        request = {"operation": node.operation, "params": params}
        result = await self._call(node, op, params)
        if result is None:
            return
        fact = self._fact(node.save_as, redact(result.model_dump(mode="json")), request)
        self._record(
            "fact",
            node=self.state.current,
            name=node.save_as,
            source=fact.source,
            summary=fact.value,
            seconds=self._seconds(),
        )
        self._close(facts={node.save_as: fact})
        self._enter(node.next)

    def _branch(self, node: BranchNode) -> None:
        env = self.env()
        target, reason = node.otherwise, "no condition held (else)"
        for rule in node.when:
            try:
                held = evaluate(parse_condition(rule.condition), env)
            except ConditionError as exc:
                self._fail(f"condition '{rule.condition}' cannot be evaluated: {exc.message}")
                return
            if held:
                target, reason = rule.then, rule.condition
                break
        if target is None:  # the checker forbids this; a tree built in code may not
            self._fail(f"branch '{self.state.current}' has no else and no condition held")
            return
        self._record("branch", node=self.state.current, reason=reason, target=target)
        self._close(answer=target)
        self._enter(target)

    async def _plan(self, node: ActionNode) -> None:
        op = self._operation(node.operation)
        params = self._params(node, op)
        count = self.state.plans_made.get(self.state.current, 0) + 1
        seed = f"{self.id}/{self.state.current}/{count}"
        key = "hd-" + hashlib.sha256(seed.encode()).hexdigest()[:40]
        result = await self._call(node, op, params, dry_run=True)
        if result is None:
            return
        data = result.model_dump(mode="json")
        self.state.plans_made[self.state.current] = count
        request = {"operation": node.operation, "params": redact(params), "idempotency_key": key}
        self.state.plan = Plan(
            node=self.state.current,
            operation=node.operation,
            prompt=render(node.prompt, self.env()),
            summary=str(data.get("summary") or op.summary),
            subject=str(data.get("subject") or ""),
            before=redact(data.get("before")),
            after=redact(data.get("after")),
            request=request,
            idempotency_key=key,
        )
        self._record(
            "plan",
            node=self.state.current,
            summary=self.state.plan.summary,
            request=request,
            before=self.state.plan.before,
            after=self.state.plan.after,
        )

    async def _api_error(
        self,
        node: LookupNode | ActionNode,
        operation: str,
        exc: APIStatusError,
        *,
        run: bool = True,
    ) -> None:
        value = {
            "status": exc.status,
            "type": exc.type,
            "title": exc.title,
            "detail": exc.detail or str(exc),
            "field": exc.field,
            "message": str(exc),
        }
        self._record(
            "api_error",
            node=self.state.current,
            operation=operation,
            status=exc.status,
            detail=value["detail"],
        )
        if node.on_error is None:
            self._fail(f"the access API refused {operation}: {exc}")
            return
        request = {"operation": operation, "params": {}}
        self._close(answer="error", facts={"error": self._fact("error", value, request)})
        self._enter(node.on_error)
        if run:
            self._save()
            await self.run()

    def _fail(self, message: str) -> None:
        self._close(answer="failed")
        self.state.status = "failed"
        self.state.message = message
        self._record("failed", node=self.state.current, message=message)

    def _finish(self, node: ResolvedNode | EscalateNode) -> None:
        view = self.current
        outcome: str = node.outcome
        # A fix the agent declined on the way here is what happened, whatever the end
        # node says (it may tell the caller how to do it themselves): never "resolved".
        declined = any(s.kind == "action" and s.answer == "declined" for s in self.state.steps)
        if declined and outcome != "escalated":
            outcome = "declined"
        self._record(
            "end",
            node=self.state.current,
            outcome=outcome,
            node_outcome=node.outcome,
            text=view.text,
            articles=list(view.articles),
            to=view.to,
            handover=list(view.handover),
            applied=[f"{a['summary']} (audit #{a['audit_id']})" for a in self.state.applied],
        )
        self._close()
        self.state.status = "finished"
        self.state.outcome = outcome


def _coerce(value: Any, expected: type | None) -> Any:
    """Answers are text; turn ``"60"`` into 60 and ``"true"`` into True where the API wants it."""
    if isinstance(value, str):
        if expected is int and value.strip().lstrip("-").isdigit():
            return int(value)
        if expected is bool and value.strip().lower() in ("true", "false", "yes", "no"):
            return value.strip().lower() in ("true", "yes")
    return value
