"""The plan modal: what the API's dry run says will change, applied only on purpose.

Nothing here calls the API. The modal returns True only when the agent presses the
apply key (``ctrl+y`` by default; deliberately not Enter, which an agent presses out
of habit) and, the first time in a session, the ticket field holds the ticket reference
the change will be filed under (prefilled from the call). Declining is its own key
(``ctrl+d``) and is recorded as a declined fix; Escape only closes the dialog, so the
plan waits (``p`` reopens it) and nothing is decided by a reflex.

The dialog is laid out for 80x24: a headline, then one row each for who, the operation
and every change before → after, the ticket field and one line of keys, all without
scrolling for every action the trees have; a long value scrolls by keyboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from helpdesk.access.models import PLATFORM_NAMES
from helpdesk.diagnostics.state import Plan
from helpdesk.tui.widgets.steady import steady

CREATED = {"create_activation_code": "device", "create_limited_user": "user"}
"""Operations that may create an object, and what they create."""


def subject_text(plan: Plan, who: str) -> str:
    """Who or what the change touches; an object to be created by its name, never by
    the id of the dry run (another id is created when the change is applied)."""
    params: Mapping[str, Any] = plan.request.get("params", {}) or {}
    kind = CREATED.get(plan.operation)
    if kind == "device" and not params.get("device_id"):
        platform = str(params.get("platform", "?"))
        return f"new device '{params.get('name', '?')}' ({PLATFORM_NAMES.get(platform, platform)})"
    if kind == "user":
        return f"new user '{params.get('name', '?')}' <{params.get('email', '?')}>"
    return who


def plan_rows(plan: Plan, who: str, tz: tzinfo = UTC) -> list[tuple[str, str]]:
    """The plan as ``(what, value)`` rows: who, each change before → after, duration, ticket.

    Times are shown in ``tz`` (the hotel's time zone)."""
    params: Mapping[str, Any] = plan.request.get("params", {}) or {}
    rows = [("Who", subject_text(plan, who)), ("Operation", f"{plan.operation}: {plan.summary}")]
    creating = plan.before is None
    rows += [
        (key, change)
        for key, change in changes(plan.before, plan.after, tz)
        # A new object's ids and timestamps come from the dry run and will not exist.
        if not (creating and key.rsplit(".", 1)[-1] in ("id", "created_at", "workspace_id"))
    ]
    minutes = params.get("minutes")
    if isinstance(minutes, int):
        flat: dict[str, Any] = {}
        _flatten(plan.after or {}, "", flat)
        until = next((v for k, v in flat.items() if k.endswith("suspended_until") and v), None)
        duration = _duration(minutes)
        rows.append(
            ("For how long", f"{duration} (until {_fmt(until, tz)})" if until else duration)
        )
    rows.append(("Ticket", str(params.get("ticket", "—"))))
    if params.get("reason"):
        rows.append(("Reason", str(params["reason"])))
    return rows


def changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, tz: tzinfo = UTC
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
            out.append((key, f"{_fmt(old, tz)} → {_fmt(new, tz)}"))
    return out


def _flatten(value: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, item in value.items():
        if isinstance(item, Mapping):
            _flatten(item, f"{prefix}{key}.", out)
        else:
            out[f"{prefix}{key}"] = item


def _fmt(value: Any, tz: tzinfo = UTC) -> str:
    if value is None:
        return "—"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:  # ISO timestamps, in the hotel's zone, shortened to what an agent reads out
            moment = datetime.fromisoformat(value)
            return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z").strip()
        except ValueError:
            pass
    return str(value)


def _duration(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} day(s)"
    if minutes % 60 == 0:
        return f"{minutes // 60} hour(s)"
    return f"{minutes} minute(s)"


class PlanScreen(ModalScreen[bool | None]):
    """Shows the plan; dismisses with True (apply), False (decline) or None (decide later)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "apply", "Apply change", id="plan.apply", priority=True),
        Binding("ctrl+d", "decline", "Decline fix", id="plan.decline", priority=True),
        Binding("escape", "later", "Close", id="plan.close"),
        Binding("down", "scroll(1)", "Scroll", show=False, id="plan.scroll_down"),
        Binding("up", "scroll(-1)", "Scroll", show=False, id="plan.scroll_up"),
        Binding("pagedown", "scroll(8)", "Scroll", show=False),
        Binding("pageup", "scroll(-8)", "Scroll", show=False),
    ]

    def __init__(
        self,
        plan: Plan,
        *,
        who: str,
        ticket_required: bool,
        ticket_prefill: str = "",
        tz: tzinfo = UTC,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.plan = plan
        self.tz = tz
        self.who = who
        self.ticket_required = ticket_required
        self.ticket_prefill = ticket_prefill
        params = plan.request.get("params", {}) or {}
        self.ticket = str(params.get("ticket", ""))

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-dialog", classes="dialog"):
            yield Static(f"[b]{escape(self.plan.prompt)}[/b]", id="plan-headline")
            # A rich table in a Static, not a DataTable: long values (the reason the
            # audit will record) wrap instead of being cut at the column's edge.
            table = Table(box=None, show_header=False, expand=True, padding=(0, 1, 0, 0))
            table.add_column("What", style="bold", no_wrap=True)
            table.add_column("Value", overflow="fold", ratio=1)
            for what, value in plan_rows(self.plan, self.who, self.tz):
                table.add_row(what, value)
            with VerticalScroll(id="plan-body"):
                yield Static(table, id="plan-table")
            if self.ticket_required:
                with Horizontal(id="plan-ticket-row"):
                    yield Label("Ticket to confirm ", id="plan-ticket-label")
                    yield steady(
                        Input(
                            value=self.ticket_prefill,
                            placeholder=f"type {self.ticket}",
                            id="plan-ticket",
                        )
                    )
            yield Static("", id="plan-message", classes="dialog-hint")
            yield Static(
                "[b]ctrl+y[/b] apply · [b]ctrl+d[/b] decline the fix · "
                "[b]esc[/b] close, decide later",
                id="plan-keys",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self._fit()
        if self.ticket_required:
            self.query_one("#plan-ticket", Input).focus()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        # The rows give way first on a short terminal (and scroll by keyboard); the
        # headline, the ticket field and the keys stay in view.
        headline = self.query_one("#plan-headline", Static)
        fixed = 2 + max(headline.size.height, 1) + 1 + 2 + 2 + 1
        body = self.query_one("#plan-body", VerticalScroll)
        body.styles.max_height = max(3, self.app.size.height - fixed)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#plan-body", VerticalScroll).scroll_relative(y=lines, animate=False)

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

    def action_apply(self) -> None:
        if not self.ticket_required:
            self.dismiss(True)
            return
        # The key reaches this (priority) binding before the field has handled the keys
        # typed just before it; reading the field from its own queue sees what it shows.
        field = self.query_one("#plan-ticket", Input)
        field.call_later(self._apply_checked)

    def _apply_checked(self) -> None:
        if self.is_attached and self._ticket_ok():
            self.dismiss(True)

    def action_decline(self) -> None:
        self.dismiss(False)

    def action_later(self) -> None:
        self.dismiss(None)
