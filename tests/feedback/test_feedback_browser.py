"""The widget in Chromium, against a built site and a real feedback service, both on
127.0.0.1: what a reader does reaches the database, in the page's language."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from feedback_support import make_project, page_of, table_rows
from report_support import FIXTURE_KB

from helpdesk.feedback.app import create_app
from helpdesk.feedback.live import LiveFeedback, free_port
from helpdesk.feedback.settings import FeedbackSettings
from helpdesk.publish.build import build_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]
) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("site")
    project = make_project(tmp, FIXTURE_KB)
    db = tmp / "feedback.sqlite3"
    port = free_port()
    mp = pytest.MonkeyPatch()
    mp.setenv("HELPDESK_FEEDBACK_URL", f"http://127.0.0.1:{port}/v1/feedback")
    try:
        build_site(project / "kb")
    finally:
        mp.undo()
    settings = FeedbackSettings(db=str(db), kb_dir=project / "kb")
    with LiveFeedback(settings, app=create_app(settings), port=port) as live:
        yield {
            "site": project / "site",
            "base": serve_folder(project / "site"),
            "db": db,
            "live": live,
        }


def wait_for_rows(world: dict[str, Any], table: str, count: int) -> list[tuple[object, ...]]:
    """The table's rows once it holds ``count`` (bounded wait: beacons are asynchronous)."""
    deadline = time.monotonic() + 10
    while True:
        world["live"].service.writer.flush()
        rows = table_rows(world["db"])[table]
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


@pytest.fixture
def fresh(world: dict[str, Any]) -> Iterator[None]:
    """Each test starts from an empty database."""
    import sqlite3

    world["live"].service.writer.flush()
    with sqlite3.connect(world["db"]) as conn:
        conn.execute("DELETE FROM votes")
        conn.execute("DELETE FROM searches")
    yield


def open_article(chromium: Any, world: dict[str, Any], article: str) -> tuple[Any, Any]:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(world["base"] + page_of(world["site"], article))
    page.locator(".hd-feedback form").wait_for()
    return context, page


def test_a_no_with_a_reason_and_a_comment_reaches_the_database(
    world: dict[str, Any], fresh: None, chromium: Any, tmp_path: Path
) -> None:
    context, page = open_article(chromium, world, "pin-login")
    box = page.locator(".hd-feedback")
    assert box.get_by_role("group", name="Was this helpful?").is_visible()
    box.get_by_role("button", name="No").click()
    box.get_by_label("It is hard to follow").check()
    box.get_by_label("Anything to add? (optional)").fill("Step 3 names a menu I cannot find.")
    box.get_by_role("button", name="Send").click()
    assert box.get_by_role("status").is_visible()
    page.screenshot(path=str(tmp_path / "voted.png"), full_page=True)
    rows = wait_for_rows(world, "votes", 1)
    assert [row[2:] for row in rows] == [
        ("en", "pin-login", 0, "hard-to-follow", "Step 3 names a menu I cannot find.")
    ]
    cookies = context.cookies()
    context.close()
    assert cookies == []


def test_a_no_left_without_sending_still_counts_once(
    world: dict[str, Any], fresh: None, chromium: Any
) -> None:
    context, page = open_article(chromium, world, "enable-mfa")
    page.locator(".hd-feedback").get_by_role("button", name="No").click()
    page.goto(world["base"])  # leaves the page: the pending "No" goes out as a beacon
    rows = wait_for_rows(world, "votes", 1)
    context.close()
    assert [row[2:] for row in rows] == [("en", "enable-mfa", 0, None, None)]


def test_a_search_with_no_result_is_recorded_with_its_language(
    world: dict[str, Any], fresh: None, chromium: Any
) -> None:
    context, page = open_article(chromium, world, "pin-login")
    page.evaluate(
        """() => document.dispatchEvent(new CustomEvent("helpdesk:search",
             {detail: {query: "schedina alloggiati", results: [], lang: "it"}}))"""
    )
    page.goto(world["base"])  # the reader gives up and leaves
    rows = wait_for_rows(world, "searches", 1)
    context.close()
    assert [row[2:] for row in rows] == [("it", "schedina alloggiati", 0, None)]


def test_offline_then_online_delivers_the_queued_vote_once(
    world: dict[str, Any], fresh: None, chromium: Any
) -> None:
    context, page = open_article(chromium, world, "activate-device")
    context.set_offline(True)
    page.locator(".hd-feedback").get_by_role("button", name="Yes").click()
    queued = page.evaluate("() => localStorage.getItem('helpdesk.feedback.queue')")
    assert queued is not None and '"activate-device"' in queued
    time.sleep(0.5)
    assert table_rows(world["db"])["votes"] == []  # nothing got through while offline
    context.set_offline(False)
    rows = wait_for_rows(world, "votes", 1)
    page.wait_for_function("() => localStorage.getItem('helpdesk.feedback.queue') === null")
    page.reload()  # a new page load finds an empty queue: nothing is sent again
    page.locator(".hd-feedback form").wait_for()
    time.sleep(0.5)
    assert len(wait_for_rows(world, "votes", 2)) == 1
    assert page.locator(".hd-feedback").get_by_role("status").is_visible()  # remembered
    context.close()
    assert [row[2:] for row in rows] == [("en", "activate-device", 1, None, None)]


def test_without_an_endpoint_the_site_has_no_widget_and_no_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HELPDESK_FEEDBACK_URL", raising=False)
    project = make_project(tmp_path, FIXTURE_KB)
    build_site(project / "kb")
    pages = [p.read_text(encoding="utf-8") for p in (project / "site").rglob("*.html")]
    assert pages
    assert not any("hd-feedback" in page or "feedback.js" in page for page in pages)
    assert not (project / "site" / "assets" / "feedback-config.js").exists()
