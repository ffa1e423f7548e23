"""``helpdesk diagnose``, ``helpdesk transcript …`` and ``helpdesk trees …``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from helpdesk.cli import handle_errors, kb_option
from helpdesk.content.kb import load_kb
from helpdesk.diagnostics.engine import Session
from helpdesk.diagnostics.runner import RunResult, read_answers, run_headless
from helpdesk.diagnostics.state import default_state_dir
from helpdesk.diagnostics.transcript import read_records, render_markdown, verify_transcript
from helpdesk.errors import ConfigError, DiagnosticError


def _state_dir_option(func: Any) -> Any:
    return click.option(
        "--state-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder of saved sessions and transcripts (default: the user data folder, "
        "or $HELPDESK_STATE_DIR).",
    )(func)


def _client(api_url: str | None, token: str | None, state_dir: Path) -> Any:
    if api_url:
        if not token:
            raise ConfigError("--api-url needs --token (or $HELPDESK_API_TOKEN)")
        from helpdesk.access.client import AccessClient

        return AccessClient(api_url, token=token)
    from helpdesk.server.embedded import open_embedded_client

    state_dir.mkdir(parents=True, exist_ok=True)
    return open_embedded_client(state_dir / "embedded-access.db")


def _print_plan(session: Session) -> None:
    plan = session.plan
    if plan is None:
        return
    click.echo(f"\nPlanned change at '{plan.node}': {plan.prompt}")
    click.echo(f"  API summary: {plan.summary}")
    click.echo(f"  before: {json.dumps(plan.before)}")
    click.echo(f"  after:  {json.dumps(plan.after)}")
    click.echo(f"  request: {json.dumps(plan.request)}")


@click.command()
@click.argument("tree_id")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="YAML/JSON file of recorded answers by node id.",
)
@click.option("--api-url", envvar="HELPDESK_API_URL", default=None, help="Access API URL.")
@click.option("--token", envvar="HELPDESK_API_TOKEN", default=None, help="Access API token.")
@click.option("--yes", is_flag=True, help="Confirm every planned change (else stop at the first).")
@click.option("--session", "session_id", default=None, help="Resume this saved session.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
@_state_dir_option
@kb_option
@handle_errors
def diagnose(
    tree_id: str,
    answers_file: Path,
    api_url: str | None,
    token: str | None,
    yes: bool,
    session_id: str | None,
    fmt: str,
    state_dir: Path | None,
    kb_dir: Path,
) -> None:
    """Walk TREE non-interactively from recorded answers and print the transcript.

    Without --yes the walk stops before the first change and prints its plan; run again
    with --session ID --yes to apply it. Exit status: 0 finished or stopped at a plan,
    1 the walk failed or an answer is missing, 3 the access API is unreachable.
    """
    kb = load_kb(kb_dir)
    tree = kb.trees.get(tree_id)
    if tree is None:
        known = ", ".join(sorted(kb.trees)) or "none"
        raise ConfigError(f"unknown tree '{tree_id}' (known: {known})")
    answers = read_answers(answers_file)
    folder = state_dir or default_state_dir()

    async def walk() -> RunResult:
        async with _client(api_url, token, folder) as client:
            return await run_headless(
                tree, client, answers, yes=yes, state_dir=folder, session_id=session_id
            )

    result = asyncio.run(walk())
    session = result.session
    if fmt == "json":
        for record in session.records:
            click.echo(json.dumps(record, ensure_ascii=False))
    else:
        click.echo(session.transcript_markdown(), nl=False)
    for label, value in result.secrets:
        # Shown once, on the terminal only: never in the transcript or the saved state.
        click.echo(f"SHOWN ONCE — {label}: {value}", err=True)
    if result.state == "stopped":
        _print_plan(session)
        click.echo(
            f"\nStopped before the change. Session {session.id} is saved; apply with:\n"
            f"  helpdesk diagnose {tree_id} --answers {answers_file} --session {session.id} --yes"
        )
    click.echo(f"session: {session.id}  transcript: {session.transcript_path}", err=True)
    if result.state == "failed":
        raise DiagnosticError(session.message or "the walk failed")


@click.group()
def transcript() -> None:
    """Check and show diagnosis transcripts (JSON Lines, hash-chained)."""


@transcript.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def transcript_verify(file: Path) -> None:
    """Check FILE's hash chain. Exit 0 intact, 1 tampered (naming the line)."""
    verdict = verify_transcript(file)
    if verdict.ok:
        click.echo(f"{file}: ok, {verdict.message}")
        return
    click.echo(f"{file}:{verdict.line}: tampered: {verdict.message}", err=True)
    sys.exit(1)


@transcript.command("show")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def transcript_show(file: Path) -> None:
    """Print FILE as Markdown, ready to paste into the ticket."""
    click.echo(render_markdown(read_records(file)), nl=False)


@click.group()
def trees() -> None:
    """List diagnostic trees and report how their walks end."""


@trees.command("list")
@kb_option
@handle_errors
def trees_list(kb_dir: Path) -> None:
    """Every tree: id, version and title."""
    kb = load_kb(kb_dir)
    for tree in sorted(kb.trees.values(), key=lambda t: t.id):
        click.echo(f"{tree.id}\t{tree.digest()}\t{tree.title}")


@trees.command("find")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {id, title, score}.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N trees.")
@kb_option
@handle_errors
def trees_find(query: str, as_json: bool, limit: int | None, kb_dir: Path) -> None:
    """The trees that fit what the caller says, best first (the agent app's ranking).

    Only trees that match are listed; exit status 1 when none does.
    """
    from helpdesk.search.trees import tree_index

    found = tree_index(load_kb(kb_dir)).find(query, limit=limit)
    if as_json:
        click.echo(json.dumps([m.to_dict() for m in found], indent=2))
    else:
        for match in found:
            click.echo(f"{match.score:6.2f}  {match.id}\t{match.title}")
    if not found:
        click.echo(f"No tree matches '{query}'; try the caller's other words.", err=True)
        sys.exit(1)


@trees.command("report")
@click.argument(
    "transcripts_dir",
    required=False,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def trees_report(transcripts_dir: Path | None, as_json: bool) -> None:
    """Per tree: resolution rate by outcome tag, where walks end or are abandoned, and
    the median time per node, from the transcripts in TRANSCRIPTS_DIR (default: the
    state folder)."""
    from helpdesk.diagnostics.report import build_report, render_table

    folder = transcripts_dir or default_state_dir()
    stats = build_report(folder) if folder.is_dir() else {}
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in stats.values()], indent=2))
        return
    if not stats:
        click.echo(f"No transcripts in {folder}; walks are saved there as they happen.", err=True)
        return
    from rich.console import Console

    width = int(os.environ.get("COLUMNS", "160"))
    Console(width=width).print(render_table(stats))
