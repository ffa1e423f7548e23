"""The access operations by name, for callers that are configured rather than coded.

The diagnostics engine reads operation names and parameters from YAML trees; this
registry maps each name to its kind, its parameters and an async callable over an
``AccessClient``. The client itself knows nothing about trees.

>>> op = OPERATIONS["set_pin"]
>>> op.kind, sorted(op.required)
('write', ['reason', 'ticket', 'user_id'])
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel

from helpdesk.access.client import AccessClient

Invoke = Callable[..., Awaitable[BaseModel]]


@dataclass(frozen=True)
class Operation:
    """One operation: its name, kind and parameters (name -> Python type).

    Attributes:
        name: the registry key, also the client method's name and the OpenAPI operationId.
        kind: ``read`` (no change) or ``write`` (supports dry runs and idempotency keys).
        required / optional: parameter names and their types.
        summary: one sentence for lint messages and the agent's confirmation screen.
    """

    name: str
    kind: Literal["read", "write"]
    required: Mapping[str, type]
    optional: Mapping[str, type]
    summary: str

    def check(self, params: Mapping[str, Any]) -> list[str]:
        """Every problem with ``params``: missing, unknown, or of the wrong type."""
        problems = [f"missing parameter {name!r}" for name in self.required if name not in params]
        known = {**self.required, **self.optional}
        for name, value in params.items():
            if name not in known:
                problems.append(f"unknown parameter {name!r}")
            elif value is not None and not _fits(value, known[name]):
                problems.append(f"parameter {name!r} must be {known[name].__name__}")
        return problems

    async def __call__(
        self,
        client: AccessClient,
        params: Mapping[str, Any],
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> BaseModel:
        """Call the client method with ``params``; a write also carries ``transcript_head``
        (the walk's transcript chain head), which the server keeps in its audit record.

        Raises:
            ValueError: ``params`` do not fit the operation (a bug in the caller's tree).
            AccessError: whatever the client raises.
        """
        problems = self.check(params)
        if problems:
            raise ValueError(f"{self.name}: " + "; ".join(problems))
        method: Invoke = getattr(client, self.name)
        args = {k: v for k, v in params.items() if v is not None}
        if self.kind == "read":
            return await method(**args)
        if transcript_head is not None:
            args["transcript_head"] = transcript_head
        return await method(**args, dry_run=dry_run, idempotency_key=idempotency_key)


def _fits(value: Any, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _op(
    name: str,
    kind: Literal["read", "write"],
    summary: str,
    required: dict[str, type],
    optional: dict[str, type] | None = None,
) -> Operation:
    return Operation(
        name, kind, MappingProxyType(required), MappingProxyType(optional or {}), summary
    )


_WRITE = {"reason": str, "ticket": str}

OPERATIONS: Mapping[str, Operation] = MappingProxyType(
    {
        op.name: op
        for op in (
            _op("get_workspace", "read", "Read the workspace (name, time zone).", {}),
            _op("find_user_by_email", "read", "Find a user by email.", {"email": str}),
            _op("get_user", "read", "Read a user.", {"user_id": str}),
            _op(
                "access_check",
                "read",
                "Check whether a user can sign in to a client version.",
                {"user_id": str, "client": str, "version": str},
                {"device_id": str},
            ),
            _op(
                "list_devices",
                "read",
                "List the workspace's devices.",
                {},
                {"status": str, "user_id": str},
            ),
            _op(
                "suspend_mfa",
                "write",
                "Suspend MFA for a bounded time.",
                {"user_id": str, "minutes": int, "verified_channel": bool, **_WRITE},
            ),
            _op("restore_mfa", "write", "Turn MFA back on now.", {"user_id": str, **_WRITE}),
            _op(
                "create_limited_user",
                "write",
                "Create a limited user without MFA.",
                {"email": str, "name": str, **_WRITE},
                {"role": str, "language": str},
            ),
            _op(
                "set_pin",
                "write",
                "Set or reset a user's PIN.",
                {"user_id": str, **_WRITE},
                {"pin": str, "generate": bool},
            ),
            _op(
                "create_activation_code",
                "write",
                "Create a device activation code.",
                {"name": str, "platform": str, **_WRITE},
                {"mode": str, "device_id": str},
            ),
            _op("enable_device", "write", "Enable a device.", {"device_id": str, **_WRITE}),
            _op("disable_device", "write", "Disable a device.", {"device_id": str, **_WRITE}),
            _op("unlock_account", "write", "End a password lockout.", {"user_id": str, **_WRITE}),
        )
    }
)

__all__ = ["OPERATIONS", "Operation"]
