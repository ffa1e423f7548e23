"""Rules that depend on time, checked by moving an injected clock instead of sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.errors import ValidationFailed
from helpdesk.server import seed as demo
from helpdesk.server.settings import ManualClock
from helpdesk.server.testing import DemoServer, demo_server

W = {"reason": "clock test", "ticket": "T-CLOCK"}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 10, 6, 9, 0, tzinfo=UTC))


@pytest.fixture
def timed(database: str, clock: ManualClock) -> Iterator[DemoServer]:
    with demo_server(database, clock=clock) as running:
        yield running


async def test_a_suspension_ends_by_itself(timed: DemoServer, clock: ManualClock) -> None:
    async with timed.client() as api:
        result = await api.suspend_mfa(
            demo.ADMIN_MFA_NO_PIN.id, minutes=90, verified_channel=True, **W
        )
        assert result.suspended_until == clock() + timedelta(minutes=90)
        clock.advance(timedelta(minutes=89))
        assert (await api.get_user(demo.ADMIN_MFA_NO_PIN.id)).mfa.state == "suspended"
        clock.advance(timedelta(minutes=1))
        user = await api.get_user(demo.ADMIN_MFA_NO_PIN.id)
        assert user.mfa.state == "enabled" and user.mfa.suspended_until is None
        # Once it has run out, a new suspension is allowed without a restore.
        await api.suspend_mfa(demo.ADMIN_MFA_NO_PIN.id, minutes=1, verified_channel=True, **W)


async def test_the_lockout_lasts_59_minutes(timed: DemoServer, clock: ManualClock) -> None:
    async with timed.client() as api:
        locked = await api.get_user(demo.LOCKED_USER.id)
        assert locked.locked_until == clock() + timedelta(minutes=59)
        clock.advance(timedelta(minutes=59))
        check = await api.access_check(demo.LOCKED_USER.id, client="android", version="1.4")
        assert check.can_sign_in


async def test_an_activation_code_expires_after_24_hours(
    timed: DemoServer, clock: ManualClock
) -> None:
    async with timed.client() as api:
        result = await api.create_activation_code(name="Late PC", platform="windows", **W)
        assert result.activation_code
        clock.advance(timedelta(hours=24))
        with pytest.raises(ValidationFailed):
            await api.activate_device(code=result.activation_code)


async def test_the_legacy_app_worked_until_30_september_2025(
    database: str,
) -> None:
    before_end = ManualClock(datetime(2025, 9, 29, 12, 0, tzinfo=UTC))
    with demo_server(database, clock=before_end) as server:
        async with server.client() as api:
            check = await api.access_check(demo.RECEPTIONIST.id, client="legacy", version="4.2")
            assert check.can_sign_in
            before_end.advance(timedelta(days=1))
            check = await api.access_check(demo.RECEPTIONIST.id, client="legacy", version="4.2")
            assert [r.code for r in check.reasons] == ["client_legacy_discontinued"]
