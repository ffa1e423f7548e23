"""A call: ticket, caller and language typed once, then prefilled everywhere; and the
caller's account at a glance."""

from __future__ import annotations

from typing import Any

from helpdesk.server.seed import ADMIN_MFA_NO_PIN
from helpdesk.tui.screens.account import AccountScreen
from helpdesk.tui.screens.call import CallDialog
from helpdesk.tui.screens.end import EndScreen
from helpdesk.tui.screens.plan import PlanScreen
from helpdesk.tui.screens.walk import WalkScreen

SIZE = (100, 32)
TICKET = "HD-4005"


async def start_call(pilot: Any, settle: Any, email: str = ADMIN_MFA_NO_PIN.email) -> None:
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CallDialog)
    await pilot.press(*TICKET, "enter")
    pilot.app.focused.value = email
    await pilot.press("enter")
    await settle(pilot)


async def test_a_call_is_typed_once_and_prefills_every_walk(
    app_factory: Any, embedded: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start_call(pilot, settle)
        call = app.call
        assert call is not None and call.ticket == TICKET
        assert call.caller_name == "Giulia Admin" and call.user_id == ADMIN_MFA_NO_PIN.id
        assert call.language == "it"  # from the user record: an Italian hotel
        assert TICKET in app.sub_title and ADMIN_MFA_NO_PIN.email in app.sub_title

        app.start_walk("mfa-app-access")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.view.id == "ticket"
        assert app.focused.value == TICKET  # shown, editable: Enter keeps it
        assert walk.title == walk.session.tree.title  # the walk names its tree
        await pilot.press("enter")
        await settle(pilot)
        assert walk.view.id == "email" and app.focused.value == ADMIN_MFA_NO_PIN.email
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("1", "y", "2")  # Windows client, own request, four hours
        await settle(pilot)
        plan = app.screen
        assert isinstance(plan, PlanScreen)
        assert plan.query_one("#plan-ticket").value == TICKET  # prefilled from the call
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, EndScreen)
        assert app.screen.state.context["ticket"] == TICKET
        await pilot.press("escape")  # closes the walk
        await settle(pilot)
        walks = app.saved_walks()
        assert walks[0].ticket == TICKET and walks[0].caller == "Giulia Admin"
        assert walks[0].matches("hd-4005 giulia") and not walks[0].matches("HD-1")

        app.action_end_call()
        await settle(pilot)
        assert app.call is None and TICKET not in app.sub_title
        app.start_walk("mfa-app-access")
        await settle(pilot)
        assert app.focused.value == ""  # no call: nothing prefilled


async def test_the_account_screen_shows_the_callers_state_afresh(
    app_factory: Any, embedded: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert "No caller yet" in str(app.screen.query_one("#account-user").render())
        await pilot.press("escape")
        await start_call(pilot, settle, "sara.locked@hotel-aurora.example")
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        user = str(screen.query_one("#account-user").render())
        assert "Sara" in user and "locked for" in user and "more" in user
        devices = _text(screen.query_one("#account-devices").content)
        assert devices.index("pending activation") < devices.index("active")
        assert "Recent audit records" in _text(screen.query_one("#account-audit").content)


def _text(renderable: Any) -> str:
    import io

    from rich.console import Console

    console = Console(width=120, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_a_call_refuses_a_ticket_or_email_the_walks_would_refuse(
    app_factory: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CallDialog)
        dialog.query_one("#call-ticket").value = ADMIN_MFA_NO_PIN.email  # typed in the wrong box
        dialog.query_one("#call-email").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and app.call is None
        assert "Ticket:" in str(dialog.query_one("#call-message").content)
        assert app.focused is dialog.query_one("#call-ticket")

        dialog.query_one("#call-ticket").value = TICKET
        dialog.query_one("#call-email").value = "giulia.admin@hotel-aurora"  # no domain dot
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and app.call is None
        assert "Caller:" in str(dialog.query_one("#call-message").content)

        dialog.query_one("#call-email").value = ADMIN_MFA_NO_PIN.email
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.call is not None and app.call.caller_email == ADMIN_MFA_NO_PIN.email
