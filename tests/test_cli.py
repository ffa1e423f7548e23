"""The command line as a whole: every command documents itself, bad usage exits 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from helpdesk.cli import _LAZY_COMMANDS, cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found: list[tuple[str, ...]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{' '.join((*prefix, name))} is listed but cannot be loaded"
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


COMMANDS = _commands(cli)


def test_the_contracted_commands_exist() -> None:
    top = {path[0] for path in COMMANDS}
    assert {
        "lint", "build", "serve", "search", "schema", "release", "diagnose", "agent", "access-api",
    } <= top  # fmt: skip
    assert {("release", "new"), ("release", "publish"), ("release", "list")} <= set(COMMANDS)
    assert {("access-api", "serve"), ("access-api", "seed"), ("access-api", "token")} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    summary = result.output.split("\n\n")[1].strip()
    assert summary, f"'helpdesk {' '.join(path)}' has no help text"


def test_the_list_of_commands_names_each_with_its_line_and_loads_none_of_them() -> None:
    # In a fresh interpreter: this one has imported every command already (COMMANDS).
    probe = (
        "import sys\n"
        "from helpdesk.cli import _LAZY_COMMANDS, cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='helpdesk')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "modules = {spec.split(':')[0] for spec, _ in _LAZY_COMMANDS.values()}\n"
        "print('loaded:', sorted(m for m in modules | {'fastapi', 'textual', 'mkdocs'}"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "100"},
    )

    assert "loaded: []" in result.stdout
    for name, (_, line) in _LAZY_COMMANDS.items():
        assert re.search(rf"^  {re.escape(name)} +{re.escape(line)}$", result.stdout, re.M), name


def test_an_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["lint", "--no-such-option"])

    assert result.exit_code == 2
    assert "No such option" in result.output


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_is_a_usage_error(query: str) -> None:
    result = CliRunner().invoke(cli, ["search", query])

    assert result.exit_code == 2
    assert "give some words to search for" in result.output


def test_a_report_over_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["trees", "report", str(tmp_path / "nowhere")])

    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_report_over_an_empty_folder_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["trees", "report", str(tmp_path)])

    assert result.exit_code == 0
    assert "No transcripts in" in result.output


def test_ctrl_c_exits_130_with_one_line_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpdesk.publish import commands

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "build_site", interrupted)
    result = CliRunner().invoke(cli, ["build", "--kb", str(tmp_path)])
    assert result.exit_code == 130
    assert result.output.strip().splitlines()[-1] == "interrupted (Ctrl-C)"
    assert "Traceback" not in result.output and "Aborted" not in result.output
