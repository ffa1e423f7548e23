"""Every kind of bad article gets one clear `path:line:column: message`, exit 1, no traceback.

Each file in fixtures/broken/ is dropped into an otherwise valid knowledge base; its
first line says where the problem must be reported and what the message must say.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpdesk.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
EXPECT_RE = re.compile(rb"^# expect: (\d+):(\d+)\|(.+)$")


def _expectation(path: Path) -> tuple[int, int, str]:
    first_line = path.read_bytes().splitlines()[0]
    match = EXPECT_RE.match(first_line)
    assert match, f"{path.name} lacks its '# expect: LINE:COL|message' line"
    return int(match[1]), int(match[2]), match[3].decode()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb", target)
    return target


@pytest.mark.parametrize("broken", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_article_is_reported_at_its_line(kb: Path, broken: Path) -> None:
    line, column, fragment = _expectation(broken)
    shutil.copy(broken, kb / "articles" / broken.name)

    result = CliRunner().invoke(cli, ["lint", "--kb", str(kb)])

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    expected_prefix = f"kb/articles/{broken.name}:{line}:{column}: "
    matching = [ln for ln in result.output.splitlines() if ln.startswith(expected_prefix)]
    assert matching, f"no problem reported at {expected_prefix}\n{result.output}"
    assert any(fragment in ln for ln in matching), result.output


def test_python_tags_are_never_executed(kb: Path, tmp_path: Path) -> None:
    marker = Path("/tmp/helpdesk-pwned")
    marker.unlink(missing_ok=True)
    shutil.copy(FIXTURES / "broken" / "python-tag.yaml", kb / "articles" / "python-tag.yaml")

    CliRunner().invoke(cli, ["lint", "--kb", str(kb)])

    assert not marker.exists()


def test_every_problem_of_a_run_is_reported_at_once(kb: Path) -> None:
    for name in ("unknown-key.yaml", "bad-date.yaml", "tabs.yaml", "missing-related.yaml"):
        shutil.copy(FIXTURES / "broken" / name, kb / "articles" / name)

    result = CliRunner().invoke(cli, ["lint", "--kb", str(kb)])

    assert result.exit_code == 1
    reported = {ln.split(":")[0] for ln in result.output.splitlines() if ln.startswith("kb/")}
    assert reported == {
        "kb/articles/unknown-key.yaml",
        "kb/articles/bad-date.yaml",
        "kb/articles/tabs.yaml",
        "kb/articles/missing-related.yaml",
    }
    assert "4 error(s)" in result.output
