"""``helpdesk agent``: the support agent's terminal app.

Options win over the environment, which wins over the config file. The command only
resolves settings and runs the app; Textual is imported here (not in ``cli.py``) so
other commands never pay for it, and the app module itself imports nothing heavy.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from helpdesk.cli import handle_errors, kb_option

READY_ENV = "HELPDESK_TUI_READY"
"""When set, the app prints ``ready <epoch seconds>`` on its first screen and exits
(the startup benchmark runs the real command this way)."""


@click.command("agent")
@click.option("--api-url", envvar="HELPDESK_API_URL", help="Access API URL (default: embedded).")
@click.option("--token", help="Access API token (else $HELPDESK_TOKEN or the config file).")
@click.option("--resume", is_flag=True, help="Reopen the latest unfinished walk.")
@kb_option
@handle_errors
def agent(api_url: str | None, token: str | None, resume: bool, kb_dir: Path) -> None:
    """Guided troubleshooting for support agents, in the terminal.

    With no URL (option, $HELPDESK_API_URL or config file) the app runs against the
    embedded access API with the demo workspace, stored in your data folder.
    """
    from helpdesk.tui.app import make_app
    from helpdesk.tui.config import data_dir, load_config
    from helpdesk.tui.connection import resolve_connection

    config = load_config()
    folder = data_dir()
    connection = resolve_connection(
        api_url=api_url,
        token=token,
        config_url=config.api_url,
        config_token=config.token,
        env_token=os.environ.get("HELPDESK_TOKEN"),
        data_dir=folder,
        timeout=config.timeout,
    )
    bench = bool(os.environ.get(READY_ENV))
    app = make_app(
        connection=connection,
        kb_dir=kb_dir,
        data_dir=folder,
        resume=resume,
        theme=config.theme,
        keybindings=config.keybindings,
        on_ready=_ready_probe(lambda: app.exit()) if bench else None,
    )
    app.run(headless=bench)


def _ready_probe(stop: Callable[[], None]) -> Callable[[float], None]:
    def ready(stamp: float) -> None:
        # Textual captures sys.stdout while running; the real stream is __stdout__.
        stream = sys.__stdout__
        if stream is not None:
            stream.write(f"ready {stamp:.6f}\n")
            stream.flush()
        stop()

    return ready
