"""The walk screen: one node at a time, with the path, the facts and an article beside it.

The screen renders the engine's ``NodeView`` and sends the agent's keys back as engine
calls. Every call runs in one exclusive worker (``_call``) that shows a loading line,
reports failures as dialogs with a retry that re-runs the very same step, and then
re-renders. The engine saves the session before and after each step, so quitting at
any moment loses nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    LoadingIndicator,
    Markdown,
    OptionList,
    Static,
)

from helpdesk.errors import AccessError, DiagnosticError, HelpdeskError
from helpdesk.tui.advice import advise
from helpdesk.tui.walk_support import (
    api_error_notices,
    crumbs_of,
    linked_article,
    stalled,
    who_of,
)
from helpdesk.tui.widgets.steady import steady
from helpdesk.tui.widgets.walk_parts import Breadcrumb, ChoiceList, FactsPanel

if TYPE_CHECKING:
    from helpdesk.diagnostics.engine import Session
    from helpdesk.diagnostics.views import NodeView
    from helpdesk.tui.app import HelpdeskApp

Step = Callable[[], Awaitable[Any]]

_CHOICE_BINDINGS: list[BindingType] = [
    Binding(str(n), f"choose({n})", f"Choice {n}", show=False, id=f"walk.choose_{n}")
    for n in range(1, 10)
]


class WalkScreen(Screen[None]):
    """Walks one tree (new, or a saved session resumed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "back", "Back", id="walk.back"),
        # y, n and p are written on the buttons they press ("Confirmed (y)"): left out
        # of the footer, which must keep Help and Quit in view at 80 columns.
        Binding("y", "gate(True)", "Confirmed", show=False, id="walk.confirm"),
        Binding("n", "gate(False)", "Refused", show=False, id="walk.refuse"),
        Binding("p", "review_plan", "Plan", show=False, id="walk.plan"),
        Binding("r", "retry", "Retry", id="walk.retry"),
        Binding("ctrl+e", "escalate", "Escalate", id="walk.escalate"),
        Binding("ctrl+o", "transcript", "Transcript", show=False, id="walk.transcript"),
        Binding("ctrl+k", "open_article", "Article", show=False, id="walk.article"),
        *_CHOICE_BINDINGS,
    ]

    def __init__(self, *, tree_id: str | None = None, session_id: str | None = None) -> None:
        super().__init__(id="walk")
        self.tree_id = tree_id
        self.session_id = session_id
        self.session: Session | None = None
        self.view: NodeView | None = None
        self._busy = False
        self._last_step: Step | None = None
        self._shown_plan: str | None = None
        self._article_id: str | None = None
        self._article_shown: tuple[str, str] | None = None  # (article id, language) in view
        self._zone: tzinfo = UTC
        """The hotel's time zone, for the times the plan shows."""

    @property
    def hd_app(self) -> HelpdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(icon="?")
        yield Breadcrumb("", id="crumbs")
        with Horizontal(id="walk-main"):
            with VerticalScroll(id="question-pane"):
                yield Markdown("", id="prompt")
                yield Static("", id="help-text")
                yield ChoiceList(id="choices")
                yield steady(Input(id="answer-input"))
                yield Static("", id="input-error")
                with Horizontal(id="verify-buttons"):
                    yield Button("Confirmed (y)", id="gate-yes", variant="success")
                    yield Button("Not confirmed (n)", id="gate-no", variant="error")
                with Horizontal(id="action-buttons"):
                    yield Button("Review plan (p)", id="review-plan", variant="warning")
                yield Static("", id="status-line")
                yield LoadingIndicator(id="walk-loading")
            with Vertical(id="side-pane"):
                yield Label("Facts", classes="section")
                yield FactsPanel(id="facts")
                # A section label like "Facts": the article's own title heads the
                # Markdown below, where it wraps; a label of its own was cut at 80 columns.
                yield Label("Article", id="article-title", classes="section")
                with VerticalScroll(id="article-pane"):
                    yield Markdown("", id="article")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._refresh_view()
        self._open()

    def on_screen_resume(self) -> None:
        if self.session is not None and not self._busy:
            self._refresh_view()

    # ------------------------------------------------------------ engine calls

    @work(exclusive=True, group="walk-open")
    async def _open(self) -> None:
        from helpdesk.diagnostics.engine import Session

        app = self.hd_app
        catalog = app.catalog
        if catalog is None:
            self.notify("The knowledge base is still loading; try again.", severity="warning")
            self.dismiss()
            return
        store_dir = app.walk_store.folder
        try:
            client = await app.api()
            if self.session_id is not None:
                self.session = Session.open(
                    self.session_id, catalog.trees, client, state_dir=store_dir, clock=app.clock
                )
            else:
                tree = catalog.trees[self.tree_id or ""]
                context = app.call.context() if app.call is not None else None
                self.session = Session.new(
                    tree, client, state_dir=store_dir, clock=app.clock, context=context
                )
        except (HelpdeskError, OSError) as exc:
            # Over the screen below, once this one is gone: shown first, the dialog was
            # the screen that dismiss() popped, and it crashed looking for its buttons.
            app.call_later(app.show_error, exc)
            self.dismiss()
            return
        self._article_id = linked_article(catalog, self.session.tree)
        try:
            self._zone = await app.workspace_zone()
        except (AccessError, OSError) as exc:  # times then read in UTC; the walk goes on
            app.log.warning(f"no workspace time zone: {exc}")
        self.session.zone = self._zone
        self.title = self.session.tree.title  # the walk names its tree in the header
        self.run_step(self.session.run)

    def run_step(self, step: Step) -> None:
        """Run one engine call in the worker (ignored while another one runs)."""
        if self._busy:
            self.notify("Still waiting for the access API…", timeout=2)
            return
        self._busy = True
        self._refresh_view()
        self._call(step)

    @work(exclusive=True, group="walk-step")
    async def _call(self, step: Step) -> None:
        session = self.session
        assert session is not None
        self._last_step = step
        seen = len(session.state.records)
        try:
            session.client = await self.hd_app.api()
            result = await step()
        except DiagnosticError as exc:
            self._busy = False
            if self.view is not None and self.view.kind == "input":
                self.query_one("#input-error", Static).update(str(exc))
            else:
                self.hd_app.show_error(exc)
        except (HelpdeskError, OSError) as exc:
            self._busy = False
            wait = advise(exc).wait_seconds or 1.0
            self.hd_app.show_error(exc, on_remedy=lambda remedy: self._remedy(remedy, step, wait))
        else:
            self._busy = False
            self._last_step = None
            secrets = getattr(result, "secrets", None)
            if secrets:
                from helpdesk.tui.screens.secret import SecretScreen

                self.app.push_screen(SecretScreen(str(result.summary), secrets))
        for title, message, severity in api_error_notices(session.state.records[seen:]):
            self.notify(message, title=title, severity=severity, timeout=8)
        self._refresh_view()

    def _retry_step(self, failed: Step | None) -> Step | None:
        """What to run again: the engine moves on before it calls the API, so a failed
        answer left it standing on a lookup (or an unplanned action): run from there.
        A failed confirm leaves the plan in place: confirm again, same idempotency key."""
        session = self.session
        if session is None:
            return None
        return session.run if stalled(session.current) else failed

    def _remedy(self, remedy: str, failed: Step, wait: float) -> None:
        step = self._retry_step(failed)
        if step is None:
            return
        if remedy == "retry":
            self.run_step(step)
        elif remedy == "wait":
            self.notify(f"Retrying in {wait:.0f} s…", timeout=wait)
            self.set_timer(wait, lambda: self.run_step(step))
        elif remedy == "escalate":
            self.action_escalate()

    # --------------------------------------------------------------- render

    def _refresh_view(self) -> None:
        session = self.session
        loading = self.query_one("#walk-loading", LoadingIndicator)
        loading.display = self._busy or session is None
        status = self.query_one("#status-line", Static)
        if session is None:
            status.update("Opening the walk…")
            for part in ("#choices", "#answer-input", "#verify-buttons", "#action-buttons"):
                self.query_one(part).display = False
            return
        if session.finished:
            # Wait until a dialog on top (a one-time secret) is closed, then replace this.
            if self.app.screen is self:
                from helpdesk.tui.screens.end import EndScreen

                self.app.switch_screen(EndScreen(session.state, session=session))
            return
        view = session.current
        changed = self.view is None or self.view.id != view.id
        self.view = view
        crumbs, current = crumbs_of(session)
        self.query_one(Breadcrumb).show(crumbs, current)
        self.query_one("#facts", FactsPanel).show(
            list(session.facts.values()), zone=self._zone, now=self.hd_app.clock()
        )
        self.query_one("#prompt", Markdown).update(view.prompt or f"**{view.title}**")
        help_text = view.help or ""
        if view.kind == "input" and view.hint:
            help_text = f"{help_text}\nEnter {view.hint}.".strip()
        self.query_one("#help-text", Static).update(help_text)
        self._show_controls(view, changed)
        status.update(self._status_text(view))
        self._show_article()
        plan = view.plan if view.kind == "action" and not self._busy else None
        if plan is not None and self._shown_plan != plan.idempotency_key:
            # Open the plan once by itself; afterwards p reopens it.
            self._shown_plan = plan.idempotency_key
            self.action_review_plan()

    def _show_controls(self, view: NodeView, changed: bool) -> None:
        choices = self.query_one("#choices", ChoiceList)
        answer = self.query_one("#answer-input", Input)
        choices.display = view.kind == "ask"
        answer.display = view.kind == "input"
        self.query_one("#verify-buttons").display = view.kind == "verify"
        self.query_one("#action-buttons").display = view.kind == "action" and bool(view.plan)
        if not changed:
            return
        self.query_one("#input-error", Static).update("")
        if view.kind == "ask":
            choices.show(view.choices)
            choices.focus()
        elif view.kind == "input":
            # Back at a question answered before (a mistyped email sent the walk back
            # here): the earlier answer is there to correct, not to type again.
            session = self.session
            earlier = session.answers.get(view.id) if session is not None else None
            call = self.hd_app.call
            prefill = call.prefill(view.prefill, view.input_type) if call is not None else None
            answer.value = str(earlier) if earlier is not None else (prefill or "")
            answer.placeholder = view.hint or ""
            if earlier is None and prefill:
                help_text = self.query_one("#help-text", Static)
                shown = f"{view.help or ''}\nFrom the call: Enter keeps it, or edit it first."
                help_text.update(shown.strip())
            answer.focus()
        elif view.kind == "verify":
            self.query_one("#gate-yes", Button).focus()

    def _status_text(self, view: NodeView) -> str:
        if self._busy:
            return "Talking to the access API…"
        if stalled(view):
            return "The last call did not get through. Press r to retry."
        if view.kind == "ask":
            return "Pick an answer: 1-9 or arrows and Enter."
        if view.kind == "action":
            return "A change is planned. Review it (p); it is applied only with ctrl+y."
        return ""

    def _show_article(self) -> None:
        catalog = self.hd_app.catalog
        article = catalog.article(self._article_id) if catalog and self._article_id else None
        title = self.query_one("#article-title", Label)
        if article is None or catalog is None:
            title.update("No linked article")
            if self._article_shown is not None:
                self._article_shown = None
                self.query_one("#article", Markdown).update("")
            return
        lang = self.hd_app.language
        shown, _ = catalog.localized(article, lang)
        if self._article_shown != (article.id, lang):
            from helpdesk.tui.preview import article_markdown

            self._article_shown = (article.id, lang)
            title.update("Article")
            url = catalog.public_url(article, lang)
            self.query_one("#article", Markdown).update(article_markdown(shown, url=url))

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        kind = self.view.kind if self.view is not None else None
        if action == "gate":
            return kind == "verify"
        if action == "choose":
            return kind == "ask"
        if action == "review_plan":
            return kind == "action" and self.view is not None and self.view.plan is not None
        if action == "retry":
            return self._last_step is not None or (self.view is not None and stalled(self.view))
        return True

    def action_choose(self, number: int) -> None:
        view, session = self.view, self.session
        if view is None or session is None or view.kind != "ask":
            return
        if 1 <= number <= len(view.choices):
            value = view.choices[number - 1].value
            self.run_step(lambda: session.answer(value))

    @on(OptionList.OptionSelected, "#choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option_index + 1)

    @on(Input.Submitted, "#answer-input")
    def _provided(self, event: Input.Submitted) -> None:
        session = self.session
        if session is not None:
            value = event.value
            self.run_step(lambda: session.provide(value))

    @on(Button.Pressed, "#gate-yes")
    def _yes(self) -> None:
        self.action_gate(True)

    @on(Button.Pressed, "#gate-no")
    def _no(self) -> None:
        self.action_gate(False)

    @on(Button.Pressed, "#review-plan")
    def _review(self) -> None:
        self.action_review_plan()

    def action_gate(self, confirmed: bool) -> None:
        session = self.session
        if session is not None and self.view is not None and self.view.kind == "verify":
            self.run_step(session.confirm if confirmed else session.decline)

    def action_review_plan(self) -> None:
        from helpdesk.tui.screens.plan import PlanScreen

        session, view = self.session, self.view
        if session is None or view is None or view.plan is None:
            return
        plan = view.plan
        app = self.hd_app
        required = session.id not in app.confirmed_tickets

        def decided(apply: bool | None) -> None:
            if apply:
                app.confirmed_tickets.add(session.id)
                self.run_step(session.confirm)
            elif apply is False:
                self.run_step(session.decline)
            # None: closed to decide later; the plan waits and p reopens it.

        who = who_of(plan.subject, session.facts.values())
        call = app.call
        prefill = call.ticket if call is not None and call.ticket else ""
        screen = PlanScreen(
            plan, who=who, ticket_required=required, ticket_prefill=prefill, tz=self._zone
        )
        self.app.push_screen(screen, decided)

    def action_retry(self) -> None:
        step = self._retry_step(self._last_step)
        if step is not None:
            self.run_step(step)

    def action_back(self) -> None:
        session = self.session
        if session is not None:
            self.run_step(session.back)

    def action_back_to(self, node_id: str) -> None:
        """Breadcrumb click: go back question by question until ``node_id`` is current."""
        session = self.session
        if session is None or not any(s.node == node_id for s in session.state.steps):
            return

        async def rewind() -> None:
            while session.state.current != node_id:
                await session.back()

        self.run_step(rewind)

    def action_escalate(self) -> None:
        from helpdesk.tui.screens.end import pack_escalation

        if self.session is not None:
            pack_escalation(self.hd_app, self.session.state)

    def action_transcript(self) -> None:
        from helpdesk.tui.screens.transcript import TranscriptScreen

        if self.session is not None:
            self.app.push_screen(TranscriptScreen(self.session.transcript_markdown()))

    def action_open_article(self) -> None:
        if self._article_id is not None:
            self.hd_app.show_article(self._article_id)
