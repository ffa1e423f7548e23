# ruff: noqa: E501  (scenario tables read best one path per line)
"""Session behaviour: retried confirms, decline, back, misuse, transcripts, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from helpdesk.access.client import AccessClient
from helpdesk.cli import cli
from helpdesk.content.kb import KnowledgeBase
from helpdesk.diagnostics.engine import Session
from helpdesk.diagnostics.model import Tree, trees_of
from helpdesk.diagnostics.transcript import verify_transcript
from helpdesk.errors import DiagnosticError, TransportError
from helpdesk.server.testing import DemoServer

from .conftest import REPO
from .test_tree_paths import SARA

HELPDESK = str(Path(sys.executable).parent / "helpdesk")


class DropFirstWrite(httpx.AsyncBaseTransport):
    """Forwards every request, but loses the answer to the first real write (a dropped link)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and "dry_run" not in str(request.url) and not self.dropped:
            await response.aread()
            self.dropped += 1
            raise httpx.ReadError("connection reset after the server applied the change")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _walk_to_unlock(kb: KnowledgeBase, client: AccessClient, state_dir: Path) -> Session:
    """A new walk of account-locked, answered up to the unlock plan."""
    session = await Session.start(trees_of(kb)["account-locked"], client, state_dir=state_dir)
    await session.provide("HD-9")
    await session.provide(SARA)
    await session.confirm()  # the identity gate
    await session.answer("unlock")
    assert session.current.kind == "action" and session.plan is not None
    return session


async def _applied(api: AccessClient, action: str) -> list[Any]:
    return [r for r in (await api.list_audit(action=action)).items if r.outcome == "applied"]


async def test_a_retried_confirm_applies_once(
    kb: KnowledgeBase, server: DemoServer, api: AccessClient, state_dir: Path
) -> None:
    transport = DropFirstWrite()
    async with server.client("agent", transport=transport, retries=0) as flaky:
        session = await _walk_to_unlock(kb, flaky, state_dir)
        with pytest.raises(TransportError):
            await session.confirm()
        assert transport.dropped == 1 and session.current.id == "unlock"
        outcome = await session.confirm()
    assert outcome is not None and outcome.applied and outcome.replayed
    assert session.outcome == "resolved"
    assert len(await _applied(api, "unlock_account")) == 1


async def test_decline_changes_nothing(
    kb: KnowledgeBase, api: AccessClient, state_dir: Path
) -> None:
    session = await _walk_to_unlock(kb, api, state_dir)
    await session.decline()
    assert session.outcome == "declined"  # never counted as worked around
    assert (await api.find_user_by_email(SARA)).locked_until is not None
    assert await _applied(api, "unlock_account") == []
    assert "declined" in [r["type"] for r in session.records]


def _tree_with_question_after_action() -> Tree:
    return Tree.model_validate(
        {
            "id": "back-test", "title": "Back", "symptoms": ["b"], "version_note": "b", "start": "ticket",
            "nodes": {
                "ticket": {"kind": "input", "type": "ticket", "prompt": "Ticket?", "next": "find"},
                "find": {"kind": "lookup", "operation": "find_user_by_email",
                         "params": {"email": SARA}, "save_as": "user", "next": "gate"},
                "gate": {"kind": "verify", "prompt": "Owner?", "next": "unlock", "on_refuse": "done"},
                "unlock": {"kind": "action", "operation": "unlock_account", "prompt": "Unlock",
                           "params": {"user_id": "{user.id}", "ticket": "{ticket}", "reason": "test unlock"},
                           "next": "more", "on_decline": "done", "on_error": "done"},
                "more": {"kind": "ask", "prompt": "Anything else?", "choices": [
                    {"value": "no", "label": "No", "next": "done"},
                    {"value": "yes", "label": "Yes", "next": "done"}]},
                "done": {"kind": "resolved", "outcome": "resolved", "text": "ok"},
            },
        }
    )  # fmt: skip


async def test_back_keeps_applied_changes(api: AccessClient, state_dir: Path) -> None:
    session = await Session.start(_tree_with_question_after_action(), api, state_dir=state_dir)
    with pytest.raises(DiagnosticError, match="no earlier question"):
        await session.back()
    await session.provide("HD-11")
    await session.confirm()
    await session.confirm()
    assert session.current.id == "more"
    view = await session.back()
    assert view.id == "gate" and "user" in session.facts
    note = session.records[-1]
    assert note["type"] == "back" and "stay applied" in note["note"] and "audit #" in note["note"]
    assert (await api.find_user_by_email(SARA)).locked_until is None
    assert session.breadcrumb == ["ticket", "find", "gate"]


