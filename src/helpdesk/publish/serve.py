"""``helpdesk serve``: re-render on every change in ``kb/`` while the engine's server reloads.

Two processes cooperate through the generated docs folder. helpdesk watches ``kb/``
(watchfiles) and rewrites only the pages whose Markdown changed; the engine's own
server (``mkdocs serve`` on the generated config, a subprocess) watches the docs
folder, rebuilds, and live-reloads the browser. A content error is printed here as
``path:line:column`` and the docs folder is left alone, so the last good pages stay up.
"""

from __future__ import annotations

import collections
import datetime as dt
import signal
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click
import watchfiles

from helpdesk.content.kb import load_kb
from helpdesk.errors import BuildError, ConfigError, ContentError, HelpdeskError
from helpdesk.publish import engine
from helpdesk.publish.build import generate, render_site
from helpdesk.publish.config import Project, find_project, public_site_url

Echo = Callable[[str], None]

_STOP_TIMEOUT = 5.0
"""Seconds the engine's server gets to stop after being asked, before it is killed."""


def _stderr(message: str) -> None:
    click.echo(message, err=True)


def serve_site(
    kb_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, echo: Echo = _stderr
) -> None:
    """Render, start the engine's server, and re-render on changes until Ctrl-C.

    Args:
        kb_dir: the knowledge base folder.
        host: address to listen on (loopback by default: a preview is not a server).
        port: TCP port.
        echo: where messages go (stderr by default).

    Raises:
        ContentError: the knowledge base has errors at start (there is nothing to show yet).
        BuildError: the engine's server could not start or stopped by itself.
    """
    project = find_project(kb_dir)
    report = render_once(project)
    echo(f"Rendered {report} into {project.docs_dir}")
    server = _EngineServer(project, host, port, echo)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        server.start()
        echo(f"Watching {project.kb_dir} for changes; press Ctrl-C to stop.")
        for changes in watchfiles.watch(
            project.kb_dir,
            watch_filter=_content_filter(project.kb_dir),
            yield_on_timeout=True,
            rust_timeout=1000,
        ):
            server.check()
            if changes:
                _rerender(project, echo)
    except KeyboardInterrupt:
        echo("Stopping.")
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def render_once(project: Project) -> str:
    """Load, render and write the docs folder and config; returns what was written."""
    today = dt.date.today()
    kb = load_kb(project.kb_dir, today=today)
    content = render_site(kb, today=today, site_url=public_site_url(project.root))
    return f"{len(content.pages)} pages ({generate(project, kb, content)})"


def _rerender(project: Project, echo: Echo) -> None:
    try:
        report = render_once(project)
    except ContentError as exc:
        echo(exc.render())
        echo("The preview keeps the last good pages; fix the file(s) above and save again.")
        return
    except HelpdeskError as exc:
        echo(f"error: {exc}")
        return
    echo(f"Re-rendered: {report}")


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


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM (e.g. from a supervisor or a test) stops as cleanly as Ctrl-C does.
    raise KeyboardInterrupt


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
    """``mkdocs serve`` as a subprocess whose output is filtered onto ours."""

    def __init__(self, project: Project, host: str, port: int, echo: Echo) -> None:
        self._address = (host, port)
        self._command = engine.serve_command(project.generated_config, host, port)
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
        assert self._process is not None and self._process.stdout is not None
        for raw in self._process.stdout:
            self._lines.append(raw.rstrip())
            if "Serving on" in raw:
                self._echo("Serving on " + raw.split("Serving on", 1)[1].strip())
            for line in engine.filter_output(raw):
                self._echo(line)

    def check(self) -> None:
        """Raise if the server stopped by itself (e.g. the port is taken)."""
        if self._process is not None and self._process.poll() is not None:
            if self._reader is not None:
                self._reader.join(timeout=2)
            code = self._process.returncode
            self._process = None
            raise BuildError(
                f"the site engine's server stopped (exit status {code})",
                output="\n".join(engine.filter_output("\n".join(self._lines))),
            )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # lets MkDocs shut its server down itself
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.join(timeout=2)
