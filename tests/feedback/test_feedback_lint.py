"""helpdesk lint, set to, warns on articles readers found unhelpful; --strict fails on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from report_support import copy_kb, make_database

from helpdesk.cli import cli


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # pin-login: 2 yes of 6; enable-mfa: 0 of 1; activate-device: 9 of 10.
    monkeypatch.setenv("HELPDESK_FEEDBACK_DB", str(make_database(tmp_path / "fb.sqlite3")))
    for name in ("HELPDESK_LINT_YES_SHARE", "HELPDESK_LINT_MIN_VOTES", "HELPDESK_LINT_SINCE"):
        monkeypatch.delenv(name, raising=False)
    return copy_kb(tmp_path)


def lint(kb: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["lint", "--kb", str(kb), *args])


def test_without_a_threshold_lint_does_not_look_at_feedback(kb: Path) -> None:
    result = lint(kb, "--strict")
    assert "unhelpful" not in result.output


def test_an_article_under_the_share_over_enough_votes_is_a_warning_strict_fails_on(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_LINT_YES_SHARE", "60%")
    monkeypatch.setenv("HELPDESK_LINT_MIN_VOTES", "5")
    result = lint(kb)
    flagged = [line for line in result.output.splitlines() if "unhelpful" in line]
    assert flagged == [
        "kb/articles/pin-login.yaml:2:8: warning: readers found this unhelpful: 33% 'yes' "
        "over 6 votes (threshold 60%); reasons: outdated 2, hard-to-follow 1, missing-info 1; "
        "see `helpdesk report` for their comments"
    ]  # enable-mfa has too few votes, activate-device is liked
    assert result.exit_code == 0  # a warning
    assert lint(kb, "--strict").exit_code == 1


def test_votes_before_since_do_not_count(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_LINT_YES_SHARE", "0.6")
    monkeypatch.setenv("HELPDESK_LINT_MIN_VOTES", "1")
    monkeypatch.setenv("HELPDESK_LINT_SINCE", "2026-11-21")
    flagged = [line for line in lint(kb).output.splitlines() if "unhelpful" in line]
    assert len(flagged) == 1 and "enable-mfa.yaml" in flagged[0]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HELPDESK_LINT_YES_SHARE", "most"),
        ("HELPDESK_LINT_YES_SHARE", "1.5"),
        ("HELPDESK_LINT_MIN_VOTES", "-3"),
        ("HELPDESK_LINT_SINCE", "last week"),
    ],
)
def test_a_setting_that_cannot_be_used_is_a_usage_error_naming_it(
    kb: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("HELPDESK_LINT_YES_SHARE", "0.5")
    monkeypatch.setenv(name, value)
    result = lint(kb)
    assert result.exit_code == 2
    assert f"${name} is {value!r}" in result.stderr
    assert "Traceback" not in result.output
