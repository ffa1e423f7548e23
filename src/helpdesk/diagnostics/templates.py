"""Templated text and request parameters: ``"Unlock {user.email}"``, ``{email}``.

A template is plain text with ``{name}`` or ``{name.field}`` references to answers and
facts; ``{{`` and ``}}`` are literal braces. There are no filters and no expressions:
a template only reads values, so the checker can prove each one is set before use.
A parameter that is exactly one reference keeps the value's type (a number stays a
number); anything else renders to text.

Times render in UTC to the minute, unless the walk knows the hotel's time zone and the
time now: then in that zone with how far away they are ("19:40 CET (in 55 min)"), so
the agent reads the caller a time they can use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from helpdesk.diagnostics.conditions import ConditionError, Ref, resolve
from helpdesk.times import when

_PART = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_REF = re.compile(r"^\s*([a-z][a-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+))*)\s*$")


def template_refs(text: str) -> list[Ref]:
    """Every reference in a template.

    Raises:
        ConditionError: a brace that does not open or close a reference, or a bad name.
    """
    refs: list[Ref] = []
    for match in _PART.finditer(text):
        token = match.group()
        if token in ("{{", "}}"):
            continue
        if token in ("{", "}"):
            raise ConditionError(
                f"unmatched '{token}' in template; write '{token * 2}' for a literal brace",
                match.start(),
            )
        inner = _REF.match(match.group(1))
        if inner is None:
            raise ConditionError(
                f"'{match.group()}' is not a reference; use {{name}} or {{name.field}}",
                match.start(),
            )
        refs.append(Ref(tuple(inner.group(1).split(".")), match.start()))
    return refs


def render(
    text: str, env: Mapping[str, Any], *, zone: tzinfo = UTC, now: datetime | None = None
) -> str:
    """Fill a template's references from ``env``; a missing value renders as ``—``.

    With ``now``, times read in ``zone`` with a relative phrase; without, in UTC.
    """

    def fill(match: re.Match[str]) -> str:
        token = match.group()
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        inner = _REF.match(match.group(1) or "")
        if inner is None:
            return token
        value = resolve(env, tuple(inner.group(1).split(".")))
        return "—" if value is None else _text(value, zone, now)

    return _PART.sub(fill, text)


def render_param(value: str | int | bool, env: Mapping[str, Any]) -> Any:
    """A request parameter's value: a lone reference keeps its type, text is rendered."""
    if not isinstance(value, str):
        return value
    match = _PART.fullmatch(value)
    if match is not None and match.group(1) is not None:
        inner = _REF.match(match.group(1))
        if inner is not None:
            return resolve(env, tuple(inner.group(1).split(".")))
    return render(value, env)


def _text(value: Any, zone: tzinfo = UTC, now: datetime | None = None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        # Times arrive from the API as ISO 8601 text, to the microsecond.
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        if now is not None:
            return when(value, zone, now) or moment_text(value)
        return moment_text(value)
    if isinstance(value, list):
        return ", ".join(_text(v, zone, now) for v in value)
    return str(value)


def moment_text(value: datetime, *, seconds: bool = False) -> str:
    """In UTC, to the minute (what an agent reads out to a caller) or to the second."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")
