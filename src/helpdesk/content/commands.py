"""``helpdesk lint`` and ``helpdesk schema``."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click

from helpdesk.cli import handle_errors, kb_option
from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.content.schema import SCHEMAS, schema_json
from helpdesk.errors import ContentError, HelpdeskError, Problem


@click.command()
@kb_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--strict", is_flag=True, help="Fail on warnings too (e.g. a passed review date).")
@handle_errors
def lint(kb_dir: Path, fmt: str, strict: bool) -> None:
    """Check every file in the knowledge base; report all problems at once.

    Exit status: 0 clean (warnings allowed unless --strict), 1 problems found.
    """
    try:
        kb = load_kb(kb_dir)
        problems: list[Problem] = list(kb.warnings) + _registered_checks(kb)
        summary = f"{len(kb.articles)} article(s) checked"
    except ContentError as exc:
        problems = exc.problems
        summary = "knowledge base has errors"
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if fmt == "json":
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem), err=problem.severity == "error")
        tail = f"{summary}: {len(errors)} error(s), {len(warnings)} warning(s)"
        click.echo(tail, err=bool(errors))
    if errors or (strict and warnings):
        sys.exit(1)


def _registered_checks(kb: KnowledgeBase) -> list[Problem]:
    """Problems from the checks the command layer registers (``helpdesk.cli.LINT_CHECKS``),
    imported by name so that content imports none of them; a check that cannot run
    (a bad setting, an unreachable database) stops lint with its message."""
    from helpdesk.cli import LINT_CHECKS

    found: list[Problem] = []
    for name in LINT_CHECKS:
        module, attr = name.split(":")
        try:
            found += getattr(importlib.import_module(module), attr)(kb)
        except HelpdeskError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
    return sorted(found)


@click.command()
@click.argument("kind", type=click.Choice(sorted(SCHEMAS)))
@handle_errors
def schema(kind: str) -> None:
    """Print the JSON Schema of a kind of file (article, release, tree, taxonomy)."""
    click.echo(schema_json(kind), nl=False)
