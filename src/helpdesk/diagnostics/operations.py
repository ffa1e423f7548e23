"""The diagnostics side of the access operations registry.

Trees name access operations (``find_user_by_email``, ``suspend_mfa``); the registry
in ``helpdesk.access.operations`` maps each name to its kind, parameters and an
async callable. The engine and the checker depend only on the small protocol below,
so tests can hand in a fake registry, and on the client method's return annotation
to learn which fields a reply has (the checker proves ``user.mfa.state`` exists).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, Protocol, Union

from pydantic import BaseModel


class OperationSpec(Protocol):
    """What the engine and checker need from one registry entry."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> Literal["read", "write"]: ...
    @property
    def required(self) -> Mapping[str, type]: ...
    @property
    def optional(self) -> Mapping[str, type]: ...
    @property
    def summary(self) -> str: ...

    async def __call__(
        self,
        client: Any,
        params: Mapping[str, Any],
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> BaseModel: ...


Registry = Mapping[str, OperationSpec]


def default_operations() -> Registry:
    """The access API's own registry."""
    from helpdesk.access.operations import OPERATIONS

    return OPERATIONS


@functools.cache
def result_model(name: str) -> type[BaseModel] | None:
    """The reply model of an operation, from the client method's return annotation."""
    try:
        from helpdesk.access.client import AccessClient

        method = getattr(AccessClient, name)
        hint = typing.get_type_hints(method).get("return")
    except (ImportError, AttributeError, NameError, TypeError):
        return None
    return hint if isinstance(hint, type) and issubclass(hint, BaseModel) else None


ERROR_FIELDS = ("status", "type", "title", "detail", "field", "message")
"""Fields of the ``error`` fact set on an ``on_error`` edge."""


def path_problem(model: Any, path: tuple[str, ...]) -> str | None:
    """Why ``path`` does not name a field of ``model`` (None when it does or cannot be told)."""
    current: Any = model
    for index, part in enumerate(path):
        current = _unwrap_optional(current)
        origin = typing.get_origin(current)
        if origin is list:
            if not part.isdigit():
                return f"'{'.'.join(path[:index])}' is a list; pick an item by number (.0)"
            current = typing.get_args(current)[0]
            continue
        if origin is dict or current is Any or current is dict:
            return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            if part not in fields:
                known = ", ".join(sorted(fields))
                return f"'{'.'.join(path[: index + 1])}' is not a field (known here: {known})"
            current = fields[part].annotation
            continue
        return f"'{'.'.join(path[:index])}' is a plain value and has no field '{part}'"
    return None


def _unwrap_optional(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
        return Any
    if origin is Literal:
        return str
    if hasattr(tp, "__metadata__"):  # Annotated[...]
        return _unwrap_optional(typing.get_args(tp)[0])
    return tp
