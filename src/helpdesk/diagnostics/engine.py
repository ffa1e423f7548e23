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
``confirm()`` again); so do a refused token (401), a missing scope (403), a rate limit
(429) and a server failure (5xx), which say nothing about the customer's account. The
API refusing the call itself (404, 409, 422) follows the node's ``on_error``, or ends
the walk with the API's message.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
from helpdesk.diagnostics.operations import Registry
from helpdesk.diagnostics.state import Fact, Plan, SessionState, SessionStore, redact
from helpdesk.diagnostics.templates import render
from helpdesk.diagnostics.transcript import render_markdown
from helpdesk.diagnostics.views import ActionOutcome, NodeView
from helpdesk.diagnostics.walk import SERVICE_ERRORS, Clock, Walk, utc_now
from helpdesk.errors import APIStatusError, DiagnosticError

SHOWN_ONCE = ("pin", "activation_code")


class Session(Walk):
    """One walk of one tree. Create with :meth:`start` / :meth:`new`, reopen with :meth:`resume`.

    Args:
        tree: the tree to walk.
        client: an ``AccessClient`` (or anything with the same methods).
        state: the saved state (use the class methods rather than building one).
        store: where the state and transcript are saved.
        operations: the access operations registry (default: the access API's own).
        clock: the time source for facts, steps and records (default: UTC now).
    """

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
        context: Mapping[str, str] | None = None,
    ) -> Session:
        """A new walk standing on ``tree.start``, saved, with no call made yet (see ``run``).

        ``context`` is the call it belongs to (``ticket``, ``caller``, ``language``): kept
        with the state so saved walks can be listed by ticket and caller.
        """
        now = (clock or utc_now)()
        session_id = f"{tree.id[:32]}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        state = SessionState(
            id=session_id,
            tree_id=tree.id,
            tree_version=tree.digest(),
            tree_title=tree.title,
            current=tree.start,
            entered_at=now.isoformat(),
            context={k: v for k, v in (context or {}).items() if v},
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
    def status(self) -> str:
        """``active``, ``finished`` (an end node was reached) or ``failed``."""
        return self.state.status

    @property
    def finished(self) -> bool:
        return self.state.status != "active"

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
        # The chain head goes with the write and stays in its audit record, so the
        # server can later prove this transcript was not rewritten (``diagnostics.proof``).
        head = self.state.records[-1]["hash"] if self.state.records else None
        try:
            result = await op(
                self.client,
                params,
                dry_run=False,
                idempotency_key=plan.idempotency_key,
                transcript_head=head,
            )
        except APIStatusError as exc:
            if isinstance(exc, SERVICE_ERRORS):
                raise
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
        """Return to the previous question; changes already applied stay applied.

        Also from an end, as long as the walk is not closed: the caller may say the fix
        did not work after all. The end reached is then no longer the walk's outcome.
        """
        reopen = self.state.status == "finished" and not self.state.closed
        if not reopen:
            self._require_active("back")
        steps = self.state.steps
        index = next(
            (i for i in range(len(steps) - 1, -1, -1) if steps[i].kind in QUESTION_KINDS), None
        )
        if index is None:
            raise DiagnosticError("there is no earlier question to go back to")
        if reopen:
            self.state.status = "active"
            self.state.outcome = None
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

    @property
    def closed(self) -> bool:
        return self.state.closed

    def close(self) -> None:
        """Seal the transcript with a ``close`` record (the count and the last hash).

        A transcript cut after any record then lacks its seal, which ``transcript verify``
        reports. Closing an unfinished walk records it as abandoned. Closing twice is a
        no-op.
        """
        if self.state.closed:
            return
        records = self.state.records
        outcome = self.state.outcome if self.state.status == "finished" else None
        self._record(
            "close",
            node=self.state.current,
            outcome=outcome or ("failed" if self.state.status == "failed" else "abandoned"),
            count=len(records),
            head=records[-1]["hash"] if records else None,
        )
        self.state.closed = True
        self._save()

    async def run(self) -> NodeView:
        """Run automatic steps (lookups, branches, planning) up to the next stop.

        Raises:
            TransportError: the API could not be reached; the session stays put; call again.
            Unauthorized, Forbidden, RateLimited, Unavailable: the token or the service
                refused; the session stays put (fix the token, wait, retry).
        """
        while self.state.status == "active":
            node = self.tree.nodes[self.state.current]
            if isinstance(node, LookupNode):
                await self._lookup(node)
            elif isinstance(node, BranchNode):
                self._branch(node)
            elif isinstance(node, ActionNode) and self.state.plan is None:
                await self._plan(node)
            elif isinstance(node, ResolvedNode | EscalateNode):
                self._finish(node)
            else:
                break  # a question, a gate or a planned action: the agent's turn (already saved)
            self._save()
        return self.current
