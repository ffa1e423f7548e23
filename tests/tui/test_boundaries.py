"""The headless packages never import Textual; settings files fail loudly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from helpdesk.errors import ConfigError, NotFound, RateLimited, Timeout, Unauthorized, Unavailable
from helpdesk.tui.advice import advise
from helpdesk.tui.config import load_config
from helpdesk.tui.connection import EMBEDDED_LABEL, resolve_connection
from helpdesk.tui.screens.help import HelpScreen

HEADLESS = (
    "helpdesk.diagnostics",
    "helpdesk.diagnostics.engine",
    "helpdesk.access",
    "helpdesk.access.client",
    "helpdesk.content",
    "helpdesk.content.kb",
    "helpdesk.server",
    "helpdesk.server.app",
    "helpdesk.search",
)


def test_headless_packages_never_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {HEADLESS!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_config_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'api_url = "https://access.example.net"\ntoken = "t0k"\ntheme = "textual-light"\n'
        '[keybindings]\n"app.help" = "f2"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HELPDESK_CONFIG", str(path))
    config = load_config()
    assert config.api_url == "https://access.example.net"
    assert config.keybindings == {"app.help": "f2"}


def test_config_yaml(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("theme: textual-dark\nkeybindings:\n  walk.back: ctrl+left\n", "utf-8")
    assert load_config(path).keybindings == {"walk.back": "ctrl+left"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('api_ulr = "x"\n', r"unknown key\(s\) api_ulr"),
        ("token = 3\n", "'token' must be a string"),
        ("timeout = -1\n", "'timeout' must be a positive number"),
        ("[keybindings]\n'a' = 1\n", "'keybindings' must map"),
        ("not toml at all ===\n", "not valid TOML"),
    ],
)
def test_config_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_missing_named_config_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELPDESK_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="not found"):
        load_config()


def test_connection_precedence(tmp_path: Path) -> None:
    embedded = resolve_connection(
        api_url=None, token=None, config_url=None, config_token="c", env_token="e",
        data_dir=tmp_path,
    )  # fmt: skip
    assert embedded.embedded and embedded.label == EMBEDDED_LABEL
    remote = resolve_connection(
        api_url=None, token=None, config_url="https://a.example/api", config_token="c",
        env_token="env-token", data_dir=tmp_path,
    )  # fmt: skip
    assert remote.token == "env-token" and remote.label == "a.example/api"
    assert "token" not in remote.label  # the header never shows the token
    with pytest.raises(ConfigError):
        resolve_connection(
            api_url="ftp://x", token=None, config_url=None, config_token=None, env_token=None,
            data_dir=tmp_path,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("error", "title", "first_remedy"),
    [
        (Timeout("slow"), "Access API timed out", "retry"),
        (Unauthorized("no", status=401), "Token refused (401)", "token"),
        (NotFound("no", status=404), "Not found (404)", "dismiss"),
        (RateLimited("slow down", retry_after=7, status=429), "Too many requests (429)", "wait"),
        (Unavailable("down", status=503), "Server error (503)", "retry"),
        (KeyError("bug"), "Unexpected error (a bug)", "retry"),
    ],
)
def test_every_failure_has_advice(error: Exception, title: str, first_remedy: str) -> None:
    advice = advise(error)
    assert advice.title == title
    assert advice.remedies[0] == first_remedy


async def test_keymap_from_config_remaps_help(app_factory: Any, settle: Any) -> None:
    app = app_factory(keybindings={"app.help": "f2"})
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"


async def test_help_lists_our_keys_screen_first_not_the_text_fields_editing_keys(
    app_factory: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)  # the search field has the focus, with its editing keys
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        ids = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        hint = str(app.screen.query_one(".dialog-hint", Static).render())

    assert ids and all(ids)  # every row can be remapped by its id
    assert ids[0].startswith("start.") and "app.quit" in ids
    assert ids.index("start.search") < ids.index("app.help")  # this screen's keys first
    assert '[keybindings] "walk.back"' in hint  # shown as typed, not eaten as markup


def test_the_first_screen_waits_for_no_model_or_search_import() -> None:
    """The app module draws the first screen; pydantic (the tree and API models), Whoosh
    and the KB loader come later, in the background. One top-level import of a tree model
    once added 0.3 s before the prompt appeared."""
    code = (
        "import sys\n"
        "import helpdesk.tui.app\n"
        "late = ('pydantic', 'whoosh', 'yaml', 'helpdesk.diagnostics.model',\n"
        "        'helpdesk.content.kb')\n"
        "bad = sorted(m for m in late if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
