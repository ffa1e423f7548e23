"""The end of a walk: outcome, articles to send, the transcript, the escalation summary.

The transcript shown (and copied or saved) is the engine's own Markdown rendering of
its redacted records, so what the agent pastes into the ticket is exactly what was
saved, and never holds a secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from helpdesk.diagnostics.transcript import OUTCOME_TITLES
from helpdesk.tui.summary import end_record, escalation_summary, save_text
from helpdesk.tui.widgets.steady import steady

if TYPE_CHECKING:
    from helpdesk.content.articles import Article
    from helpdesk.diagnostics.engine import Session
    from helpdesk.diagnostics.state import SessionState
    from helpdesk.tui.app import HelpdeskApp
    from helpdesk.tui.walks import SavedWalk


class EndScreen(Screen[None]):
    """Shown when a walk ends (or when a finished walk is opened from the list)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # c, s, l and e are named in the headings of what they act on ("Transcript (c
        # copies, s saves…)"): left out of the footer, which keeps Help and Quit in view.
        Binding("c", "copy_transcript", "Copy", show=False, id="end.copy"),
        Binding("s", "save_transcript", "Save", show=False, id="end.save"),
        Binding("l", "copy_links", "Links", show=False, id="end.links"),
        Binding("e", "escalate", "Escalate", show=False, id="end.escalate"),
        Binding("ctrl+b", "back", "Back", id="end.back"),
        Binding("escape", "home", "Close walk", id="end.home"),
        # The app's ctrl+n does the same; kept working here, but the footer names it once.
        Binding("ctrl+n", "home", "New walk", show=False),
    ]

    def __init__(
        self, state: SessionState, *, text: str | None = None, session: Session | None = None
    ) -> None:
        super().__init__(id="end")
        self.state = state
        self.text = text
        self.session = session
        """The walk itself, to step back from its end or close it (None: only shown)."""
        from helpdesk.diagnostics.transcript import render_markdown

        self.transcript = render_markdown(state.records)
        self.end: dict[str, Any] = end_record(state.records) or {}

    @classmethod
    def from_saved(cls, app: HelpdeskApp, walk: SavedWalk) -> EndScreen:
        from helpdesk.diagnostics.engine import Session
        from helpdesk.errors import DiagnosticError

        state = app.walk_store.load(walk.session_id)
        session = None
        if app.catalog is not None and not state.closed:
            try:  # reopened without the API: stepping back and closing need none
                session = Session.open(
                    walk.session_id,
                    app.catalog.trees,
                    None,
                    state_dir=app.walk_store.folder,
                    clock=app.clock,
                )
            except DiagnosticError:  # its tree changed or is gone: shown, not reopened
                session = None
        return cls(state, session=session)

    @property
    def hd_app(self) -> HelpdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        end = self.end
        outcome = self.state.outcome or ("failed" if self.state.status == "failed" else "open")
        headline = OUTCOME_TITLES.get(outcome, outcome.capitalize())
        yield Header(icon="?")
        with Vertical(id="end-body"):
            yield Label(
                Text.assemble((f"{headline}", "bold"), "  ", (self.state.tree_title, "dim")),
                id="outcome",
            )
            message = self.text or end.get("text") or self.state.message or ""
            yield Static(str(message), id="end-text")
            if end.get("to"):
                yield Static(f"Hand over to {end['to']}: " + "; ".join(end.get("handover", [])))
            yield Label("Articles to send (l copies the links)", classes="section")
            yield OptionList(*self._article_options(), id="end-articles")
            yield Label("Transcript (c copies, s saves, e packs an escalation)", classes="section")
            yield steady(
                TextArea(
                    self.transcript, id="transcript", read_only=True, soft_wrap=True, language=None
                )
            )
        yield Footer(compact=True)

    def _articles(self) -> list[tuple[str, Article | None, str | None]]:
        """``(id, article, public url)`` of each article the end links (None when unknown)."""
        catalog = self.hd_app.catalog
        lang = self.state.context.get("language") or self.hd_app.language
        out: list[tuple[str, Article | None, str | None]] = []
        for article_id in self.end.get("articles", []):
            article = catalog.article(article_id) if catalog is not None else None
            url = catalog.public_url(article, lang) if catalog and article else None
            if catalog is not None and article is not None:
                article, _ = catalog.localized(article, lang)  # the caller's language
            out.append((article_id, article, url))
        return out

    def _article_options(self) -> list[Option]:
        options = []
        for article_id, article, url in self._articles():
            if article is None:
                options.append(Option(article_id, id=article_id))
                continue
            shown = url or "agent only, do not send"
            options.append(
                Option(
                    Text.assemble((article.title, "bold"), "  ", (shown, "dim")),
                    id=article_id,
                )
            )
        if not options:
            options.append(Option(Text("No article for this outcome.", style="dim"), disabled=True))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.hd_app.show_article(event.option.id)

    # ------------------------------------------------------------- actions

    def action_copy_transcript(self) -> None:
        self.app.copy_to_clipboard(self.transcript)
        self.notify("Transcript copied as Markdown.", title="Copied")

    def action_save_transcript(self) -> None:
        folder = self.hd_app.settings.data_dir / "transcripts"
        path = save_text(folder, f"{self.state.id}.md", self.transcript)
        self.notify(str(path), title="Transcript saved")

    def action_copy_links(self) -> None:
        links = [
            f"{article.title}: {url}"
            for _, article, url in self._articles()
            if article is not None and url
        ]
        if not links:
            self.notify("No customer article to send for this outcome.")
            return
        self.app.copy_to_clipboard("\n".join(links))
        self.notify(f"{len(links)} link(s) copied.", title="Copied")

    def action_escalate(self) -> None:
        pack_escalation(self.hd_app, self.state)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.session is not None and not self.session.closed
        return True

    @work(exclusive=True, group="end-back")
    async def action_back(self) -> None:
        """Back to the last question: the caller says it is not solved after all."""
        session = self.session
        if session is None or session.closed:
            self.notify("This walk is closed; start a new one.", severity="warning")
            return
        from helpdesk.errors import DiagnosticError
        from helpdesk.tui.screens.walk import WalkScreen

        try:
            await session.back()
        except DiagnosticError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.app.switch_screen(WalkScreen(session_id=session.id))

    def action_home(self) -> None:
        # Leaving the end closes the walk: its transcript is sealed, its outcome final.
        if self.session is not None and self.session.finished:
            self.session.close()
        self.hd_app.go_home()


def pack_escalation(app: HelpdeskApp, state: SessionState) -> None:
    """Copy the escalation summary and save it beside the transcripts."""
    text = escalation_summary(state, app.catalog)
    app.copy_to_clipboard(text)
    path = save_text(app.settings.data_dir / "escalations", f"{state.id}.md", text)
    app.notify(f"Copied to the clipboard and saved to {path}", title="Escalation summary packed")