async def test_misuse_raises_runtime_error(
    kb: KnowledgeBase, api: AccessClient, state_dir: Path
) -> None:
    session = await Session.start(trees_of(kb)["scanner-signature-pad"], api, state_dir=state_dir)
    await session.provide("HD-31")
    with pytest.raises(RuntimeError, match="does not apply"):
        await session.provide("x")
    with pytest.raises(DiagnosticError, match="not a choice"):
        await session.answer("purple")
    await session.answer("scan_error")
    await session.answer("Yes")  # a label works as well as a value
    assert session.finished and session.outcome == "resolved"
    for call in (session.answer("yes"), session.confirm()):
        with pytest.raises(RuntimeError, match="is finished"):
            await call
    session.close()
    with pytest.raises(RuntimeError, match="is finished"):
        await session.back()  # a closed walk is sealed: no step back


async def test_back_from_an_end_reopens_the_walk_until_it_is_closed(
    kb: KnowledgeBase, api: AccessClient, state_dir: Path
) -> None:
    session = await Session.start(trees_of(kb)["scanner-signature-pad"], api, state_dir=state_dir)
    await session.provide("HD-31")
    await session.answer("scan_error")
    await session.answer("yes")
    assert session.outcome == "resolved"

    view = await session.back()  # the caller says it still fails after all

    assert view.id == "locked" and not session.finished and session.outcome is None
    await session.answer("no")
    assert session.outcome == "escalated"
    session.close()
    assert [r["type"] for r in session.records[-2:]] == ["end", "close"]
    from helpdesk.diagnostics.report import walk_outcome

    assert walk_outcome(session.records) == ("escalated", "scanner_escalate")


async def test_transcript_chain_detects_an_edited_line(
    kb: KnowledgeBase, api: AccessClient, state_dir: Path
) -> None:
    session = await _walk_to_unlock(kb, api, state_dir)
    await session.confirm()
    path = session.transcript_path
    assert verify_transcript(path).ok
    lines = path.read_text().splitlines()
    assert len(lines) == len(session.records)
    edited = lines.copy()
    edited[1] = edited[1].replace("HD-9", "HD-1")  # line 2: the ticket answer
    path.write_text("\n".join(edited) + "\n")
    verdict = verify_transcript(path)
    assert not verdict.ok and verdict.line == 2
    result = CliRunner().invoke(cli, ["transcript", "verify", str(path)])
    assert result.exit_code == 1 and ":2: tampered" in result.output
    # Re-hashing the edited line does not help: the next line no longer follows it.
    from helpdesk.diagnostics.transcript import record_hash, record_line

    record = json.loads(edited[1])
    record["hash"] = record_hash(record)
    edited[1] = record_line(record)
    path.write_text("\n".join(edited) + "\n")
    verdict = verify_transcript(path)
    assert (
        not verdict.ok and verdict.line == 2 and "line 3 does not follow line 2" in verdict.message
    )


def _answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(
        "answers:\n  ticket: HD-9\n  email: " + SARA + "\n  caller_is_user: true\n"
        "  unlock_or_wait: unlock\n  unlock: confirm\n"
    )
    return path


