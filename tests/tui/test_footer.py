"""Every screen's footer hints fit the terminal: at 80 and 100 columns no hint is cut
off or hidden behind the palette key, and Help and Quit are always among them."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from helpdesk.server.seed import ADMIN_MFA_NO_PIN
from helpdesk.tui.screens.account import AccountScreen
from helpdesk.tui.screens.call import CallDialog
from helpdesk.tui.screens.end import EndScreen
from helpdesk.tui.screens.plan import PlanScreen
from helpdesk.tui.screens.start import StartScreen
from helpdesk.tui.screens.walk import WalkScreen

TICKET = "HD-2001"


def cut_hints(app: Any) -> list[str]:
    """The footer hints of the current screen that do not fit in full."""
    footers = app.screen.query(Footer)
    if not footers:  # a dialog over a screen: it names its keys in its own text
        return []
    footer = footers.first()
    right = app.size.width
    palette = [w for w in footer.children if "-command-palette" in w.classes]
    if palette:
        right = min(right, palette[0].region.x)
    return [
        f"{key.key_display} {key.description}"
        for key in footer.query(FooterKey)
        if "-command-palette" not in key.classes
        and (key.region.width == 0 or key.region.right > right)
    ]


def hints(app: Any) -> set[str]:
    return {key.description for key in app.screen.query(FooterKey)}


async def screens_of_a_call(pilot: Any, settle: Any) -> list[tuple[str, Any]]:
    """Visits every kind of screen an agent meets in a call; the footers seen on each."""
    app = pilot.app
    seen: list[tuple[str, Any]] = []

    def look(name: str, kind: type) -> None:
        assert isinstance(app.screen, kind), (name, app.screen)
        seen.append((name, (cut_hints(app), hints(app))))

    async def press(*keys: str) -> None:
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    await settle(pilot)
    look("start", StartScreen)
    app.action_start_call()
    await settle(pilot)
    look("call", CallDialog)
    await press("escape")
    app.start_walk("mfa-app-access")
    await settle(pilot)
    look("walk, an input", WalkScreen)
    for text in (TICKET, ADMIN_MFA_NO_PIN.email):
        app.focused.value = text
        await press("enter")
    look("walk, a question", WalkScreen)
    await press("1")
    look("walk, a check to confirm", WalkScreen)
    await press("y", "2")
    look("plan", PlanScreen)
    await press("escape")
    look("walk, a planned change", WalkScreen)
    app.action_account()
    await settle(pilot)
    look("account", AccountScreen)
    await press("escape", "p", "ctrl+d")
    look("end", EndScreen)
    return seen


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_footer_hints_fit_on_every_screen(
    app_factory: Any, settle: Any, size: tuple[int, int]
) -> None:
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        seen = await screens_of_a_call(pilot, settle)
    assert len(seen) == 9
    cut = {name: hidden for name, (hidden, _) in seen if hidden}
    assert cut == {}, f"hints cut off at {size[0]} columns: {cut}"
    for name, (_, shown) in seen:
        if name not in ("call", "plan"):  # modal dialogs show their own keys
            assert {"Help", "Quit"} <= shown, (name, shown)
