"""What an agent should do about each failure: the error tree turned into advice.

This is the terminal app's one boundary for errors (STYLE.md, "translate at each
boundary, once"): every exception a worker catches goes through ``advise`` and comes
out as a titled piece of advice with the remedies the error dialog offers. Anything
that is not a ``HelpdeskError`` is a bug; it still becomes advice (the agent has a
caller on the line and must not see a traceback), but titled as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from helpdesk.errors import (
    AccessError,
    APIStatusError,
    BadRequest,
    ConfigError,
    Conflict,
    ContentError,
    DiagnosticError,
    Forbidden,
    HelpdeskError,
    NotFound,
    RateLimited,
    Timeout,
    TransportError,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)

Remedy = Literal["retry", "token", "wait", "escalate", "dismiss"]


@dataclass(frozen=True)
class Advice:
    """A failure as the agent should read it.

    Attributes:
        title: a few words naming what went wrong.
        message: what happened and what to do, in one or two sentences.
        remedies: the buttons the error dialog offers, most useful first.
        wait_seconds: for rate limits, how long to wait before retrying.
        severity: Textual notification severity.
    """

    title: str
    message: str
    remedies: tuple[Remedy, ...] = ("retry", "dismiss")
    wait_seconds: float | None = None
    severity: Literal["error", "warning"] = "error"


def advise(exc: BaseException) -> Advice:
    """The advice for one failure (never raises)."""
    if isinstance(exc, AccessError):
        return _access(exc)
    if isinstance(exc, ContentError):
        first = str(exc.problems[0]) if exc.problems else str(exc)
        return Advice(
            "Knowledge base has problems",
            f"{exc}. First: {first}. Run `helpdesk lint` and fix the files.",
            ("dismiss",),
        )
    if isinstance(exc, ConfigError):
        return Advice("Settings cannot be used", str(exc), ("dismiss",))
    if isinstance(exc, DiagnosticError):
        return Advice(
            "The walk cannot go on", f"{exc}. Escalate the ticket.", ("escalate", "dismiss")
        )
    if isinstance(exc, HelpdeskError):
        return Advice("Something failed", str(exc), ("retry", "dismiss"))
    return Advice(
        "Unexpected error (a bug)",
        f"{type(exc).__name__}: {exc}. The walk is saved; retry, or escalate and report it.",
        ("retry", "escalate", "dismiss"),
    )


def _access(exc: AccessError) -> Advice:
    # Order matters: subclasses before their bases.
    if isinstance(exc, Timeout):
        return Advice(
            "Access API timed out",
            "The server did not answer in time. Retry; if it keeps happening, escalate.",
            ("retry", "escalate", "dismiss"),
        )
    if isinstance(exc, TransportError):
        return Advice(
            "Access API unreachable",
            f"{exc}. Check the network or the server, then retry.",
            ("retry", "escalate", "dismiss"),
        )
    if not isinstance(exc, APIStatusError):
        return Advice("Access API failed", str(exc))
    # The server's detail is a sentence; the advice continues it with one of its own.
    detail = (exc.detail or exc.title or str(exc)).rstrip(". ")
    if isinstance(exc, Unauthorized):
        return Advice(
            "Token refused (401)",
            f"{detail}. Re-enter a valid token for this workspace.",
            ("token", "dismiss"),
        )
    if isinstance(exc, Forbidden):
        return Advice(
            "Not allowed (403)",
            f"{detail}. Your token lacks the scope for this; escalate to someone who has it.",
            ("escalate", "dismiss"),
        )
    if isinstance(exc, NotFound):
        return Advice(
            "Not found (404)",
            f"{detail}. Check the spelling with the caller and go back to correct it.",
            ("dismiss",),
            severity="warning",
        )
    if isinstance(exc, RateLimited):
        wait = max(1, round(exc.retry_after))
        return Advice(
            "Too many requests (429)",
            f"The server asks to slow down. Wait {wait} seconds, then retry.",
            ("wait", "dismiss"),
            wait_seconds=float(wait),
            severity="warning",
        )
    if isinstance(exc, Unavailable):
        return Advice(
            f"Server error ({exc.status})",
            f"{detail}. Retry in a moment; if it persists, escalate.",
            ("retry", "escalate", "dismiss"),
        )
    if isinstance(exc, ValidationFailed):
        where = f" (field: {exc.field})" if exc.field else ""
        return Advice(f"Value refused{where}", f"{detail}.", ("dismiss",), severity="warning")
    if isinstance(exc, Conflict | BadRequest):
        return Advice(
            f"Change refused ({exc.status})",
            f"{detail}.",
            ("escalate", "dismiss"),
            severity="warning",
        )
    return Advice(f"Access API error ({exc.status})", f"{detail}.")
