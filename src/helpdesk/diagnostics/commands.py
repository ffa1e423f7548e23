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
from helpdesk.diagnostics.model import trees_of
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


TOKEN_ENV = "HELPDESK_TOKEN"
"""The token variable, the same one ``helpdesk agent`` reads."""


def _client(api_url: str | None, token: str | None, state_dir: Path) -> Any:
    if api_url:
        if not token:
            raise ConfigError(f"--api-url needs --token (or ${TOKEN_ENV})")
        from helpdesk.access.client import AccessClient

        return AccessClient(api_url, token=token)
    from helpdesk.server.embedded import open_embedded_client

    state_dir.mkdir(parents=True, exist_ok=True)
    return open_embedded_client(state_dir / "embedded-access.db")


def _apply_command(
    tree_id: str,
    answers_file: Path,
    session_id: str,
    *,
    api_url: str | None,
    state_dir: Path | None,
    kb_dir: Path,
) -> list[str]:
    """The command that carries on from the saved plan, complete (the token by name only)."""
    parts = ["helpdesk", "diagnose", tree_id, "--answers", str(answers_file)]
    if api_url:
        parts += ["--api-url", api_url, "--token", f'"${TOKEN_ENV}"']
    if state_dir is not None:
        parts += ["--state-dir", str(state_dir)]
    if kb_dir != Path("kb"):
        parts += ["--kb", str(kb_dir)]
    return [*parts, "--session", session_id, "--yes"]


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
@click.option(
    "--token",
    envvar=[TOKEN_ENV, "HELPDESK_API_TOKEN"],
    default=None,
    help=f"Access API token (else ${TOKEN_ENV}, as for helpdesk agent).",
)
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

    Without --yes the walk stops at the first planned change (whether or not the
    answers file records one for it), prints the plan and the complete command that
    applies it (--session ID --yes), and exits 0. With --yes every planned change is
    confirmed unless the answers file says decline. A finished walk's transcript is
    sealed. Exit status: 0 finished or stopped at a plan, 1 the walk failed or an
    answer is missing, 2 a usage error, 3 the access API is unreachable.
    """
    kb = load_kb(kb_dir)
    tree = trees_of(kb).get(tree_id)
    if tree is None:
        known = ", ".join(sorted(trees_of(kb))) or "none"
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
    if result.state == "stopped":
        _print_plan(session)
        command = _apply_command(
            tree_id, answers_file, session.id, api_url=api_url, state_dir=state_dir, kb_dir=kb_dir
        )
        click.echo(f"\nStopped before the change. Session {session.id} is saved; apply with:")
        click.echo("  " + " ".join(command))
        if api_url and not os.environ.get(TOKEN_ENV):
            click.echo(f"  (set {TOKEN_ENV} to the token first; it is never printed)")
    # Everything for stdout is out before stderr speaks, so the two never run together.
    sys.stdout.flush()
    for label, value in result.secrets:
        # Shown once, on the terminal only: never in the transcript or the saved state.
        click.echo(f"SHOWN ONCE — {label}: {value}", err=True)
    click.echo(f"session: {session.id}\ntranscript: {session.transcript_path}", err=True)
    if result.state == "failed":
        raise DiagnosticError(session.message or "the walk failed")


@click.group()
def transcript() -> None:
    """Check and show diagnosis transcripts (JSON Lines, hash-chained)."""


@transcript.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--api-url",
    envvar="HELPDESK_API_URL",
    default=None,
    help="Also prove every applied write against this access API's audit log.",
)
@click.option(
    "--token", envvar=[TOKEN_ENV, "HELPDESK_API_TOKEN"], default=None, help="Access API token."
)
@handle_errors
def transcript_verify(file: Path, api_url: str | None, token: str | None) -> None:
    """Check FILE's hash chain and its seal (a closed walk's last record).

    With --api-url, also check that each applied write's chain head is the one the
    server recorded, which catches a transcript rewritten with recomputed hashes.
    Exit 0 intact (or an open walk intact so far), 1 tampered, cut or not proven,
    3 the access API is unreachable.
    """
    verdict = verify_transcript(file)
    if not verdict.ok:
        click.echo(f"{file}:{verdict.line}: tampered: {verdict.message}", err=True)
        sys.exit(1)
    if not verdict.sealed and not _still_open(file, verdict):
        click.echo(f"{file}:{verdict.records}: cut: {verdict.message}", err=True)
        sys.exit(1)
    if api_url:
        from helpdesk.diagnostics.proof import prove

        if not token:
            raise ConfigError(f"--api-url needs --token (or ${TOKEN_ENV})")
        from helpdesk.access.client import AccessClient

        async def check() -> Any:
            async with AccessClient(api_url, token=token) as client:
                return await prove(read_records(file), client)

        proof = asyncio.run(check())
        for line, problem in proof.problems:
            click.echo(f"{file}:{line}: {problem}", err=True)
        if not proof.ok:
            sys.exit(1)
        click.echo(f"{file}: ok, {verdict.message}; {proof.proven} write(s) proven by {api_url}")
        return
    state = "" if verdict.sealed else " (the walk is still open; sealed when it is closed)"
    click.echo(f"{file}: ok, {verdict.message}{state}")


def _still_open(path: Path, verdict: Any) -> bool:
    """Whether the saved session beside ``path`` is an open walk ending where the file does."""
    from helpdesk.diagnostics.state import SessionState

    try:
        state = SessionState.model_validate_json(
            path.with_suffix(".json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return False
    records = state.records
    return (
        not state.closed
        and len(records) == verdict.records
        and bool(records)
        and records[-1].get("hash") == verdict.head
    )


@transcript.command("show")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@handle_errors
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
    for tree in sorted(trees_of(kb).values(), key=lambda t: t.id):
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
    from helpdesk.diagnostics.routing import tree_index

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
@handle_errors
def trees_report(transcripts_dir: Path | None, as_json: bool) -> None:
    """Per tree version: walks resolved, worked around, not ours, escalated, declined
    (a fix the agent declined), failed and abandoned; the drop-off per node and the
    median time per node, from the transcripts in TRANSCRIPTS_DIR (default: the state
    folder)."""
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
