"""Small modal dialogs: an error with its remedies, a token prompt, a workspace switch.

Each dialog returns its answer through ``dismiss`` so callers can ``push_screen`` with
a callback (or ``push_screen_wait`` from a worker) and keep their own flow linear.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from helpdesk.tui.advice import Advice, Remedy

_REMEDY_LABELS: dict[Remedy, str] = {
    "retry": "Retry",
    "token": "Re-enter token",
    "wait": "Wait and retry",
    "escalate": "Escalate",
    "dismiss": "Close",
}


class ErrorDialog(ModalScreen[Remedy]):
    """A titled error with what to do; returns the chosen remedy (``dismiss`` on Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_dialog", "Close", id="dialog.close")
    ]

    def __init__(self, advice: Advice) -> None:
        super().__init__(classes="dialog-screen")
        self.advice = advice

    def compose(self) -> ComposeResult:
        advice = self.advice
        with Vertical(id="error-dialog", classes="dialog"):
            yield Label(advice.title, classes="dialog-title error-title")
            yield Static(advice.message, classes="dialog-body")
            if advice.wait_seconds is not None:
                yield Static(
                    f"Retry is possible in {advice.wait_seconds:.0f} s.", classes="dialog-hint"
                )
            with Horizontal(classes="dialog-buttons"):
                # Advice with nothing to try still closes with a button, so Enter works.
                for index, remedy in enumerate(advice.remedies or ("dismiss",)):
                    label = _REMEDY_LABELS[remedy]
                    if remedy == "wait" and advice.wait_seconds is not None:
                        label = f"Wait {advice.wait_seconds:.0f} s and retry"
                    yield Button(
                        label,
                        id=f"remedy-{remedy}",
                        variant="primary" if index == 0 else "default",
                    )

    def on_mount(self) -> None:
        # The most useful remedy is focused, so Enter takes it.
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        remedy = (event.button.id or "remedy-dismiss").removeprefix("remedy-")
        self.dismiss(remedy)  # type: ignore[arg-type]

    def action_dismiss_dialog(self) -> None:
        self.dismiss("dismiss")


class TokenDialog(ModalScreen[str | None]):
    """Asks for a new access token; the field is a password field, nothing is echoed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Re-enter the access token", classes="dialog-title")
            yield Static(
                "The server refused the token. Paste a valid token for this workspace; "
                "it is kept in memory only.",
                classes="dialog-body",
            )
            yield Input(password=True, placeholder="token", id="token-input")

    @on(Input.Submitted, "#token-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WorkspaceDialog(ModalScreen[tuple[str, str] | None]):
    """Switch to another access API: a URL and token, or empty for the embedded demo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Switch workspace", classes="dialog-title")
            yield Static(
                "Leave the URL empty for the demo workspace (embedded). The token is kept "
                "in memory only.",
                classes="dialog-body",
            )
            yield Input(placeholder="https://access.example.net", id="url-input")
            yield Input(password=True, placeholder="token", id="ws-token-input")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Connect", id="connect", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#connect")
    def _connect(self) -> None:
        url = self.query_one("#url-input", Input).value.strip()
        token = self.query_one("#ws-token-input", Input).value.strip()
        self.dismiss((url, token))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
