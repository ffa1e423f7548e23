"""``helpdesk serve``: re-render on every change in ``kb/`` while the engines' servers reload.

Processes cooperate through the generated docs folders. helpdesk watches ``kb/``
(watchfiles) and rewrites only the pages whose Markdown changed, in every language; one
engine server per language (``mkdocs serve`` on that language's generated config, a
subprocess on a private loopback port, mounted at ``/<lang>/``) watches its docs folder,
rebuilds, and live-reloads the browser; a small front server (``publish.proxy``) puts
them all on the one address the writer asked for, with ``/`` going to the browser's
language. A content error is printed here as ``path:line:column`` and the docs folders
are left alone, so the last good pages stay up. The site search works in the preview
too: ``publish.preview_search`` indexes the pages in the background after each render,
and the front server answers ``/<lang>/hd-search/`` from that index.

Stopping: SIGINT (Ctrl-C) and SIGTERM both stop the preview within a second, whatever
dispositions the process inherited (a script that starts it in the background leaves
SIGINT ignored): both handlers are installed explicitly, the engines' servers are started
with SIGINT restored, asked to stop together and killed if they have not within the grace.
"""

from __future__ import annotations

import collections
import datetime as dt
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click
import watchfiles

from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.errors import BuildError, ConfigError, ContentError, HelpdeskError
from helpdesk.publish import engine, localized, root_files
from helpdesk.publish.build import chosen_languages, generate, render_site
from helpdesk.publish.config import Project, find_project, site_name
from helpdesk.publish.preview_search import PreviewSearch
from helpdesk.publish.proxy import FrontServer
from helpdesk.publish.templates import TEMPLATES_FOLDER

Echo = Callable[[str], None]

_STOP_GRACE = 0.6
"""Seconds the engines' servers get to stop after being asked, before they are killed."""


def _stderr(message: str) -> None:
    click.echo(message, err=True)


def serve_site(
    kb_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    echo: Echo = _stderr,
    languages: list[str] | None = None,
) -> None:
    """Render, start the servers, and re-render on changes until SIGINT or SIGTERM.

    Args:
        kb_dir: the knowledge base folder.
        host: address to listen on (loopback by default: a preview is not a server).
        port: TCP port.
        echo: where messages go (stderr by default).
        languages: preview only these (default: every configured language).

    Raises:
        ContentError: the knowledge base has errors at start (there is nothing to show yet).
        BuildError: an engine's server could not start or stopped by itself.
        ConfigError: the address is taken, or a language is unknown.
    """
    project = find_project(kb_dir)
    _check_free(host, port)
    # The preview's own address is its site_url: links, feeds and hreflang all work in it.
    site_url = f"http://{_url_host(host)}:{port}/"
    kb = load_kb(project.kb_dir, today=dt.date.today())
    chosen = chosen_languages(kb, languages)
    report, _ = render_once(project, site_url, chosen, kb)
    echo(f"Rendered {report} into {project.work_dir}")
    search = PreviewSearch(project, chosen, echo)
    stop = threading.Event()
    servers = {lang: _EngineServer(project, lang, _free_port(), echo) for lang in chosen}

    name = site_name(project.root)

    def chooser() -> str:
        return root_files.chooser_html(
            project.kb_dir / TEMPLATES_FOLDER, localized.site_languages(kb), site_url, name
        )

    ports = {lang: s.port for lang, s in servers.items()}
    front = FrontServer((host, port), ports, chooser, search_bundle=search.bundle)
    previous = {sig: signal.signal(sig, _stopper(stop)) for sig in (signal.SIGINT, signal.SIGTERM)}
    watcher = threading.Thread(
        target=_watch,
        args=(project, site_url, chosen, stop, echo, search),
        name="kb-watch",
        daemon=True,
    )
    try:
        # Watching first: the engines' first builds give it time to be ready, so no
        # change made once the first page shows is missed.
        watcher.start()
        for server in servers.values():
            server.start()
        front.start()  # early requests get "being built, reloading" until an engine is up
        search.start()
        search.refresh(kb)  # the pages first, then their search index, in the background
        for server in servers.values():
            server.wait_until_listening(stop)
        echo(f"Serving on {site_url} ({', '.join(chosen)})")
        echo(f"Watching {project.kb_dir} for changes; press Ctrl-C to stop.")
        while not stop.wait(0.25):
            for server in servers.values():
                server.check()
        echo("Stopping.")
    finally:
        stop.set()
        search.stop()
        front.stop()
        _stop_all(list(servers.values()))
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def render_once(
    project: Project, site_url: str | None, languages: list[str], kb: KnowledgeBase | None = None
) -> tuple[str, KnowledgeBase]:
    """Load, render and write every language's docs folder and config; says what was
    written, and gives the knowledge base it rendered."""
    today = dt.date.today()
    kb = kb or load_kb(project.kb_dir, today=today)
    pages = 0
    written = []
    for lang in languages:
        content = render_site(kb, today=today, site_url=site_url, lang=lang)
        pages += len(content.pages)
        written.append(f"{lang}: {generate(project, kb, content)}")
    return f"{pages} pages ({'; '.join(written)})", kb


