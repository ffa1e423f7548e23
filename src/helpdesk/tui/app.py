"""The agent's terminal app: ``make_app(...)`` builds it for the CLI and the tests alike.

Startup is kept under a second by doing nothing slow before the first screen: the
knowledge base is loaded in a thread worker and the access API (embedded: FastAPI
plus SQLite) is opened in an async worker after the start screen is mounted. Every
API call runs in a worker too, so the screen never freezes while a caller waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from helpdesk.errors import HelpdeskError
from helpdesk.tui.advice import advise
from helpdesk.tui.call import Call
from helpdesk.tui.connection import ClientFactory, Connection
from helpdesk.tui.screens.dialogs import ErrorDialog, TokenDialog, WorkspaceDialog
from helpdesk.tui.screens.start import StartScreen
from helpdesk.tui.walks import SavedWalk, WalkStore, walks_folder

if TYPE_CHECKING:
    from helpdesk.access.client import AccessClient
    from helpdesk.tui.catalog import Catalog

Clock = Callable[[], datetime]

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppSettings:
    """Everything ``make_app`` needs; the CLI fills it from options, env and config.

    Attributes:
        connection: which access API to talk to.
        kb_dir: the knowledge base folder.
        data_dir: where saved walks (and the embedded database) live.
        resume: reopen the latest unfinished walk once everything is loaded.
        clock: the time source for facts and transcripts (tests fix it).
        client_factory: overrides ``connection.open_client`` (tests inject failures).
        theme: the initial Textual theme.
        keybindings: binding id -> keys, from the config file.
        on_ready: called with a timestamp when the first screen is up (benchmark).
        catalog: a preloaded catalog (tests), else the KB is loaded in a worker.
    """

    connection: Connection
    kb_dir: Path
    data_dir: Path
    resume: bool = False
    clock: Clock = system_clock
    client_factory: ClientFactory | None = None
    theme: str = DARK_THEME
    keybindings: dict[str, str] = field(default_factory=dict)
    on_ready: Callable[[float], None] | None = None
    catalog: Catalog | None = None
    cursor_blink: bool = True


class HelpdeskApp(App[None]):
    """Guided troubleshooting for a support agent with a caller on the line."""

    CSS_PATH = "app.tcss"
    TITLE = "helpdesk agent"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("f2", "start_call", "Call", id="app.call"),
        Binding("f3", "account", "Account", id="app.account"),
        Binding("ctrl+n", "new_session", "New walk", show=False, id="app.new"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="app.theme"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, settings: AppSettings) -> None:
        super().__init__()
        self.settings = settings
        self.catalog: Catalog | None = settings.catalog
        # Demo walks and real-server walks are kept apart (one folder per server).
        self.walk_store = WalkStore(walks_folder(settings.data_dir, settings.connection))
        self._client: AccessClient | None = None
        self._client_error: BaseException | None = None
        self._connected = asyncio.Event()
        self.confirmed_tickets: set[str] = set()
        """Sessions whose ticket reference the agent typed once (asked again after restart)."""
        self._zone: tzinfo | None = None
        self.call: Call | None = None
        """The call the agent is on (``F2`` starts one); walks are prefilled from it."""

    @property
    def clock(self) -> Clock:
        return self.settings.clock

    @property
    def language(self) -> str:
        """The caller's language (the call's; English without a call): article previews,
        customer links and copied links follow it."""
        return self.call.language if self.call is not None else "en"

    # ------------------------------------------------------------ startup

    def on_mount(self) -> None:
        self.theme = self.settings.theme
        if self.settings.keybindings:
            self.set_keymap(self.settings.keybindings)
        self._show_call()
        self.push_screen(StartScreen())

    def start_background(self) -> None:
        """Load the KB and open the API once the first screen is painted.

        Started any earlier, the workers' imports (pydantic, FastAPI, Whoosh) compete
        with the UI thread for the interpreter and delay the first paint.
        """
        if self.catalog is None:
            self._load_catalog()
        self._connect()

    @work(thread=True, exclusive=True, group="catalog")
    def _load_catalog(self) -> None:
        from helpdesk.tui.catalog import load_catalog

        try:
            catalog = load_catalog(self.settings.kb_dir)
        except (HelpdeskError, OSError) as exc:
            self.call_from_thread(self.show_error, exc)
            return
        self.call_from_thread(self._catalog_loaded, catalog)

    def _catalog_loaded(self, catalog: Catalog) -> None:
        self.catalog = catalog
        for screen in self.screen_stack:
            if isinstance(screen, StartScreen):
                screen.catalog_ready()
        self._maybe_resume()

    @work(exclusive=True, group="connect")
    async def _connect(self) -> None:
        self._connected.clear()
        self._client_error = None
        try:
            factory = self.settings.client_factory or self.settings.connection.open_client
            self._client = await factory()
        except (HelpdeskError, OSError) as exc:
            self._client_error = exc
            self.show_error(exc)
        finally:
            self._connected.set()
        self._maybe_resume()

    async def api(self) -> AccessClient:
        """The connected client, waiting for the connection if it is still opening.

        Raises:
            Exception: whatever opening the connection raised (reconnects on the next call).
        """
        await self._connected.wait()
        if self._client is None:
            error = self._client_error
            self._connect()  # the next call tries again
            raise error if error is not None else RuntimeError("not connected")
        return self._client

    async def workspace_zone(self) -> tzinfo:
        """The hotel's time zone, from the workspace record (read once per connection)."""
        from helpdesk.times import zone

        if self._zone is None:
            workspace = await (await self.api()).get_workspace()
            self._zone = zone(workspace.timezone)
        return self._zone

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _maybe_resume(self) -> None:
        if not self.settings.resume or self.catalog is None or not self._connected.is_set():
            return
        self.settings.resume = False  # once
        latest = next((w for w in self.saved_walks() if not w.finished), None)
        if latest is None:
            self.notify("No unfinished walk to resume.", title="Resume")
            return
        self.resume_walk(latest.session_id)

    # ---------------------------------------------------------- navigation

    def saved_walks(self) -> list[SavedWalk]:
        return self.walk_store.list(self.catalog)

    def start_walk(self, tree_id: str) -> None:
        from helpdesk.tui.screens.walk import WalkScreen

        self.push_screen(WalkScreen(tree_id=tree_id))

    def resume_walk(self, session_id: str) -> None:
        from helpdesk.tui.screens.walk import WalkScreen

        self.push_screen(WalkScreen(session_id=session_id))

    def show_finished(self, walk: SavedWalk) -> None:
        from helpdesk.tui.screens.end import EndScreen

        self.push_screen(EndScreen.from_saved(self, walk))

    def show_article(self, article_id: str) -> None:
        from helpdesk.tui.screens.article import ArticleScreen

        if self.catalog is not None and self.catalog.article(article_id) is not None:
            self.push_screen(ArticleScreen(article_id))

    def go_home(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, StartScreen):
            self.pop_screen()

    # ------------------------------------------------------------- errors

    def show_error(self, exc: BaseException, on_remedy: Callable[[str], Any] | None = None) -> None:
        """A titled dialog with what to do; ``on_remedy`` gets the remedy picked."""
        advice = advise(exc)
        self.log.warning(f"{advice.title}: {type(exc).__name__}")

        def chosen(remedy: str | None) -> None:
            if remedy == "token":
                self.push_screen(TokenDialog(), self._new_token)
            if on_remedy is not None and remedy is not None:
                on_remedy(remedy)

        self.push_screen(ErrorDialog(advice), chosen)

    def _new_token(self, token: str | None) -> None:
        if token:
            self.settings.connection = self.settings.connection.with_token(token)
            self._reconnect()

    def _reconnect(self) -> None:
        old, self._client = self._client, None
        if old is not None:
            # Close the old client in a worker; nothing waits on it.
            self.run_worker(old.aclose(), group="close", exit_on_error=False)
        self._show_call()
        self.walk_store = WalkStore(walks_folder(self.settings.data_dir, self.settings.connection))
        self._zone = None
        self._connect()

    # ---------------------------------------------------------------- call

    def _show_call(self) -> None:
        label = self.settings.connection.label
        self.sub_title = f"{label} · {self.call.label}" if self.call is not None else label

    def action_start_call(self) -> None:
        from helpdesk.tui.screens.call import CallDialog, CallForm

        def started(form: CallForm | None) -> None:
            if form is not None:
                self._begin_call(form)

        self.push_screen(CallDialog(self.call), started)

    @work(exclusive=True, group="call")
    async def _begin_call(self, form: Any) -> None:
        from helpdesk.errors import AccessError, NotFound
        from helpdesk.tui.call import DEFAULT_LANGUAGE, LANGUAGES
        from helpdesk.tui.screens.call import FROM_ACCOUNT

        picked = form.language if form.language in LANGUAGES else None
        call = Call(form.ticket, language=picked or DEFAULT_LANGUAGE)
        if form.email:
            try:
                user = await (await self.api()).find_user_by_email(form.email)
            except NotFound:
                self.notify(
                    f"No user signs in with {form.email} in this workspace; the call keeps "
                    "the ticket only. F2 to correct the email.",
                    title="Caller not found",
                    severity="warning",
                    timeout=8,
                )
            except (AccessError, OSError) as exc:
                self.show_error(exc)
                return
            else:
                language = picked if form.language != FROM_ACCOUNT else user.language
                call = Call(
                    form.ticket,
                    caller_email=user.email,
                    caller_name=user.name,
                    user_id=user.id,
                    language=language or DEFAULT_LANGUAGE,
                )
        self.call = call
        self._show_call()
        self.notify(call.label, title="Call started")

    def action_end_call(self) -> None:
        if self.call is None:
            self.notify("There is no call to end.")
            return
        self.call = None
        self.confirmed_tickets.clear()
        self._show_call()
        self.notify("Call ended; the next walks start empty.", title="Call ended")

    def action_account(self) -> None:
        from helpdesk.tui.screens.account import AccountScreen

        if isinstance(self.screen, AccountScreen):
            return
        self.push_screen(AccountScreen())

    # ------------------------------------------------------------- actions

    def action_help(self) -> None:
        from helpdesk.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_new_session(self) -> None:
        self.go_home()
        if isinstance(self.screen, StartScreen):
            self.screen.action_focus_search()

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def action_switch_workspace(self) -> None:
        def switched(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            url, token = answer
            current = self.settings.connection
            if not url:
                data = self.settings.data_dir / "access-api.sqlite3"
                self.settings.connection = Connection(None, db_path=data, timeout=current.timeout)
            else:
                self.settings.connection = Connection(url, token or None, timeout=current.timeout)
            self.settings.client_factory = None
            self._reconnect()

        self.push_screen(WorkspaceDialog(), switched)

    def action_open_transcript(self) -> None:
        screen = self.screen
        opener = getattr(screen, "action_transcript", None)
        if callable(opener):
            opener()
        else:
            self.notify("Open a walk first; its transcript is shown from there.")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Start call", "Ticket, caller and language, once", self.action_start_call
        )
        yield SystemCommand("End call", "Clear the call's ticket and caller", self.action_end_call)
        yield SystemCommand("Account", "The caller's account at a glance", self.action_account)
        if self.catalog is not None:
            for tree in sorted(self.catalog.trees.values(), key=lambda t: t.title):
                yield SystemCommand(
                    f"Start tree: {tree.title}",
                    tree.symptoms[0],
                    lambda tree_id=tree.id: self.start_walk(tree_id),  # type: ignore[misc]
                )
        for walk in [w for w in self.saved_walks() if not w.finished][:8]:
            yield SystemCommand(
                f"Resume walk: {walk.title}",
                walk.summary,
                lambda sid=walk.session_id: self.resume_walk(sid),  # type: ignore[misc]
            )
        yield SystemCommand("Theme", "Pick a theme", self.action_change_theme)
        yield SystemCommand("New walk", "Back to search to start one", self.action_new_session)
        yield SystemCommand("Search KB", "Search trees and articles", self.action_new_session)
        yield SystemCommand(
            "Open transcript", "The current walk as Markdown", self.action_open_transcript
        )
        yield SystemCommand(
            "Switch workspace", "Talk to another access API", self.action_switch_workspace
        )
        yield SystemCommand("Toggle theme", "Light or dark", self.action_toggle_theme)
        yield SystemCommand("Help", "Key bindings", self.action_help)
        yield SystemCommand("Quit", "Leave (the walk is saved)", self.exit)


