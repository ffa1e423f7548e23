"""The agent's walk, driven with Pilot against the embedded access API."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from helpdesk.server.seed import ADMIN_MFA_NO_PIN, LOCKED_USER, RECEPTIONIST
from helpdesk.tui.screens.dialogs import ErrorDialog
from helpdesk.tui.screens.end import EndScreen
from helpdesk.tui.screens.plan import PlanScreen
from helpdesk.tui.screens.secret import SecretScreen
from helpdesk.tui.screens.start import StartScreen
from helpdesk.tui.screens.walk import WalkScreen
from helpdesk.tui.widgets.secret import SecretField

TICKET = "HD-2001"


async def submit(pilot: Any, text: str) -> None:
    """Fill the focused input at once and press Enter (typing key by key is slow)."""
    pilot.app.focused.value = text
    await pilot.press("enter")


SIZE = (100, 32)


async def begin(pilot: Any, settle: Any, tree_id: str, *inputs: str) -> None:
    """From the start screen into a walk of ``tree_id``, submitting ``inputs`` in turn."""
    await settle(pilot)
    pilot.app.start_walk(tree_id)
    await settle(pilot)
    for text in inputs:
        await submit(pilot, text)
        await settle(pilot)


async def walk_to_plan(pilot: Any, settle: Any, email: str = ADMIN_MFA_NO_PIN.email) -> None:
    """From the start screen to the MFA suspension plan (4 hours)."""
    app = pilot.app
    await begin(pilot, settle, "mfa-app-access", TICKET, email)
    assert app.screen.view.id == "client"
    await pilot.press("1")  # the Windows client
    await settle(pilot)
    assert app.screen.view.id == "own_request"
    await pilot.press("y")
    await settle(pilot)
    await pilot.press("2")  # four hours
    await settle(pilot)


async def test_mfa_tree_to_suspension_applied(app_factory: Any, embedded: Any, settle: Any) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_plan(pilot, settle)
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.ticket_required
        await pilot.press("enter")  # Enter never applies
        await pilot.press("ctrl+y")  # nor ctrl+y before the ticket is typed
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        await pilot.press(*TICKET, "enter", "ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, EndScreen)
        assert app.screen.state.outcome == "workaround"
        assert "Applied" in app.screen.transcript

    async with embedded.client() as api:
        user = await api.get_user(ADMIN_MFA_NO_PIN.id)
        assert user.mfa.state == "suspended"
        audit = await api.list_audit(subject=f"user:{ADMIN_MFA_NO_PIN.id}")
    applied = [r for r in audit.items if r.outcome == "applied"]
    assert [r.ticket for r in applied] == [TICKET]


async def test_declining_the_plan_changes_nothing(
    app_factory: Any, embedded: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_plan(pilot, settle)
        assert isinstance(app.screen, PlanScreen)
        await pilot.press("escape")  # Esc only closes the dialog: nothing is decided
        await settle(pilot)
        assert isinstance(app.screen, WalkScreen) and app.screen.view.kind == "action"
        await pilot.press("p")  # the plan waits; p reopens it
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        await pilot.press("ctrl+d")  # declining is its own key
        await settle(pilot)
        assert isinstance(app.screen, EndScreen)
        assert app.screen.state.current == "pin_instead"
        assert app.screen.state.outcome == "declined"  # never "resolved"
        assert "Declined by the agent" in app.screen.transcript
        assert "Fix declined" in app.screen.transcript

    async with embedded.client() as api:
        user = await api.get_user(ADMIN_MFA_NO_PIN.id)
        audit = await api.list_audit(subject=f"user:{ADMIN_MFA_NO_PIN.id}")
    assert user.mfa.state == "enabled"
    assert [r for r in audit.items if r.outcome == "applied"] == []


async def test_api_failure_mid_walk_then_retry(
    app_factory: Any, embedded: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "mfa-app-access", TICKET)
        embedded.transport.down = True  # the server stops answering
        await submit(pilot, ADMIN_MFA_NO_PIN.email)
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.advice.title == "Access API unreachable"
        assert "retry" in app.screen.advice.remedies
        walk = app.screen_stack[-2]
        assert isinstance(walk, WalkScreen)
        assert walk.session is not None and walk.session.state.current == "find_user"

        embedded.transport.down = False
        await pilot.press("enter")  # the focused first button: Retry
        await settle(pilot)
        assert app.screen is walk, app.screen.advice.message
        assert walk.view is not None and walk.view.id == "client"
        assert "user" in walk.session.facts


async def test_service_refusal_is_a_dialog_not_a_branch(
    app_factory: Any, embedded: Any, settle: Any
) -> None:
    """A 401 stops the walk where it is (the tree's on_error edge is not taken)."""
    embedded.token = "hd_not_a_valid_token"
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "mfa-app-access", TICKET, RECEPTIONIST.email)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.advice.title == "Token refused (401)"
        assert app.screen.advice.remedies[0] == "token"
        walk = app.screen_stack[-2]
        assert isinstance(walk, WalkScreen) and walk.session is not None
        assert walk.session.state.current == "find_user"


