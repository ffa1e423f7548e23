"""Snapshots of the key screens at a fixed size, fixed clock, fixed ids, no cursor blink.

Re-record after an intended UI change with ``make snapshots``
(``pytest tests/tui --snapshot-update``).
"""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.server.seed import ADMIN_MFA_NO_PIN

SIZE = (100, 32)
TICKET = "HD-2001"

pytestmark = pytest.mark.usefixtures("fixed_ids")


async def _settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _to_question(pilot: Any) -> None:
    await _settle(pilot)
    pilot.app.start_walk("mfa-app-access")
    await _settle(pilot)
    for text in (TICKET, ADMIN_MFA_NO_PIN.email):
        pilot.app.focused.value = text
        await pilot.press("enter")
        await _settle(pilot)


async def _to_plan(pilot: Any) -> None:
    await _to_question(pilot)
    for key in ("1", "y", "2"):
        await pilot.press(key)
        await _settle(pilot)


def test_start_screen(snap_compare: Any, app_factory: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=_settle)


def test_start_screen_search(snap_compare: Any, app_factory: Any) -> None:
    async def search(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press(*"tablet password mfa")
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=search)


def test_question(snap_compare: Any, app_factory: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=_to_question)


def test_plan_modal(snap_compare: Any, app_factory: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=_to_plan)


def test_error_dialog(snap_compare: Any, app_factory: Any, embedded: Any) -> None:
    async def fail(pilot: Any) -> None:
        await _settle(pilot)
        pilot.app.start_walk("mfa-app-access")
        await _settle(pilot)
        pilot.app.focused.value = TICKET
        await pilot.press("enter")
        await _settle(pilot)
        embedded.transport.down = True
        pilot.app.focused.value = ADMIN_MFA_NO_PIN.email
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=fail)


def test_end_screen(snap_compare: Any, app_factory: Any) -> None:
    async def decline(pilot: Any) -> None:
        await _to_plan(pilot)
        await pilot.press("escape")
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=decline)


def test_small_terminal(snap_compare: Any, app_factory: Any) -> None:
    """80x24 still shows the question, the choices and the footer."""
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=_to_question)
