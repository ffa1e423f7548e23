"""The engine: an async ``Session`` that walks one tree over an access client.

The session stands on one node at a time. It runs lookups and branches by itself,
and stops for the agent at questions (``ask``, ``input``), gates (``verify``), every
``action`` (with a plan from the API's dry run) and the end. Each step is saved
before the call returns, so a walk interrupted anywhere resumes where it stopped.

Writes are applied with an idempotency key derived from the session, the node and
how many times a plan was made for it: a confirm retried after a dropped connection
(or after a crash and resume) replays the stored answer instead of applying twice.

Misuse (answering a finished walk, confirming at a question) raises ``RuntimeError``;
an answer that does not fit raises ``DiagnosticError``; a network failure raises the
client's ``TransportError`` and leaves the session where it was (call ``run()`` or
``confirm()`` again). The API refusing a call follows the node's ``on_error``, or
ends the walk with the API's message.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpdesk.diagnostics.conditions import ConditionError, evaluate, parse_condition
from helpdesk.diagnostics.inputs import check_input
from helpdesk.diagnostics.model import (
    QUESTION_KINDS,
    ActionNode,
    AskNode,
    BranchNode,
    EscalateNode,
    InputNode,
    LookupNode,
    ResolvedNode,
    Tree,
    VerifyNode,
)
from helpdesk.diagnostics.operations import OperationSpec, Registry, default_operations
from helpdesk.diagnostics.state import Fact, Plan, SessionState, SessionStore, Step, redact
from helpdesk.diagnostics.templates import render, render_param
from helpdesk.diagnostics.transcript import chain, render_markdown
from helpdesk.diagnostics.views import ActionOutcome, NodeView, node_view
from helpdesk.errors import APIStatusError, DiagnosticError

Clock = Callable[[], datetime]
SHOWN_ONCE = ("pin", "activation_code")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Session:
    """One walk of one tree. Create with :meth:`start` / :meth:`new`, reopen with :meth:`resume`."""

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
        self.clock = clock or _utc_now
        self._secrets: dict[str, str] = {}

    # ---------------------------------------------------------------- creation

    @classmethod
    def new(
        cls,
        tree: Tree,
        client: Any,
        *,
        state_dir: Path | str | None = None,
        operations: Registry | None = None,
        clock: Clock | None = None,
    ) -> Session:
        """A new walk standing on ``tree.start``, saved, with no call made yet (see ``run``)."""
        now = (clock or _utc_now)()
        session_id = f"{tree.id[:32]}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        state = SessionState(
            id=session_id,
            tree_id=tree.id,
            tree_version=tree.digest(),
            tree_title=tree.title,
            current=tree.start,
            entered_at=now.isoformat(),
        )
        session = cls(
            tree, client, state, store=SessionStore(state_dir), operations=operations, clock=clock
        )
        session._record(
            "start",
            session=session_id,
            tree=tree.id,
            version=state.tree_version,
            title=tree.title,
        )
        session._save()
        return session

    @classmethod
    async def start(
        cls,
        tree: Tree,
        client: Any,
        *,
        state_dir: Path | str | None = None,
        operations: Registry | None = None,
        clock: Clock | None = None,
    ) -> Session:
        """Begin a walk and run it to the first stop (a question, a plan or the end)."""
        session = cls.new(tree, client, state_dir=state_dir, operations=operations, clock=clock)
        await session.run()
        return session

    @classmethod
    def open(
        cls,
        session_id: str,
        trees: Mapping[str, Tree] | Tree,
        client: Any,
        *,
        state_dir: Path | str | None = None,
        operations: Registry | None = None,
        clock: Clock | None = None,
        allow_changed_tree: bool = False,
    ) -> Session:
        """Reopen a saved walk without calling the API.

        Raises:
            DiagnosticError: no such session, its tree is gone, or the tree changed since.
        """
        store = SessionStore(state_dir)
        state = store.load(session_id)
        tree = trees if isinstance(trees, Tree) else trees.get(state.tree_id)
        if tree is None or tree.id != state.tree_id:
            raise DiagnosticError(f"session {session_id} walks tree '{state.tree_id}', not found")
        if tree.digest() != state.tree_version and not allow_changed_tree:
            raise DiagnosticError(
                f"tree '{tree.id}' changed since session {session_id} started "
                f"(version {state.tree_version} → {tree.digest()}); start a new walk"
            )
        if state.current not in tree.nodes:
            raise DiagnosticError(f"node '{state.current}' is no longer in tree '{tree.id}'")
        store.sync_transcript(state)
        return cls(tree, client, state, store=store, operations=operations, clock=clock)

    @classmethod
    async def resume(
        cls,
        session_id: str,
        trees: Mapping[str, Tree] | Tree,
        client: Any,
        *,
        state_dir: Path | str | None = None,
        operations: Registry | None = None,
        clock: Clock | None = None,
    ) -> Session:
        """Reopen a saved walk and run any automatic step it stopped in front of."""
        session = cls.open(
            session_id, trees, client, state_dir=state_dir, operations=operations, clock=clock
        )
        await session.run()
        return session

    # ------------------------------------------------------------------ views

    @property
    def id(self) -> str:
        return self.state.id

    @property
    def status(self) -> str:
        """``active``, ``finished`` (an end node was reached) or ``failed``."""
        return self.state.status

    @property
    def finished(self) -> bool:
        return self.state.status != "active"

    @property
    def current(self) -> NodeView:
        return node_view(self.tree, self.state.current, self.env(), self.state.plan)

    @property
    def answers(self) -> dict[str, Any]:
        return self.state.answers()

    @property
    def facts(self) -> dict[str, Fact]:
        return self.state.facts()

    @property
    def plan(self) -> Plan | None:
        return self.state.plan

    @property
    def outcome(self) -> str | None:
        return self.state.outcome

    @property
    def message(self) -> str | None:
        """Why a failed walk stopped."""
        return self.state.message

    @property
    def breadcrumb(self) -> list[str]:
        """Labels of the nodes walked so far, then the current one."""
        done = [self.tree.label(step.node) for step in self.state.steps]
        return done if self.finished else [*done, self.tree.label(self.state.current)]

    @property
    def secrets(self) -> Mapping[str, str]:
        """Secrets from the last applied action (a PIN, a code), in memory only."""
        return dict(self._secrets)

    @property
    def records(self) -> list[dict[str, Any]]:
        return list(self.state.records)

    @property
    def state_path(self) -> Path:
        return self.store.state_path(self.id)

    @property
    def transcript_path(self) -> Path:
        return self.store.transcript_path(self.id)

    def transcript_markdown(self) -> str:
        return render_markdown(self.state.records)

    def env(self) -> dict[str, Any]:
        """Answers and fact values by name, as conditions and templates see them."""
        values: dict[str, Any] = dict(self.answers)
        values.update({name: fact.value for name, fact in self.facts.items()})
        return values

    # ---------------------------------------------------------------- agent calls

    async def answer(self, value: str) -> NodeView:
        """Answer the current ``ask`` node with a choice's value (or its label)."""
        node = self._expect(AskNode, "answer")
        text = str(value).strip()
        choice = next((c for c in node.choices if c.value == text), None) or next(
            (c for c in node.choices if c.label.lower() == text.lower()), None
        )
        if choice is None:
            options = ", ".join(c.value for c in node.choices)
            raise DiagnosticError(f"'{text}' is not a choice here; choose one of: {options}")
        seconds = self._seconds()
        self._record(
            "question",
            node=self.state.current,
            prompt=self.current.prompt,
            answer=choice.value,
            label=choice.label,
            seconds=seconds,
        )
        self._close(answer=choice.value)
        return await self._go(choice.next)

    async def provide(self, value: object) -> NodeView:
        """Give the current ``input`` node its value (validated by the node's type)."""
        node = self._expect(InputNode, "provide")
        accepted = check_input(node, value)
        self._record(
            "question",
            node=self.state.current,
            prompt=self.current.prompt,
            answer=accepted,
            label=str(accepted),
            seconds=self._seconds(),
        )
        self._close(answer=accepted)
        return await self._go(node.next)

    async def confirm(self) -> ActionOutcome | None:
        """Pass the current ``verify`` gate, or apply the current action's plan."""
        node = self._expect((VerifyNode, ActionNode), "confirm")
        if isinstance(node, VerifyNode):
            self._gate(True)
            await self._go(node.next)
            return None
        plan = self.state.plan
        if plan is None:
            raise DiagnosticError("the change has not been planned yet; call run() to retry")
        op = self._operation(node.operation)
        params = self._params(node, op)
        try:
            result = await op(
                self.client, params, dry_run=False, idempotency_key=plan.idempotency_key
            )
        except APIStatusError as exc:
            await self._api_error(node, node.operation, exc)
            return ActionOutcome(False, plan.summary, error=str(exc))
        data = result.model_dump(mode="json")
        self._secrets = {k: str(data[k]) for k in SHOWN_ONCE if data.get(k) is not None}
        applied = {
            "node": self.state.current,
            "operation": node.operation,
            "summary": str(data.get("summary") or plan.summary),
            "subject": data.get("subject"),
            "audit_id": data.get("audit_id"),
            "replayed": bool(data.get("replayed")),
            "applied_at": self._now(),
        }
        self.state.applied.append(applied)
        self._record("applied", **applied, seconds=self._seconds())
        facts = {}
        if node.save_as:
            facts[node.save_as] = self._fact(node.save_as, redact(data), plan.request)
        self._close(answer="confirmed", facts=facts)
        outcome = ActionOutcome(
            True,
            applied["summary"],
            audit_id=applied["audit_id"],
            replayed=applied["replayed"],
            secrets=dict(self._secrets),
        )
        await self._go(node.next)
        return outcome

    async def decline(self) -> NodeView:
        """Refuse the current gate, or decline the current action (nothing is changed)."""
        node = self._expect((VerifyNode, ActionNode), "decline")
        if isinstance(node, VerifyNode):
            self._gate(False)
            return await self._go(node.on_refuse)
        summary = self.state.plan.summary if self.state.plan else render(node.prompt, self.env())
        self._record("declined", node=self.state.current, summary=summary, seconds=self._seconds())
        self._close(answer="declined")
        return await self._go(node.on_decline)

    async def back(self) -> NodeView:
        """Return to the previous question; changes already applied stay applied."""
        self._require_active("back")
        steps = self.state.steps
        index = next(
            (i for i in range(len(steps) - 1, -1, -1) if steps[i].kind in QUESTION_KINDS), None
        )
        if index is None:
            raise DiagnosticError("there is no earlier question to go back to")
        undone = steps[index:]
        applied = [a for a in self.state.applied if a["node"] in {s.node for s in undone}]
        note = (
            "Changes applied after that point stay applied: "
            + "; ".join(f"{a['summary']} (audit #{a['audit_id']})" for a in applied)
            if applied
            else "Nothing had been changed after that point."
        )
        target = steps[index].node
        self._record("back", node=self.state.current, to=target, note=note)
        self.state.steps = steps[:index]
        self._enter(target)
        self._save()
        return self.current

    async def run(self) -> NodeView:
        """Run automatic steps (lookups, branches, planning) up to the next stop.

        Raises:
            TransportError: the API could not be reached; the session stays put; call again.
        """
        while self.state.status == "active":
            node = self.tree.nodes[self.state.current]
            if isinstance(node, LookupNode):
                await self._lookup(node)
            elif isinstance(node, BranchNode):
                self._branch(node)
            elif isinstance(node, ActionNode) and self.state.plan is None:
                here = self.state.current
                await self._plan(node)
                if self.state.current == here and self.state.status == "active":
                    break  # the plan is made: wait for the agent
            elif isinstance(node, ResolvedNode | EscalateNode):
                self._finish(node)
            else:
                break
            self._save()
        self._save()
        return self.current

    # ---------------------------------------------------------------- internals

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

    async def _lookup(self, node: LookupNode) -> None:
        op = self._operation(node.operation)
        params = self._params(node, op)
        request = {"operation": node.operation, "params": params}
        try:
            result = await op(self.client, params)
        except APIStatusError as exc:
            await self._api_error(node, node.operation, exc, run=False)
            return
        except ValueError as exc:
            self._fail(f"the tree's call to {node.operation} is malformed: {exc}")
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
        try:
            result = await op(self.client, params, dry_run=True)
        except APIStatusError as exc:
            await self._api_error(node, node.operation, exc, run=False)
            return
        except ValueError as exc:
            self._fail(f"the tree's call to {node.operation} is malformed: {exc}")
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
        self._record(
            "end",
            node=self.state.current,
            outcome=node.outcome,
            text=view.text,
            articles=list(view.articles),
            to=view.to,
            handover=list(view.handover),
            applied=[f"{a['summary']} (audit #{a['audit_id']})" for a in self.state.applied],
        )
        self._close()
        self.state.status = "finished"
        self.state.outcome = node.outcome


def _coerce(value: Any, expected: type | None) -> Any:
    """Answers are text; turn ``"60"`` into 60 and ``"true"`` into True where the API wants it."""
    if isinstance(value, str):
        if expected is int and value.strip().lstrip("-").isdigit():
            return int(value)
        if expected is bool and value.strip().lower() in ("true", "false", "yes", "no"):
            return value.strip().lower() in ("true", "yes")
    return value