async def test_quit_mid_walk_and_resume_at_the_same_node(app_factory: Any, settle: Any) -> None:
    first = app_factory()
    async with first.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "mfa-app-access", TICKET, ADMIN_MFA_NO_PIN.email)
        await pilot.press("1")
        await settle(pilot)
        assert first.screen.view.id == "own_request"
        session_id = first.screen.session.id
        await pilot.press("ctrl+q")

    second = app_factory(resume=True)
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = second.screen
        assert isinstance(screen, WalkScreen)
        assert screen.session is not None and screen.session.id == session_id
        assert screen.view is not None and screen.view.id == "own_request"
        assert "user" in screen.session.facts  # the lookup is not repeated, it is remembered


async def test_resume_key_on_the_start_screen(app_factory: Any, settle: Any) -> None:
    first = app_factory()
    async with first.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "mfa-app-access", TICKET)
    second = app_factory()
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(second.screen, StartScreen)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(second.screen, WalkScreen)
        assert second.screen.view is not None and second.screen.view.id == "email"


async def test_a_walk_whose_tree_changed_says_so_over_the_start_screen(
    app_factory: Any, settle: Any
) -> None:
    first = app_factory()
    async with first.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "mfa-app-access", TICKET)
        saved = first.walk_store.folder / f"{first.screen.session.id}.json"
    state = json.loads(saved.read_text(encoding="utf-8"))
    state["tree_version"] = "0000000000000000"  # the tree was edited since
    saved.write_text(json.dumps(state), encoding="utf-8")

    second = app_factory()
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        dialog = second.screen
        assert isinstance(dialog, ErrorDialog)
        assert "changed since" in dialog.advice.message
        assert isinstance(second.screen_stack[-2], StartScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(second.screen, StartScreen)


async def test_generated_pin_is_shown_once_and_never_saved(
    app_factory: Any, settle: Any, isolated_home: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "pin-generate", TICKET, RECEPTIONIST.email)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        await pilot.press(*TICKET, "ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, SecretScreen)
        field = app.screen.query_one(SecretField)
        pin = field._secret
        assert pin is not None and len(pin) == 4 and pin.isdigit()
        assert pin not in str(field.render())  # masked until revealed
        await pilot.press("r")
        assert pin in str(field.render())
        await pilot.press("escape")
        await settle(pilot)
        assert field._secret is None
        end = app.screen
        assert isinstance(end, EndScreen)
        assert pin not in end.transcript
        session_id = end.state.id

    sessions = isolated_home / "data" / "helpdesk" / "sessions"
    saved = [p for p in sessions.iterdir() if p.name.startswith(session_id)]
    assert {p.suffix for p in saved} == {".json", ".jsonl"}
    for path in saved:
        text = path.read_text(encoding="utf-8")
        assert f'"{pin}"' not in text and f"'{pin}'" not in text


async def test_a_mistyped_email_comes_back_to_be_corrected(app_factory: Any, settle: Any) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "account-locked", TICKET, "sara.typo@hotel-aurora.example")
        assert isinstance(app.screen, WalkScreen)
        assert app.screen.view.id == "user_not_found"
        await pilot.press("1")  # type the email again
        await settle(pilot)

        assert app.screen.view.id == "email"
        assert app.focused.value == "sara.typo@hotel-aurora.example"  # there to correct
        await submit(pilot, LOCKED_USER.email)
        await settle(pilot)
        assert app.screen.view.id == "caller_is_user"


async def test_the_lock_end_reads_in_the_hotels_time_with_how_long_is_left(
    app_factory: Any, embedded: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "account-locked", TICKET, LOCKED_USER.email)
        await pilot.press("y")  # identity confirmed
        await settle(pilot)
        view = app.screen.view
        assert view.id == "unlock_or_wait"
    async with embedded.client() as api:
        user = await api.get_user(LOCKED_USER.id)
    assert user.locked_until is not None
    left = round((user.locked_until - embedded.clock()).total_seconds() / 60)
    rome = user.locked_until.astimezone(ZoneInfo("Europe/Rome"))
    assert f"at {rome:%H:%M} {rome.tzname()} (in {left} min)" in view.prompt
    assert "UTC" not in view.prompt and "T" not in view.prompt.split(" at ")[1][:6]


async def test_a_click_on_a_choice_only_highlights_it(app_factory: Any, settle: Any) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot, settle, "mfa-app-access", TICKET, ADMIN_MFA_NO_PIN.email)
        screen = app.screen
        assert screen.view.id == "client"
        choices = screen.query_one("#choices")
        await pilot.click(choices, offset=(4, 2))  # the second answer (row 0 is the border)
        await settle(pilot)
        assert screen.view.id == "client"  # not answered
        assert choices.highlighted == 1
        await pilot.press("enter")  # Enter on the highlighted answer gives it
        await settle(pilot)
        assert screen.view.id != "client"


