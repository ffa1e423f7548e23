"""The writer's workflow: new, publish (freeze), corrections, withdraw, list; exit codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner
from releases_support import DAY, edit

from helpdesk.cli import cli
from helpdesk.content.kb import KnowledgeBase, load_kb
from helpdesk.errors import ContentError, ReleaseError
from helpdesk.publish.release_pages import release_pages
from helpdesk.releases.catalog import releases_of
from helpdesk.releases.lock import read_lock
from helpdesk.releases.workflow import new_release, publish_release, withdraw_release

LoadKb = Callable[..., KnowledgeBase]


def test_new_scaffolds_a_draft_that_loads(kb_dir: Path) -> None:
    path = new_release(kb_dir, "client", "21.0")
    assert path == kb_dir / "releases" / "client" / "21.0.yaml"
    release = releases_of(load_kb(kb_dir)).by_product["client"][-1].release
    assert (release.version, release.status, release.date) == ("21.0", "draft", None)


def test_new_refuses_an_existing_version_however_spelled(kb_dir: Path) -> None:
    with pytest.raises(ReleaseError, match=r"20\.0\.0\.yaml already holds"):
        new_release(kb_dir, "client", "20.0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "toaster", "1.0"], "unknown product 'toaster'"),
        (["new", "client", "20.x"], "'20.x' is not a version"),
        (["publish", "toaster", "1.0"], "unknown product 'toaster'"),
        (["publish", "client", "1..0"], "is not a version"),
        (["list", "toaster"], "unknown product 'toaster'"),
    ],
)
def test_usage_errors_exit_2(kb_dir: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["release", args[0], "--kb", str(kb_dir), *args[1:]])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_publish_sets_status_date_and_lock(kb_dir: Path) -> None:
    message = publish_release(kb_dir, "client", "20.0.10", today=DAY)
    publish_release(kb_dir, "client", "19.99", today=DAY)
    assert message == "published client 20.0.10 dated 2025-09-01"
    text = (kb_dir / "releases" / "client" / "20.0.10.yaml").read_text()
    assert "status: published\ndate: 2025-09-01\n" in text
    lock_text = (kb_dir / "releases" / "published.lock").read_text()
    lines = [line for line in lock_text.splitlines() if not line.startswith("#")]
    assert [line.split()[:2] for line in lines] == [["client", "19.99"], ["client", "20.0.10"]]
    assert all(line.split()[2].startswith("sha256:") and line.endswith(" 0") for line in lines)
    assert not list((kb_dir / "releases").rglob("*.tmp"))  # atomic writes leave nothing behind
    with pytest.raises(ReleaseError, match="already published"):
        publish_release(kb_dir, "client", "19.99", today=DAY)


def test_publish_refuses_a_kb_with_problems(kb_dir: Path) -> None:
    edit(kb_dir / "releases" / "client" / "19.99.yaml", "id: faster-scans", "id: Bad Id")
    with pytest.raises(ContentError):
        publish_release(kb_dir, "client", "19.99", today=DAY)
    assert "status: draft" in (kb_dir / "releases" / "client" / "19.99.yaml").read_text()


def test_editing_a_published_note_needs_a_correction(
    published_kb: Path, env: jinja2.Environment
) -> None:
    path = published_kb / "releases" / "client" / "20.0.9.yaml"
    edit(path, "A typo on the start screen", "Two typos on the start screen")
    with pytest.raises(ContentError) as info:
        load_kb(published_kb)
    [problem] = info.value.problems
    assert problem.path.endswith("releases/client/20.0.9.yaml")
    assert "was edited" in problem.message and "corrections" in problem.message

    path.write_text(
        path.read_text()
        + "corrections:\n  - date: 2025-09-20\n    reason: The fix covered two typos.\n"
    )
    kb = load_kb(published_kb)  # a correction makes the edit legitimate
    page = release_pages(kb, env, today=DAY)["release-notes/client/20.0.9.md"]
    assert '!!! info "Corrected on 20 September 2025"' in page
    assert "The fix covered two typos." in page
    assert "Two typos on the start screen" in page

    # Publishing again records the correction; a later silent edit is caught again.
    assert "recorded the correction" in publish_release(published_kb, "client", "20.0.9", today=DAY)
    assert (
        read_lock(published_kb / "releases" / "published.lock")[("client", "20.0.9")].corrections
        == 1
    )
    edit(path, "Two typos", "Three typos")
    with pytest.raises(ContentError):
        load_kb(published_kb)


def test_marking_a_known_issue_fixed_is_not_an_edit(published_kb: Path) -> None:
    edit(published_kb / "releases" / "client" / "20.0.0.yaml", '"20.0.10"', '"20.0.9"')
    load_kb(published_kb)  # fixed_in is lifecycle, not frozen content


def test_a_published_release_cannot_return_to_draft(published_kb: Path) -> None:
    edit(published_kb / "releases" / "client" / "19.99.yaml", "status: published", "status: draft")
    with pytest.raises(ContentError, match="problem"):
        load_kb(published_kb)


def test_deleting_a_published_release_is_caught_in_the_lock(published_kb: Path) -> None:
    (published_kb / "releases" / "client" / "19.99.yaml").unlink()
    with pytest.raises(ContentError) as info:
        load_kb(published_kb)
    [problem] = info.value.problems
    assert problem.path.endswith("releases/published.lock")
    assert problem.line > 2 and "is missing" in problem.message


def test_withdraw_keeps_the_page_with_a_banner(published_kb: Path, env: jinja2.Environment) -> None:
    withdraw_release(
        published_kb,
        "client",
        "20.0.9",
        reason="It broke printing; install 20.0.10.",
        today=dt.date(2025, 9, 5),
    )
    kb = load_kb(published_kb)  # withdrawing does not count as an edit
    assert releases_of(kb).by_product["client"][2].release.status == "withdrawn"
    pages = release_pages(kb, env, today=DAY)
    page = pages["release-notes/client/20.0.9.md"]
    assert '!!! danger "Withdrawn on 5 September 2025"' in page
    assert "It broke printing; install 20.0.10." in page
    assert "20.0.9 (withdrawn)" in pages["release-notes/client/index.md"]
    assert '<option value="20.0.9"' not in pages["release-notes/client/upgrade.md"]


def test_list_is_newest_first_with_status(published_kb: Path) -> None:
    new_release(published_kb, "client", "21.0.0-beta.1")
    result = CliRunner().invoke(
        cli, ["release", "list", "client", "--kb", str(published_kb), "--today", "2025-09-02"]
    )
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert [row[1] for row in rows] == ["21.0.0-beta.1", "20.0.10", "20.0.9", "20.0.0", "19.99"]
    assert rows[0][2:] == ["-", "draft"]
    assert rows[1][2:] == ["2025-09-01", "published"]


def test_publish_command(kb_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["release", "publish", "app", "1.5", "--kb", str(kb_dir), "--today", "2025-09-03"]
    )
    assert result.exit_code == 0, result.output
    assert "published app 1.5 dated 2025-09-03" in result.output
