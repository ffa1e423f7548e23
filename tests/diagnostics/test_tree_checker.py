"""The tree checker rejects one broken tree per rule, naming file, line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpdesk.cli import cli
from helpdesk.content.problems import ProblemList
from helpdesk.diagnostics.loader import load_tree_file
from helpdesk.diagnostics.operations import default_operations

from .conftest import FIXTURES, REPO

BROKEN = FIXTURES / "broken"

# fixture -> (line of the problem, words the message must contain)
CASES = {
    "missing-target": (7, "'nowhere' is not a node"),
    "unreachable": (9, "'orphan' cannot be reached"),
    "no-end": (7, "no path from 'first' reaches an end"),
    "no-else": (9, "has no 'else'"),
    "unknown-operation": (10, "unknown operation 'find_user_by_mail'"),
    "missing-param": (11, "needs parameter 'email'"),
    "wrong-kind": (10, "'unlock_account' is a write operation"),
    "unknown-article": (12, "article 'no-such-article' does not exist"),
    "read-before-set": (17, "'ask_email' is not set on every path"),
    "no-verify": (14, "not below a verify gate"),
    "no-on-error": (16, "has no 'on_error'"),
    "bad-condition": (11, "unexpected character '=' (use == to compare)"),
    "bad-field": (17, "'mfa.stat' is not a field"),
    "unknown-kind": (7, "unknown node kind 'inptu'; did you mean 'input'?"),
    "no-outcome": (8, "missing required key 'outcome'"),
}


def test_every_fixture_has_a_case() -> None:
    assert {p.stem for p in BROKEN.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_tree_is_rejected(name: str) -> None:
    line, words = CASES[name]
    problems = ProblemList(BROKEN)
    tree, _ = load_tree_file(BROKEN / f"{name}.yaml", problems, {"pin-login"}, default_operations())
    assert tree is None
    rendered = [str(p) for p in problems.errors]
    matching = [r for r in rendered if words in r]
    assert matching, rendered
    assert matching[0].startswith(f"broken/{name}.yaml:{line}:"), matching


def test_lint_reports_a_broken_tree_and_a_bad_tree_link(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "kb", kb)
    shutil.copy(BROKEN / "no-verify.yaml", kb / "trees" / "no-verify.yaml")
    article = kb / "articles" / "pin-login.yaml"
    article.write_text(
        article.read_text().replace("body:\n", "body:\n  - tree: {id: no-such-tree}\n", 1)
    )
    result = CliRunner().invoke(cli, ["lint", "--kb", str(kb)])
    assert result.exit_code == 1
    assert "trees/no-verify.yaml:14:3: action 'unlock' changes access" in result.output
    assert "tree 'no-such-tree' does not exist" in result.output


def test_repository_trees_pass_lint() -> None:
    result = CliRunner().invoke(cli, ["lint", "--kb", str(REPO / "kb")])
    assert result.exit_code == 0, result.output


def test_schema_tree_is_printed() -> None:
    result = CliRunner().invoke(cli, ["schema", "tree"])
    assert result.exit_code == 0
    assert '"VerifyNode"' in result.output
