"""F1: every key binding active on the screen below, with the id to remap it by.

The ids are what the config file's ``[keybindings]`` table uses (``App.set_keymap``),
so the help screen doubles as the reference for remapping.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static


class HelpScreen(ModalScreen[None]):
    """A table of keys, actions and binding ids; Escape or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, underlying: Screen[Any]) -> None:
        super().__init__(classes="dialog-screen")
        self._rows = _binding_rows(underlying)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            table: DataTable[str] = DataTable(
                id="help-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("Key", "Does", "Id (remap in config)")
            for row in self._rows:
                table.add_row(*row)
            yield table
            yield Static(
                "Text fields also take the usual editing keys (ctrl+a start, ctrl+e end, "
                "ctrl+u and ctrl+k delete, ctrl+w a word). ctrl+p opens the command palette. "
                'Remap a key in the config file: [keybindings] "walk.back" = "ctrl+b".',
                classes="dialog-hint",
                markup=False,  # the square brackets are the config's syntax, not markup
            )

    def action_close(self) -> None:
        self.dismiss(None)


def _binding_rows(screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """This screen's keys first, then the app's; only keys of ours (those with an id):
    the text fields' editing keys would bury them and are the same everywhere."""
    rows: dict[str, tuple[str, str, str]] = {}
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not binding.id:
            continue
        shown = app.get_key_display(binding) if hasattr(app, "get_key_display") else key
        rows.setdefault(f"{binding.id}:{key}", (shown, binding.description, binding.id))
    return sorted(rows.values(), key=lambda r: (r[2].split(".")[0] == "app", r[2], r[0]))
