"""The one-time secret dialog: a generated PIN or activation code, masked until revealed.

The engine hands secrets to the UI once, in memory. This dialog is the only place
they are drawn; closing it wipes them (``SecretField.clear``), and they are never
passed to ``notify``, the log or the transcript.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from helpdesk.tui.widgets.secret import SecretField

_LABELS = {"pin": "PIN", "activation_code": "Activation code", "token": "Token"}


class SecretScreen(ModalScreen[None]):
    """Shows each secret in a masked field; Escape closes and forgets them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close and forget", id="secret.close"),
    ]

    def __init__(self, summary: str, secrets: Mapping[str, str]) -> None:
        super().__init__(classes="dialog-screen")
        self.summary = summary
        self._secrets = dict(secrets)

    def compose(self) -> ComposeResult:
        with Vertical(id="secret-dialog", classes="dialog"):
            yield Label("Shown once", classes="dialog-title")
            yield Static(self.summary, classes="dialog-body")
            with Vertical(id="secrets"):
                for key, value in self._secrets.items():
                    yield SecretField(_LABELS.get(key, key), value, id=f"secret-{key}")
            yield Static(
                "Read it to the caller now: it is not stored anywhere and disappears "
                "when this closes. r reveals, c copies, Escape closes.",
                classes="dialog-hint",
            )
        self._secrets.clear()  # the fields hold the only copies now

    def on_mount(self) -> None:
        fields = self.query(SecretField)
        if fields:
            fields.first().focus()

    def action_close(self) -> None:
        for field in self.query(SecretField):
            field.clear()
        self.dismiss(None)
