"""The fixes: each rule, dry runs, the audit trail and idempotency, on a real server."""

from __future__ import annotations

import uuid

import pytest

from helpdesk.access.client import AccessClient
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.server import seed as demo
from helpdesk.server.testing import DemoServer

W = {"reason": "caller verified on the phone", "ticket": "T-1001"}


def fresh_email() -> str:
    return f"temp-{uuid.uuid4().hex[:10]}@hotel-aurora.example"


async def new_user(api: AccessClient, role: str = "receptionist") -> str:
    result = await api.create_limited_user(email=fresh_email(), name="Temp", role=role, **W)
    assert result.user is not None
    return result.user.id


async def test_a_dry_run_returns_the_plan_and_changes_nothing(api: AccessClient) -> None:
    user_id = await new_user(api)
    plan = await api.set_pin(user_id, pin="5937", dry_run=True, **W)
    assert plan.dry_run and not plan.applied and plan.audit_id is None
    assert plan.before is not None and plan.after is not None
    assert (plan.before["pin_set"], plan.after["pin_set"]) == (False, True)
    assert not (await api.get_user(user_id)).pin_set


async def test_set_pin_never_returns_a_given_pin_and_returns_a_generated_one_once(
    api: AccessClient,
) -> None:
    user_id = await new_user(api)
    given = await api.set_pin(user_id, pin="5937", **W)
    assert given.applied and given.pin is None
    generated = await api.set_pin(user_id, generate=True, **W)
    assert generated.pin is not None and len(generated.pin) == 4
    assert "Reset" in generated.summary
    assert (await api.get_user(user_id)).pin_set


