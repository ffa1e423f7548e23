"""The call dialog: ticket, caller and the caller's language, typed once per call.

The dialog only collects what the agent types; the app looks the caller's email up in
the workspace (the user record gives the name and the default language) and keeps
the call. A language picked here wins over the user record's.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from helpdesk.tui.call import LANGUAGES, Call
from helpdesk.tui.widgets.steady import steady

FROM_ACCOUNT = "account"
"""The language choice meaning: the caller's user record says."""


class CallForm:
    """What the agent typed: ticket, email, and a language or ``FROM_ACCOUNT``."""

    def __init__(self, ticket: str, email: str, language: str) -> None:
        self.ticket = ticket
        self.email = email
        self.language = language


class CallDialog(ModalScreen[CallForm | None]):
    """Start (or change) the call; Enter in the last field or ctrl+s starts it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="call.cancel"),
        Binding("ctrl+s", "start", "Start call", id="call.start", priority=True),
    ]

    def __init__(self, current: Call | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current
        options = [("From the caller's account", FROM_ACCOUNT)]
        options += [(f"{name} ({code})", code) for code, name in LANGUAGES.items()]
        with Vertical(id="call-dialog", classes="dialog"):
            yield Label("Start a call", classes="dialog-title")
            with Horizontal(classes="call-row"):
                yield Label("Ticket ", classes="call-label")
                yield steady(
                    Input(
                        value=current.ticket if current else "",
                        placeholder="e.g. HD-4005",
                        id="call-ticket",
                    )
                )
            with Horizontal(classes="call-row"):
                yield Label("Caller ", classes="call-label")
                yield steady(
                    Input(
                        value=(current.caller_email or "") if current else "",
                        placeholder="their sign-in email (looked up in the workspace)",
                        id="call-email",
                    )
                )
            with Horizontal(classes="call-row"):
                yield Label("Language ", classes="call-label")
                yield Select(
                    options,
                    value=FROM_ACCOUNT,
                    allow_blank=False,
                    id="call-language",
                )
            yield Static("", id="call-message", classes="dialog-hint")
            yield Static(
                "Every walk of the call is prefilled from it. "
                "[b]ctrl+s[/b] or Enter starts it · [b]esc[/b] cancels",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#call-ticket", Input).focus()

    @on(Input.Submitted, "#call-ticket")
    def _next(self) -> None:
        self.query_one("#call-email", Input).focus()

    @on(Input.Submitted, "#call-email")
    def _submitted(self) -> None:
        self.action_start()

    def say(self, message: str) -> None:
        self.query_one("#call-message", Static).update(message)

    def action_start(self) -> None:
        ticket = self.query_one("#call-ticket", Input).value.strip()
        email = self.query_one("#call-email", Input).value.strip()
        if not ticket:
            self.say("Type the ticket reference the call is logged under.")
            self.query_one("#call-ticket", Input).focus()
            return
        # The checks the trees' ticket and email questions make: a call must not carry a
        # value that every walk would then refuse (or send to the API).
        from helpdesk.diagnostics.inputs import check_value
        from helpdesk.errors import DiagnosticError

        for field, kind, value in (
            ("#call-ticket", "ticket", ticket),
            ("#call-email", "email", email),
        ):
            if not value:
                continue
            try:
                check_value(kind, value)
            except DiagnosticError as exc:
                self.say(f"{'Ticket' if kind == 'ticket' else 'Caller'}: {exc}.")
                self.query_one(field, Input).focus()
                return
        language = self.query_one("#call-language", Select).value
        self.dismiss(CallForm(ticket, email, str(language)))

    def action_cancel(self) -> None:
        self.dismiss(None)