async def test_step_back_from_an_end_screen_until_the_walk_is_closed(
    app_factory: Any, settle: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_plan(pilot, settle)
        await pilot.press("ctrl+d")
        await settle(pilot)
        end = app.screen
        assert isinstance(end, EndScreen)
        await pilot.press("ctrl+b")  # the caller says they still cannot sign in
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.view is not None
        assert walk.view.kind in ("ask", "input", "verify")
        assert walk.session is not None and not walk.session.finished
        session_id = walk.session.id

        await pilot.press("ctrl+n")
        await settle(pilot)
    state = app.walk_store.load(session_id)
    assert state.status == "active" and state.outcome is None


def test_facts_read_as_an_agent_says_them() -> None:
    from datetime import UTC, datetime

    from helpdesk.tui.widgets.walk_parts import summarize

    user = {
        "name": "Sara Locked",
        "pin_set": False,
        "mfa": {"state": "disabled", "suspended_until": None},
        "locked_until": "2026-11-30T21:07:42.123456+00:00",
    }
    now = datetime(2026, 11, 30, 20, 12, 20, tzinfo=UTC)
    lines = summarize(user, zone=ZoneInfo("Europe/Rome"), now=now)
    assert "pin_set: no" in lines
    assert "mfa.suspended_until: —" in lines  # never a raw "null"
    assert "locked_until: 22:07 CET (in 55 min)" in lines
    # Without a clock (an escalation's handover), the value as the API sent it.
    assert "locked_until: 2026-11-30T21:07:42.123456+00:00" in summarize(user)


def test_a_plans_subject_is_named_from_the_facts_even_inside_a_list() -> None:
    from helpdesk.diagnostics.state import Fact
    from helpdesk.tui.walk_support import who_of

    def fact(name: str, value: object) -> Fact:
        return Fact(name=name, value=value, source="test", node="n", time="2026-12-03T10:00:00Z")

    facts = [
        fact("user", {"id": "usr_1", "name": "Marco Owner", "email": "marco@hotel.example"}),
        fact("pending", {"items": [{"id": "dev_9", "name": "Front Desk PC"}], "total": 1}),
    ]
    assert who_of("user:usr_1", facts) == "Marco Owner <marco@hotel.example>"
    assert who_of("device:dev_9", facts) == "device 'Front Desk PC'"
    assert who_of("device:dev_unknown", facts) == "device:dev_unknown"
