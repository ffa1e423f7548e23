"""The plan dialog of every action the trees have: it fits 80x24 without scrolling
(headline, who, operation, before → after, ticket, keys), and is snapshotted at 80x24
and 100x30. Each plan is a real dry run against the seeded embedded API."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.access.operations import OPERATIONS
from helpdesk.diagnostics.state import Plan
from helpdesk.server import seed
from helpdesk.times import zone
from helpdesk.tui.screens.plan import PlanScreen

TICKET = "HD-4005"
LONG = "Old Windows client cannot sign MFA users in; time-boxed suspension until the update."
ACTIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "set_pin": (
        "Generate a random 4-digit PIN for luca.reception@hotel-aurora.example"
        " and read it out once.",
        "user:" + seed.RECEPTIONIST.id,
        {"user_id": seed.RECEPTIONIST.id, "generate": True,
         "reason": "App refuses the password because MFA is on; the PIN replaces password login."},
    ),
    "suspend_mfa": (
        "Turn MFA off for giulia.admin@hotel-aurora.example for 480 minutes.",
        "user:" + seed.ADMIN_MFA_NO_PIN.id,
        {
            "user_id": seed.ADMIN_MFA_NO_PIN.id,
            "minutes": 480,
            "verified_channel": True,
            "reason": LONG,
        },
    ),
    "create_limited_user": (
        "Create the receptionist user frontdesk+1@hotel-aurora.example without MFA for the apps.",
        "",
        {"email": "frontdesk+1@hotel-aurora.example", "name": "Front Desk", "role": "receptionist",
         "reason": "Apps on old versions cannot sign in MFA users; limited user until the update."},
    ),
    "unlock_account": (
        "Lift the password lockout of sara.locked@hotel-aurora.example now.",
        "user:" + seed.LOCKED_USER.id,
        {"user_id": seed.LOCKED_USER.id,
         "reason": "Locked out after repeated wrong passwords; identity confirmed by the agent."},
    ),
    "enable_device": (
        "Enable the device 'Lobby Phone' again.",
        "device:" + seed.DEVICE_DISABLED.id,
        {"device_id": seed.DEVICE_DISABLED.id,
         "reason": "Registered device blocked; an administrator asked to enable it again."},
    ),
    "create_activation_code": (
        "Create a FULL MODE activation code for the new device 'Front Desk PC 2' (Windows PC).",
        "",
        {"name": "Front Desk PC 2", "platform": "windows", "mode": "FULL",
         "reason": "Device activation requested by elena.manager@hotel-aurora.example."},
    ),
    "reactivate_device": (
        "Create a new activation code for the waiting device 'Front Desk PC'.",
        "device:" + seed.DEVICE_PENDING.id,
        {"name": seed.DEVICE_PENDING.name, "platform": seed.DEVICE_PENDING.platform,
         "device_id": seed.DEVICE_PENDING.id, "mode": "FULL",
         "reason": "Device activation requested by elena.manager@hotel-aurora.example."},
    ),
}  # fmt: skip


async def _plan(app: Any, action: str) -> Plan:
    prompt, subject, params = ACTIONS[action]
    operation = "create_activation_code" if action == "reactivate_device" else action
    params = {**params, "ticket": TICKET}
    result = await OPERATIONS[operation](await app.api(), params, dry_run=True)
    data = result.model_dump(mode="json")
    return Plan(
        node=action,
        operation=operation,
        prompt=prompt,
        summary=str(data["summary"]),
        subject=str(data.get("subject") or subject),
        before=data.get("before"),
        after=data.get("after"),
        request={"operation": operation, "params": params, "idempotency_key": "hd-test"},
        idempotency_key="hd-test",
    )


def who_of(subject: str) -> str:
    users = [seed.RECEPTIONIST, seed.ADMIN_MFA_NO_PIN, seed.LOCKED_USER]
    for user in users:
        if subject == f"user:{user.id}":
            return f"{user.name} <{user.email}>"
    return subject


async def _open(pilot: Any, action: str) -> PlanScreen:
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    plan = await _plan(app, action)
    who = who_of(plan.subject)
    screen = PlanScreen(plan, who=who, ticket_required=True, ticket_prefill=TICKET,
                        tz=zone("Europe/Rome"))  # fmt: skip
    await app.push_screen(screen)
    await pilot.pause()
    await pilot.pause()
    return screen


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_the_plan_fits_80x24_without_scrolling(action: str, app_factory: Any) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, action)
        body = screen.query_one("#plan-body")
        assert body.max_scroll_y == 0, f"{action}: the rows need scrolling at 80x24"
        dialog = screen.query_one("#plan-dialog").region
        assert dialog.y >= 0 and dialog.bottom <= 24
        for part in ("#plan-headline", "#plan-ticket", "#plan-keys"):
            region = screen.query_one(part).region
            assert region.height > 0 and region.bottom <= dialog.bottom, part
        rows = screen.query_one("#plan-table").render()
        text = str(getattr(rows, "renderable", rows))
        assert text  # the table renders


async def test_objects_to_be_created_are_named_not_given_a_dry_run_id(app_factory: Any) -> None:
    from helpdesk.tui.screens.plan import plan_rows

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, "create_activation_code")
        rows = dict(plan_rows(screen.plan, screen.who))
    assert rows["Who"] == "new device 'Front Desk PC 2' (Windows client)"
    assert "dev_" not in " ".join(rows.values())


async def test_a_long_value_scrolls_by_keyboard(app_factory: Any) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 16)) as pilot:
        screen = await _open(pilot, "suspend_mfa")
        body = screen.query_one("#plan-body")
        assert body.max_scroll_y > 0
        await pilot.press("down", "down")
        await pilot.pause()
        assert body.scroll_y > 0


async def test_the_ticket_read_on_confirm_is_what_the_field_shows(app_factory: Any) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, "unlock_account")
        field = screen.query_one("#plan-ticket")
        field.value = ""
        results: list[Any] = []
        screen.dismiss = results.append  # type: ignore[method-assign]
        await pilot.press(*TICKET, "ctrl+y")  # typed and confirmed in one burst
        await pilot.pause()
        await pilot.pause()
        assert results == [True], str(screen.query_one("#plan-message").render())


@pytest.mark.usefixtures("fixed_ids")
@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_plan_dialog_snapshot(
    action: str, size: tuple[int, int], snap_compare: Any, app_factory: Any
) -> None:
    async def open_plan(pilot: Any) -> None:
        await _open(pilot, action)

    assert snap_compare(app_factory(), terminal_size=size, run_before=open_plan)


async def test_times_read_in_the_hotels_time_zone(app_factory: Any) -> None:
    from helpdesk.tui.screens.plan import plan_rows

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, "suspend_mfa")
        rows = dict(plan_rows(screen.plan, screen.who, screen.tz))
    assert "CEST" in rows["For how long"] and "UTC" not in rows["For how long"]
