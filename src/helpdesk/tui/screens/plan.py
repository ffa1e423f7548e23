"""The plan modal: what the API's dry run says will change, applied only on purpose.

Nothing here calls the API. The modal returns True only when the agent presses the
apply key (``ctrl+y`` by default; deliberately not Enter, which an agent presses out
of habit) and, the first time in a session, has typed the ticket reference the change
will be filed under. Escape declines.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from rich import box
from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from helpdesk.diagnostics.state import Plan
from helpdesk.tui.widgets.steady import steady


def plan_rows(plan: Plan, who: str) -> list[tuple[str, str]]:
    """The plan as ``(what, value)`` rows: who, each change before → after, duration, ticket."""
    params: Mapping[str, Any] = plan.request.get("params", {}) or {}
    rows = [("Who", who), ("Operation", plan.operation)]
    rows += [(key, change) for key, change in changes(plan.before, plan.after)]
    minutes = params.get("minutes")
    if isinstance(minutes, int):
        flat: dict[str, Any] = {}
        _flatten(plan.after or {}, "", flat)
        until = next((v for k, v in flat.items() if k.endswith("suspended_until") and v), None)
        duration = _duration(minutes)
        rows.append(("For how long", f"{duration} (until {_fmt(until)})" if until else duration))
    rows.append(("Ticket", str(params.get("ticket", "—"))))
    if params.get("reason"):
        rows.append(("Reason", str(params["reason"])))
    return rows


def changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[tuple[str, str]]:
    """Keys whose value differs, flattened (``mfa.state``), as ``before → after``."""
    flat_before: dict[str, Any] = {}
    flat_after: dict[str, Any] = {}
    _flatten(before or {}, "", flat_before)
    _flatten(after or {}, "", flat_after)
    out = []
    for key in sorted(set(flat_before) | set(flat_after)):
        old, new = flat_before.get(key), flat_after.get(key)
        if old != new:
            out.append((key, f"{_fmt(old)} → {_fmt(new)}"))
    return out


def _flatten(value: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, item in value.items():
        if isinstance(item, Mapping):
            _flatten(item, f"{prefix}{key}.", out)
        else:
            out[f"{prefix}{key}"] = item


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:  # ISO timestamps, shortened to what an agent reads out
            return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M %Z").strip()
        except ValueError:
            pass
    return str(value)


def _duration(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} day(s)"
    if minutes % 60 == 0:
        return f"{minutes // 60} hour(s)"
    return f"{minutes} minute(s)"


class PlanScreen(ModalScreen[bool]):
    """Shows the plan; dismisses with True (apply) or False (decline)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "apply", "Apply change", id="plan.apply", priority=True),
        Binding("escape", "decline", "Decline", id="plan.decline"),
    ]

    def __init__(self, plan: Plan, *, who: str, ticket_required: bool) -> None:
        super().__init__(classes="dialog-screen")
        self.plan = plan
        self.who = who
        self.ticket_required = ticket_required
        params = plan.request.get("params", {}) or {}
        self.ticket = str(params.get("ticket", ""))

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-dialog", classes="dialog"):
            yield Label("Confirm the change", classes="dialog-title")
            yield Static(
                f"[b]{escape(self.plan.prompt)}[/b]\n{escape(self.plan.summary)}",
                id="plan-summary",
                classes="dialog-body",
            )
            # A rich table in a Static, not a DataTable: long values (the reason the
            # audit will record) wrap instead of being cut at the column's edge.
            table = Table(box=box.SIMPLE_HEAD, expand=True, padding=(0, 1))
            table.add_column("What", style="bold", no_wrap=True)
            table.add_column("Value", overflow="fold", ratio=1)
            for what, value in plan_rows(self.plan, self.who):
                table.add_row(what, value)
            yield Static(table, id="plan-table")
            if self.ticket_required:
                yield steady(
                    Input(
                        placeholder=f"type the ticket reference ({self.ticket}) to confirm",
                        id="plan-ticket",
                    )
                )
            yield Static("", id="plan-message", classes="dialog-hint")
            yield Static(
                "ctrl+y applies this change · Escape declines (nothing changes)",
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply (ctrl+y)", id="plan-apply", variant="warning")
                yield Button("Decline (Esc)", id="plan-decline")

    def on_mount(self) -> None:
        if self.ticket_required:
            self.query_one("#plan-ticket", Input).focus()
        else:
            self.query_one("#plan-decline", Button).focus()

    @on(Input.Submitted, "#plan-ticket")
    def _submitted(self) -> None:
        # Enter never applies; it only says whether the ticket matches.
        if self._ticket_ok():
            self._say("Ticket matches. Press ctrl+y to apply.")

    def _ticket_ok(self) -> bool:
        if not self.ticket_required:
            return True
        typed = self.query_one("#plan-ticket", Input).value.strip()
        if typed.casefold() == self.ticket.casefold():
            return True
        self._say(
            f"Type the ticket reference {self.ticket} first."
            if not typed
            else f"'{typed}' is not the ticket of this change ({self.ticket})."
        )
        return False

    def _say(self, message: str) -> None:
        self.query_one("#plan-message", Static).update(message)

    @on(Button.Pressed, "#plan-apply")
    def action_apply(self) -> None:
        if self._ticket_ok():
            self.dismiss(True)

    @on(Button.Pressed, "#plan-decline")
    def action_decline(self) -> None:
        self.dismiss(False)