@pytest.mark.parametrize("pin", ["0000", "1234", "9876", "8901", "1212", "2580"])
async def test_weak_pins_are_refused(api: AccessClient, pin: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await api.set_pin(demo.RECEPTIONIST.id, pin=pin, **W)
    assert caught.value.field == "pin"
    assert caught.value.type.endswith("/weak-pin")


@pytest.mark.parametrize("pin", ["12a4", "123", "12345"])
async def test_a_pin_is_four_digits(api: AccessClient, pin: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await api.set_pin(demo.RECEPTIONIST.id, pin=pin, **W)
    assert caught.value.field == "pin"


async def test_suspend_mfa_requires_the_users_own_verified_channel(api: AccessClient) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await api.suspend_mfa(demo.ADMIN_MFA_PIN.id, minutes=60, verified_channel=False, **W)
    assert caught.value.field == "verified_channel"


@pytest.mark.parametrize("minutes", [0, 7 * 24 * 60 + 1])
async def test_suspensions_are_bounded_from_one_minute_to_seven_days(
    api: AccessClient, minutes: int
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await api.suspend_mfa(demo.ADMIN_MFA_PIN.id, minutes=minutes, verified_channel=True, **W)
    assert caught.value.field == "minutes"


async def test_suspend_then_restore_mfa(api: AccessClient) -> None:
    user_id = demo.ADMIN_MFA_NO_PIN.id
    suspended = await api.suspend_mfa(user_id, minutes=30, verified_channel=True, **W)
    assert suspended.suspended_until is not None
    assert (await api.get_user(user_id)).mfa.state == "suspended"
    with pytest.raises(Conflict):
        await api.suspend_mfa(user_id, minutes=30, verified_channel=True, **W)
    check = await api.access_check(user_id, client="windows", version="19.8")
    assert check.can_sign_in, "a suspended MFA no longer blocks the password"
    await api.restore_mfa(user_id, **W)
    assert (await api.get_user(user_id)).mfa.state == "enabled"
    with pytest.raises(Conflict):
        await api.restore_mfa(user_id, **W)


async def test_mfa_cannot_be_suspended_for_a_user_without_it(api: AccessClient) -> None:
    with pytest.raises(Conflict):
        await api.suspend_mfa(demo.RECEPTIONIST.id, minutes=5, verified_channel=True, **W)


async def test_limited_users_are_never_admins_and_emails_are_unique(api: AccessClient) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await api.create_limited_user(email=fresh_email(), name="X", role="admin", **W)
    assert caught.value.field == "role"
    with pytest.raises(Conflict):
        await api.create_limited_user(email=demo.RECEPTIONIST.email, name="Dup", **W)
    created = await api.create_limited_user(email=fresh_email(), name="Night porter", **W)
    assert created.user is not None
    assert created.user.role == "receptionist" and created.user.mfa.state == "disabled"


async def test_an_activation_code_is_shown_once_and_works_once(api: AccessClient) -> None:
    result = await api.create_activation_code(name="Spare Tablet", platform="tablet", **W)
    assert result.activation_code and result.device is not None
    assert result.device.status == "pending_activation"
    activated = await api.activate_device(code=result.activation_code, client_version="1.5.2")
    assert activated.device is not None and activated.device.status == "active"
    with pytest.raises(ValidationFailed) as caught:
        await api.activate_device(code=result.activation_code)
    assert caught.value.field == "code"


async def test_a_waiting_device_gets_a_new_code_and_only_the_latest_works(
    api: AccessClient,
) -> None:
    first = await api.create_activation_code(name="PC", platform="windows", **W)
    assert first.device is not None and first.activation_code
    second = await api.create_activation_code(
        name="PC", platform="windows", device_id=first.device.id, **W
    )
    assert second.activation_code and second.activation_code != first.activation_code
    with pytest.raises(ValidationFailed):
        await api.activate_device(code=first.activation_code)
    await api.activate_device(code=second.activation_code)
    with pytest.raises(Conflict):
        await api.create_activation_code(
            name="PC", platform="windows", device_id=first.device.id, **W
        )


async def test_enable_and_disable_devices(api: AccessClient) -> None:
    created = await api.create_activation_code(name="Kiosk", platform="android", **W)
    assert created.device is not None and created.activation_code
    with pytest.raises(Conflict):
        await api.enable_device(created.device.id, **W)
    await api.activate_device(code=created.activation_code)
    disabled = await api.disable_device(created.device.id, **W)
    assert disabled.after == {**(disabled.before or {}), "status": "disabled"}
    with pytest.raises(Conflict):
        await api.disable_device(created.device.id, **W)
    enabled = await api.enable_device(created.device.id, **W)
    assert enabled.device is not None and enabled.device.status == "active"


async def test_repeated_bad_passwords_lock_and_unlock_clears_it(server: DemoServer) -> None:
    async with server.client("agent") as api, server.client("admin") as admin:
        user_id = await new_user(api)
        with pytest.raises(Conflict):
            await api.unlock_account(user_id, **W)
        for _ in range(server.settings.lockout_threshold):
            await admin.record_failed_login(user_id)
        locked = await api.get_user(user_id)
        assert locked.locked_until is not None and locked.failed_logins == 5
        check = await api.access_check(user_id, client="android", version="1.4")
        assert [r.code for r in check.reasons] == ["account_locked"]
        await api.unlock_account(user_id, **W)
        user = await api.get_user(user_id)
        assert user.locked_until is None and user.failed_logins == 0


async def test_every_write_and_every_refused_write_is_audited(api: AccessClient) -> None:
    user_id = await new_user(api)
    key = uuid.uuid4().hex
    done = await api.set_pin(user_id, pin="5937", idempotency_key=key, **W)
    with pytest.raises(ValidationFailed):
        await api.set_pin(user_id, pin="1111", **W)
    page = await api.list_audit(subject=f"user:{user_id}", action="set_pin")
    refused, applied = page.items
    assert (applied.id, applied.outcome, applied.idempotency_key) == (done.audit_id, "applied", key)
    assert (applied.ticket, applied.reason) == (W["ticket"], W["reason"])
    assert applied.before == {**(applied.after or {}), "pin_set": False}
    assert "5937" not in applied.model_dump_json()
    assert refused.outcome == "refused" and refused.status == 422
    assert (refused.ticket, refused.reason) == (W["ticket"], W["reason"])
    assert "1111" not in refused.model_dump_json()
    newer = await api.list_audit(since=applied.time, subject=f"user:{user_id}")
    assert [r.id for r in newer.items] == [refused.id, applied.id]


async def test_the_same_idempotency_key_and_body_replays_without_changing_anything(
    api: AccessClient,
) -> None:
    key = uuid.uuid4().hex
    first = await api.create_activation_code(
        name="Lobby", platform="tablet", idempotency_key=key, **W
    )
    again = await api.create_activation_code(
        name="Lobby", platform="tablet", idempotency_key=key, **W
    )
    assert again.replayed and again.audit_id == first.audit_id
    assert again.device is not None and first.device is not None
    assert again.device.id == first.device.id
    # The code is not rotated behind the user's back, and a secret is never shown twice.
    assert again.activation_code is None
    assert first.activation_code is not None
    await api.activate_device(code=first.activation_code)
    audit = await api.list_audit(
        subject=f"device:{first.device.id}", action="create_activation_code"
    )
    # One change; the replay leaves a trace that names the record it replayed.
    assert [r.outcome for r in audit.items] == ["replayed", "applied"]
    assert audit.items[0].detail == f"replayed the answer of audit record {first.audit_id}"


async def test_the_same_idempotency_key_with_another_body_is_refused(api: AccessClient) -> None:
    key = uuid.uuid4().hex
    await api.create_activation_code(name="A", platform="tablet", idempotency_key=key, **W)
    with pytest.raises(ValidationFailed) as caught:
        await api.create_activation_code(name="B", platform="tablet", idempotency_key=key, **W)
    assert caught.value.type.endswith("/idempotency-key-reused")


async def test_unknown_objects_are_not_found(api: AccessClient) -> None:
    with pytest.raises(NotFound):
        await api.set_pin("usr_nobody", pin="5937", **W)
    with pytest.raises(NotFound):
        await api.enable_device("dev_nothing", **W)
