"""Checking the typed values an agent enters at ``input`` nodes.

Values are checked before the walk goes on, so a typo in an email never reaches the
access API and a version like ``20.0X`` is refused with a hint instead of making a
condition fail later.
"""

from __future__ import annotations

import re

from helpdesk.diagnostics.model import InputNode
from helpdesk.errors import DiagnosticError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_VERSION = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,4}){0,3}$")
_TICKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_#/.-]{0,63}$")

HINTS = {
    "email": "an email address such as anna@hotel.example",
    "version": "dotted numbers such as 20.0.3 or 1.5.1 (from the app's About screen)",
    "device_name": "a label of 1 to 100 characters, e.g. Front Desk PC",
    "ticket": "a ticket reference such as HD-1042 (letters, digits, - _ # / .)",
    "text": "text of 1 to 500 characters",
    "integer": "a whole number",
}


def check_input(node: InputNode, raw: object) -> str | int:
    """The accepted value for ``node``.

    Raises:
        DiagnosticError: the value does not fit the node's type; the message says what does.
    """
    return check_value(node.type, raw, minimum=node.minimum, maximum=node.maximum)


def check_value(
    kind: str, raw: object, *, minimum: int | None = None, maximum: int | None = None
) -> str | int:
    """The accepted value of an input of type ``kind`` (a key of ``HINTS``): the same
    check wherever an agent types one, at a tree's node or once for the whole call.

    Raises:
        DiagnosticError: the value does not fit; the message says what does.
    """
    text = str(raw).strip() if raw is not None else ""
    ok: bool
    value: str | int = text
    if kind == "email":
        ok = bool(_EMAIL.match(text)) and len(text) <= 254
    elif kind == "version":
        ok = bool(_VERSION.match(text))
    elif kind == "device_name":
        ok = 1 <= len(text) <= 100 and text.isprintable()
    elif kind == "ticket":
        ok = bool(_TICKET.match(text))
    elif kind == "integer":
        ok = bool(re.fullmatch(r"-?[0-9]{1,9}", text))
        if ok:
            value = int(text)
            low, high = minimum, maximum
            if (low is not None and value < low) or (high is not None and value > high):
                span = (
                    f"from {low if low is not None else '…'} to {high if high is not None else '…'}"
                )
                raise DiagnosticError(f"{value} is out of range; enter a number {span}")
    else:
        ok = 1 <= len(text) <= 500
    if not ok:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise DiagnosticError(f"'{shown}' is not valid here; enter {HINTS[kind]}")
    return value