def make_app(
    *,
    connection: Connection,
    kb_dir: Path,
    data_dir: Path,
    resume: bool = False,
    clock: Clock = system_clock,
    client_factory: ClientFactory | None = None,
    theme: str | None = None,
    keybindings: dict[str, str] | None = None,
    on_ready: Callable[[float], None] | None = None,
    catalog: Catalog | None = None,
    cursor_blink: bool = True,
) -> HelpdeskApp:
    """Build the app; used by ``helpdesk agent`` and by the tests.

    Args:
        connection: the access API (embedded or a URL with a token).
        kb_dir: the knowledge base folder.
        data_dir: where walks are saved.
        resume: reopen the latest unfinished walk.
        clock: time source (tests pass a fixed clock for stable snapshots).
        client_factory: makes the access client instead of ``connection`` (tests).
        theme: initial theme name.
        keybindings: binding id -> keys (``App.set_keymap``).
        on_ready: probe called when the first screen is up.
        catalog: a preloaded catalog instead of loading ``kb_dir`` in a worker.
        cursor_blink: False for steady snapshots.
    """
    return HelpdeskApp(
        AppSettings(
            connection=connection,
            kb_dir=kb_dir,
            data_dir=data_dir,
            resume=resume,
            clock=clock,
            client_factory=client_factory,
            theme=theme or DARK_THEME,
            keybindings=dict(keybindings or {}),
            on_ready=on_ready,
            catalog=catalog,
            cursor_blink=cursor_blink,
        )
    )
