"""A masked field for a one-time secret (a generated PIN, an activation code).

The secret lives only in this widget's memory: it is masked until the agent reveals
it on purpose, copied with a key, and wiped when the widget leaves the screen. It is
never rendered into a log line, a notification or the transcript.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget


class SecretField(Widget, can_focus=True):
    """Shows ``label: ••••`` until revealed; ``r`` reveals or hides, ``c`` copies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reveal", "Reveal/hide", id="secret.reveal"),
        Binding("c", "copy", "Copy", id="secret.copy"),
    ]

    revealed: reactive[bool] = reactive(False)

    def __init__(self, label: str, secret: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self._secret: str | None = secret

    @property
    def has_secret(self) -> bool:
        return bool(self._secret)

    def render(self) -> Text:
        if not self._secret:
            return Text.assemble((f"{self.label}: ", "bold"), ("(cleared)", "dim"))
        shown = self._secret if self.revealed else "•" * len(self._secret)
        hint = "  [r] hide  [c] copy" if self.revealed else "  [r] reveal  [c] copy"
        return Text.assemble((f"{self.label}: ", "bold"), (shown, "bold reverse"), (hint, "dim"))

    def action_reveal(self) -> None:
        self.revealed = not self.revealed

    def action_copy(self) -> None:
        if self._secret:
            self.app.copy_to_clipboard(self._secret)
            # The notification names the label only, never the value.
            self.notify(f"{self.label} copied to the clipboard.", title="Copied", timeout=3)

    def clear(self) -> None:
        """Forget the secret (called when the screen closes)."""
        self._secret = None
        self.revealed = False
        self.refresh()

    def on_unmount(self) -> None:
        self.clear()
