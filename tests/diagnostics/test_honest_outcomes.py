"""Outcomes that say what happened: declined fixes, sealed transcripts, headless runs
that stop where their help says, and a report per tree version."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from helpdesk.cli import cli
from helpdesk.server import seed

REPO = Path(__file__).resolve().parents[2]
SARA = seed.LOCKED_USER.email


def _diagnose(tmp_path: Path, state_dir: Path, tree: str, answers: str, *extra: str) -> object:
    path = tmp_path / f"{tree}.yaml"
    path.write_text(answers, encoding="utf-8")
    return CliRunner().invoke(
        cli,
        ["diagnose", tree, "--answers", str(path), "--kb", str(REPO / "kb"),
         "--state-dir", str(state_dir), *extra],
    )  # fmt: skip


LOCKED = f"ticket: HD-7\nemail: {SARA}\ncaller_is_user: true\nunlock_or_wait: unlock\n"


def test_diagnose_stops_at_a_plan_with_status_0_and_a_complete_apply_command(
    tmp_path: Path, state_dir: Path
) -> None:
    result = _diagnose(tmp_path, state_dir, "account-locked", LOCKED)  # no answer for 'unlock'

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Stopped before the change" in out
    command = out.split("apply with:\n", 1)[1].splitlines()[0].strip()
    assert f"--state-dir {state_dir}" in command
    assert command.endswith("--yes") and "--session account-locked-" in command
    # stdout and stderr never run together
    assert "--yessession" not in result.output


def test_diagnose_apply_command_names_the_server_and_the_token_variable_not_the_token() -> None:
    from helpdesk.diagnostics.commands import _apply_command

    parts = _apply_command(
        "account-locked", Path("a.yaml"), "s-1", api_url="http://127.0.0.1:9", state_dir=None,
        kb_dir=Path("kb"),
    )  # fmt: skip
    line = " ".join(parts)
    assert '--api-url http://127.0.0.1:9 --token "$HELPDESK_TOKEN"' in line


def test_diagnose_reads_the_token_variable_the_app_reads(
    tmp_path: Path, state_dir: Path, monkeypatch: object
) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(LOCKED, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["diagnose", "account-locked", "--answers", str(answers), "--kb", str(REPO / "kb"),
         "--state-dir", str(state_dir), "--api-url", "http://127.0.0.1:9"],
        env={"HELPDESK_TOKEN": "t0k"},
    )  # fmt: skip
    assert result.exit_code == 3, result.output  # got past the token check: unreachable


def test_a_declined_fix_ends_as_fix_declined_and_is_reported_so(
    tmp_path: Path, state_dir: Path
) -> None:
    result = _diagnose(tmp_path, state_dir, "account-locked", LOCKED + "unlock: decline\n", "--yes")
    assert result.exit_code == 0, result.output
    assert "Fix declined" in result.stdout

    report = CliRunner().invoke(cli, ["trees", "report", str(state_dir), "--json"])
    (stats,) = json.loads(report.output)
    assert stats["outcomes"]["declined"] == 1
    assert stats["outcomes"]["resolved"] == stats["outcomes"]["workaround"] == 0
    assert stats["version"]


def test_report_counts_abandoned_walks_with_the_drop_off_per_node(
    tmp_path: Path, state_dir: Path
) -> None:
    _diagnose(tmp_path, state_dir, "account-locked", LOCKED)  # stopped at the plan: open
    _diagnose(tmp_path, state_dir, "account-locked", LOCKED + "unlock: confirm\n", "--yes")

    report = CliRunner().invoke(cli, ["trees", "report", str(state_dir), "--json"])
    (stats,) = json.loads(report.output)
    assert stats["walks"] == 2
    assert stats["outcomes"]["abandoned"] == 1 and stats["outcomes"]["resolved"] == 1
    assert stats["drop_off"]["unlock"] == {"reached": 2, "abandoned": 1, "rate": 0.5}


def _finished_transcript(tmp_path: Path, state_dir: Path) -> Path:
    result = _diagnose(tmp_path, state_dir, "account-locked", LOCKED + "unlock: confirm\n", "--yes")
    assert result.exit_code == 0, result.output
    (path,) = state_dir.glob("*.jsonl")
    return path


def _verify(path: Path) -> object:
    return CliRunner().invoke(cli, ["transcript", "verify", str(path)])


def test_a_sealed_transcript_verifies(tmp_path: Path, state_dir: Path) -> None:
    result = _verify(_finished_transcript(tmp_path, state_dir))
    assert result.exit_code == 0, result.output
    assert "sealed" in result.output


def test_a_transcript_cut_after_any_record_is_detected(tmp_path: Path, state_dir: Path) -> None:
    path = _finished_transcript(tmp_path, state_dir)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for keep in range(1, len(lines)):
        cut = tmp_path / f"cut-{keep}.jsonl"
        cut.write_text("".join(lines[:keep]), encoding="utf-8")
        result = _verify(cut)
        assert result.exit_code == 1, (keep, result.output)
        assert "cut" in result.output


def test_a_record_appended_after_the_seal_is_detected(tmp_path: Path, state_dir: Path) -> None:
    from helpdesk.diagnostics.transcript import chain, read_records, record_line

    path = _finished_transcript(tmp_path, state_dir)
    records = read_records(path)
    chain(records, "question", "2025-09-15T10:00:00+00:00", node="x", prompt="p", answer="a")
    path.write_text("".join(record_line(r) + "\n" for r in records), encoding="utf-8")
    result = _verify(path)
    assert result.exit_code == 1 and "closing record" in result.output


def test_an_open_walk_verifies_against_its_saved_state(tmp_path: Path, state_dir: Path) -> None:
    _diagnose(tmp_path, state_dir, "account-locked", LOCKED)  # stopped at the plan
    (path,) = state_dir.glob("*.jsonl")
    result = _verify(path)
    assert result.exit_code == 0, result.output
    assert "still open" in result.output
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # cut while open
    assert _verify(path).exit_code == 1


def _rewrite(path: Path, old: str, new: str) -> None:
    """Edit a transcript and recompute its whole chain and seal, as a forger would."""
    from helpdesk.diagnostics.transcript import GENESIS, read_records, record_hash, record_line

    records = read_records(path)
    prev = GENESIS
    for record in records:
        for key, value in list(record.items()):
            if isinstance(value, str) and old in value:
                record[key] = value.replace(old, new)
        record["prev"] = prev
        if record["type"] == "close":
            record["head"] = prev
        record["hash"] = record_hash(record)
        prev = record["hash"]
    path.write_text("".join(record_line(r) + "\n" for r in records), encoding="utf-8")


def test_the_server_proves_a_transcript_and_catches_a_recomputed_rewrite(
    tmp_path: Path, state_dir: Path, server: object
) -> None:
    url = server.base_url  # type: ignore[attr-defined]
    token = server.tokens["agent"]  # type: ignore[attr-defined]
    answers = tmp_path / "a.yaml"
    answers.write_text(LOCKED + "unlock: confirm\n", encoding="utf-8")
    env = {"HELPDESK_TOKEN": token}
    result = CliRunner().invoke(
        cli,
        ["diagnose", "account-locked", "--answers", str(answers), "--kb", str(REPO / "kb"),
         "--state-dir", str(state_dir), "--api-url", url, "--yes"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (path,) = state_dir.glob("*.jsonl")

    proved = CliRunner().invoke(cli, ["transcript", "verify", str(path), "--api-url", url], env=env)
    assert proved.exit_code == 0, proved.output
    assert "1 write(s) proven" in proved.output

    _rewrite(path, "HD-7", "HD-9")  # a different ticket, every hash recomputed
    assert _verify(path).exit_code == 0  # the file alone cannot tell
    caught = CliRunner().invoke(cli, ["transcript", "verify", str(path), "--api-url", url], env=env)
    assert caught.exit_code == 1
    assert "rewritten" in caught.output
