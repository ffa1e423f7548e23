# ruff: noqa: E501  (scenario tables read best one path per line)
"""API refusals follow ``on_error`` (or end the walk with the API's message)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from helpdesk.access.client import AccessClient
from helpdesk.content.kb import KnowledgeBase
from helpdesk.diagnostics.engine import Session
from helpdesk.diagnostics.model import Tree, trees_of
from helpdesk.diagnostics.operations import OperationSpec, default_operations
from helpdesk.diagnostics.runner import run_headless
from helpdesk.errors import Conflict, Forbidden, RateLimited, Unauthorized, Unavailable

from .test_tree_paths import API_FAILURE_ENDS, GIULIA, SARA


class _Refusing:
    """An operation that always answers 409, whatever the parameters."""

    def __init__(self, real: OperationSpec) -> None:
        self.real = real
        self.name, self.kind, self.summary = real.name, real.kind, real.summary
        self.required, self.optional = real.required, real.optional

    async def __call__(self, client: Any, params: Mapping[str, Any], **kwargs: Any) -> Any:
        raise Conflict(
            "Conflict: refused in test", status=409, title="Conflict", detail="refused in test"
        )


class Refusing(Mapping[str, OperationSpec]):
    """The real registry with some operations replaced by refusing fakes."""

    def __init__(self, *names: str) -> None:
        self.real = default_operations()
        self.names = set(names)

    def __getitem__(self, name: str) -> OperationSpec:
        op = self.real[name]
        return _Refusing(op) if name in self.names else op  # type: ignore[return-value]

    def __iter__(self) -> Iterator[str]:
        return iter(self.real)

    def __len__(self) -> int:
        return len(self.real)


FAILURES = [
    ("mfa-app-password-refused", "check_failed", "access_check",
     {"ticket": "HD-1", "email": GIULIA, "client": "windows", "version": "20.0"}),
    ("pin-setup-forgotten", "reset_failed", "set_pin",
     {"ticket": "HD-2", "situation": "never_set", "email": GIULIA, "workspace_ok": "no", "identity": True}),
    ("device-activation-code", "action_failed", "enable_device",
     {"ticket": "HD-3", "situation": "blocked", "is_that_device": "yes", "enable_gate": True}),
    ("account-locked", "unlock_failed", "unlock_account",
     {"ticket": "HD-9", "email": SARA, "caller_is_user": True, "unlock_or_wait": "unlock"}),
]  # fmt: skip


def test_failures_cover_the_api_failure_ends() -> None:
    assert {(tree, end) for tree, end, _, _ in FAILURES} == API_FAILURE_ENDS


@pytest.mark.parametrize(("tree", "end", "operation", "answers"), FAILURES)
async def test_api_refusal_follows_on_error(
    tree: str,
    end: str,
    operation: str,
    answers: dict[str, Any],
    kb: KnowledgeBase,
    api: AccessClient,
    state_dir: Path,
) -> None:
    result = await run_headless(
        trees_of(kb)[tree],
        api,
        answers,
        yes=True,
        state_dir=state_dir,
        operations=Refusing(operation),
    )
    session = result.session
    assert (session.state.steps[-1].node, session.outcome) == (end, "escalated")
    assert session.facts["error"].value["status"] == 409
    end = next(r for r in reversed(session.records) if r["type"] == "end")
    assert "refused in test" in (end["text"] or "")
    assert [r["type"] for r in session.records].count("api_error") == 1


async def test_refusal_without_on_error_ends_the_walk(api: AccessClient, state_dir: Path) -> None:
    tree = Tree.model_validate(
        {
            "id": "t", "title": "T", "symptoms": ["t"], "version_note": "t", "start": "find",
            "nodes": {
                "find": {"kind": "lookup", "operation": "get_user", "params": {"user_id": "usr_x"},
                         "save_as": "user", "next": "done"},
                "done": {"kind": "resolved", "outcome": "resolved", "text": "ok"},
            },
        }
    )  # fmt: skip
    session = await Session.start(tree, api, state_dir=state_dir)
    assert session.status == "failed"
    assert session.message is not None and "refused get_user" in session.message
    assert session.records[-1]["type"] == "failed"
    with pytest.raises(RuntimeError, match="is failed"):
        await session.answer("x")


class _Raising(_Refusing):
    """An operation that raises a given service error, once, then behaves like the real one."""

    def __init__(self, real: OperationSpec, error: Exception) -> None:
        super().__init__(real)
        self.error: Exception | None = error

    async def __call__(self, client: Any, params: Mapping[str, Any], **kwargs: Any) -> Any:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return await self.real(client, params, **kwargs)


SERVICE_FAILURES = [
    Unauthorized("token refused", status=401),
    Forbidden("scope missing", status=403),
    RateLimited("slow down", status=429, retry_after=3.0),
    Unavailable("server failed", status=503),
]


@pytest.mark.parametrize("error", SERVICE_FAILURES, ids=lambda e: type(e).__name__)
async def test_service_errors_leave_the_walk_where_it_was(
    error: Exception, kb: KnowledgeBase, api: AccessClient, state_dir: Path
) -> None:
    """A refused token, a missing scope, a rate limit or a 5xx says nothing about the
    customer's account: the walk must not take the tree's on_error edge, and the same
    step succeeds once retried."""
    ops = dict(default_operations())
    ops["access_check"] = _Raising(ops["access_check"], error)  # type: ignore[assignment]
    session = Session.new(
        trees_of(kb)["mfa-app-password-refused"], api, state_dir=state_dir, operations=ops
    )
    await session.run()
    answers = {"ticket": "HD-7", "email": GIULIA, "client": "windows", "version": "20.0"}
    with pytest.raises(type(error)):
        while session.current.kind in ("input", "ask"):
            value = answers[session.current.id]
            if session.current.kind == "input":
                await session.provide(value)
            else:
                await session.answer(value)
    stuck_at = session.state.current
    assert "error" not in session.facts
    assert session.status == "active"

    await session.run()

    assert session.state.current != stuck_at
    assert "check" in session.facts or any(
        f.source.startswith("access_check") for f in session.facts.values()
    )