def _watch(
    project: Project,
    site_url: str,
    languages: list[str],
    stop: threading.Event,
    echo: Echo,
    search: PreviewSearch,
) -> None:
    for changes in watchfiles.watch(
        project.kb_dir,
        watch_filter=_content_filter(project.kb_dir),
        stop_event=stop,
        yield_on_timeout=True,
        rust_timeout=500,
    ):
        if changes and not stop.is_set():
            _rerender(project, site_url, languages, echo, search)


def _rerender(
    project: Project, site_url: str, languages: list[str], echo: Echo, search: PreviewSearch
) -> None:
    try:
        report, kb = render_once(project, site_url, languages)
    except ContentError as exc:
        echo(exc.render())
        echo("The preview keeps the last good pages; fix the file(s) above and save again.")
        return
    except HelpdeskError as exc:
        echo(f"error: {exc}")
        return
    echo(f"Re-rendered: {report}")
    search.refresh(kb)


def _content_filter(root: Path) -> Callable[[watchfiles.Change, str], bool]:
    """Files a writer edits; not caches (the search index is in kb/.cache) or editor temp files."""

    def is_content(change: watchfiles.Change, path: str) -> bool:
        try:
            parts = Path(path).relative_to(root).parts
        except ValueError:
            return False
        return bool(parts) and not (
            any(part.startswith((".", "#")) for part in parts)
            or parts[-1].endswith(("~", ".swp", ".tmp"))
        )

    return is_content


def _stopper(stop: threading.Event) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        # SIGTERM (a supervisor, a test) stops as cleanly as Ctrl-C does.
        stop.set()

    return handler


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"  # listening everywhere: this machine's own pages use loopback
    return f"[{host}]" if ":" in host else host


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop_all(servers: list[_EngineServer]) -> None:
    """Ask every engine server to stop at once, then kill what is left after the grace."""
    for server in servers:
        server.interrupt()
    deadline = time.monotonic() + _STOP_GRACE
    for server in servers:
        server.finish(max(0.0, deadline - time.monotonic()))


def _check_free(host: str, port: int) -> None:
    """Fail with a clear message before the engine's server dies with a traceback."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            # As the engine's HTTP server does, so a port in TIME_WAIT counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigError(
            f"cannot serve on {host}:{port} ({exc.strerror}); "
            "stop what uses it or pick another port with --port"
        ) from None


class _EngineServer:
    """One language's ``mkdocs serve`` as a subprocess whose output is filtered onto ours."""

    def __init__(self, project: Project, lang: str, port: int, echo: Echo) -> None:
        self.lang = lang
        self.port = port
        self._address = ("127.0.0.1", port)
        self._command = engine.serve_command(project.generated_config(lang), "127.0.0.1", port)
        self._cwd = project.root
        self._echo = echo
        self._lines: collections.deque[str] = collections.deque(maxlen=50)
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        _check_free(*self._address)
        try:
            self._process = subprocess.Popen(
                self._command,
                cwd=self._cwd,
                env=engine.engine_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError as exc:
            raise BuildError(f"could not start the site engine's server: {exc}") from None
        self._reader = threading.Thread(target=self._pump, name="engine-output", daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for raw in process.stdout:
            self._lines.append(raw.rstrip())
            for line in engine.filter_output(raw):
                self._echo(f"[{self.lang}] {line}")

    def check(self) -> None:
        """Raise if the server stopped by itself (e.g. the port is taken)."""
        if self._process is not None and self._process.poll() is not None:
            if self._reader is not None:
                self._reader.join(timeout=2)
            code = self._process.returncode
            self._process = None
            raise BuildError(
                f"the site engine's server for '{self.lang}' stopped (exit status {code})",
                output="\n".join(engine.filter_output("\n".join(self._lines))),
            )

    def wait_until_listening(self, stop: threading.Event, timeout: float = 300.0) -> None:
        """Return once the server accepts connections (after its first build).

        Raises:
            BuildError: it stopped by itself, or did not listen within ``timeout``.
        """
        deadline = time.monotonic() + timeout
        while not stop.is_set() and time.monotonic() < deadline:
            self.check()
            try:
                with socket.create_connection(self._address, timeout=0.5):
                    return
            except OSError:
                stop.wait(0.2)
        if not stop.is_set():
            raise BuildError(f"the site engine's server for '{self.lang}' did not start")

    def interrupt(self) -> None:
        """Ask the server to stop (SIGINT lets MkDocs shut its server down itself)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)

    def finish(self, grace: float) -> None:
        """Wait up to ``grace`` seconds for the server to stop, then kill it."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.join(timeout=0.2)
