"""The transcript of the walk so far, as the Markdown that goes into the ticket."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, TextArea


class TranscriptScreen(ModalScreen[None]):
    """Read-only Markdown; ``c`` copies it, Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy", id="transcript.copy"),
        Binding("escape", "close", "Close", id="transcript.close"),
    ]

    def __init__(self, markdown: str) -> None:
        super().__init__(classes="dialog-screen")
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        yield Label("Transcript (Markdown) - c copies, Escape closes", classes="dialog-title")
        yield TextArea(self.markdown, id="transcript", read_only=True, soft_wrap=True)
        yield Footer(compact=True)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.markdown)
        self.notify("Transcript copied as Markdown.", title="Copied")

    def action_close(self) -> None:
        self.dismiss(None)