def test_diagnose_stops_at_the_plan_then_resumes_with_yes(
    server: DemoServer, state_dir: Path, tmp_path: Path
) -> None:
    base = [HELPDESK, "diagnose", "account-locked", "--answers", str(_answers(tmp_path)),
            "--kb", str(REPO / "kb"), "--api-url", server.base_url,
            "--token", server.tokens["agent"], "--state-dir", str(state_dir)]  # fmt: skip
    first = subprocess.run(base, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert (
        "Planned change at 'unlock'" in first.stdout and "Stopped before the change" in first.stdout
    )
    (session_id,) = [p.stem for p in state_dir.glob("*.json")]
    second = subprocess.run(
        [*base, "--session", session_id, "--yes"], capture_output=True, text=True, timeout=60
    )
    assert second.returncode == 0, second.stderr
    assert "### Outcome: Resolved — `resolved`" in second.stdout and "audit #" in second.stdout
    assert verify_transcript(state_dir / f"{session_id}.jsonl").ok


_KILLED_WALK = """
import asyncio, os, signal, sys
from helpdesk.access.client import AccessClient
from helpdesk.content.kb import load_kb
from helpdesk.diagnostics.engine import Session
from helpdesk.diagnostics.model import trees_of

async def main():
    tree = trees_of(load_kb(sys.argv[1]))["account-locked"]
    async with AccessClient(sys.argv[2], token=sys.argv[3]) as api:
        session = await Session.start(tree, api, state_dir=sys.argv[4])
        await session.provide("HD-9")
        await session.provide(sys.argv[5])
        os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


async def test_resume_after_the_process_is_killed(
    kb: KnowledgeBase, server: DemoServer, api: AccessClient, state_dir: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED_WALK), str(REPO / "kb"), server.base_url,
         server.tokens["agent"], str(state_dir), SARA],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    (session_id,) = [p.stem for p in state_dir.glob("*.json")]
    session = await Session.resume(session_id, trees_of(kb), api, state_dir=state_dir)
    assert session.current.id == "caller_is_user"
    assert session.answers == {"ticket": "HD-9", "email": SARA}
    assert session.facts["user"].source.startswith("find_user_by_email(")
    await session.confirm()
    await session.answer("unlock")
    await session.confirm()
    assert session.outcome == "resolved"
    assert (await api.find_user_by_email(SARA)).locked_until is None
    assert verify_transcript(session.transcript_path).ok
    assert os.path.getsize(session.state_path) > 0


def test_trees_report_counts_outcomes(state_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    answers = tmp_path / "scan.yaml"
    for symptom, ok in [("scan_error", "yes"), ("scan_error", "no"), ("right_led", "yes")]:
        key = "locked" if symptom == "scan_error" else "wacom"
        answers.write_text(f"ticket: HD-8\nsymptom: {symptom}\n{key}: '{ok}'\n")
        result = runner.invoke(
            cli, ["diagnose", "scanner-signature-pad", "--answers", str(answers),
                  "--kb", str(REPO / "kb"), "--state-dir", str(state_dir)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    report = runner.invoke(cli, ["trees", "report", str(state_dir), "--json"])
    (stats,) = json.loads(report.output)
    assert stats["walks"] == 3
    assert stats["outcomes"]["resolved"] == 2 and stats["outcomes"]["escalated"] == 1
    assert stats["ends"] == {"unlocked": 1, "scanner_escalate": 1, "pad_ok": 1}
    assert set(stats["median_seconds"]) >= {"symptom", "locked"}
    table = runner.invoke(cli, ["trees", "report", str(state_dir)])
    assert "scanner-signature-pad" in table.output


async def test_a_mistyped_email_is_typed_again_instead_of_escalated(
    kb: KnowledgeBase, api: AccessClient, state_dir: Path
) -> None:
    session = await Session.start(trees_of(kb)["account-locked"], api, state_dir=state_dir)
    await session.provide("HD-12")
    view = await session.provide("sara.typo@hotel-aurora.example")

    assert view.id == "user_not_found" and view.kind == "ask"
    assert "sara.typo@hotel-aurora.example" in view.prompt
    assert "No such user in this workspace." in view.prompt

    view = await session.answer("retype")
    assert view.id == "email"
    view = await session.provide(SARA)

    assert view.id == "caller_is_user"  # found, and locked: the walk goes on
    assert session.facts["user"].value["email"] == SARA
    assert session.env()["email"] == SARA  # the retyped answer replaced the typo
    assert not session.finished


def _diagnose_locked(
    server: DemoServer, state_dir: Path, answers: Path
) -> subprocess.CompletedProcess[str]:
    """``helpdesk diagnose account-locked`` with ``answers``, as a writer runs it."""
    return subprocess.run(
        [HELPDESK, "diagnose", "account-locked", "--answers", str(answers),
         "--kb", str(REPO / "kb"), "--api-url", server.base_url,
         "--token", server.tokens["agent"], "--state-dir", str(state_dir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_recorded_answers_that_go_round_in_a_loop_stop_the_headless_run(
    server: DemoServer, state_dir: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "ticket: HD-13\nemail: nobody@hotel-aurora.example\nuser_not_found: retype\n"
    )
    run = _diagnose_locked(server, state_dir, answers)

    assert run.returncode == 1, run.stderr
    assert "go round in a loop" in run.stderr and "'email'" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_missing_answer_says_which_line_to_add(
    server: DemoServer, state_dir: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("ticket: HD-14\nemail: nobody@hotel-aurora.example\n")
    run = _diagnose_locked(server, state_dir, answers)

    assert run.returncode == 1, run.stderr
    assert "add 'user_not_found: …' (one of retype, escalate)" in run.stderr
    assert "Traceback" not in run.stderr
