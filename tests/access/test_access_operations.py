"""The operations registry: names and parameters, callable over any AccessClient."""

from __future__ import annotations

import pytest

from helpdesk.access import OPERATIONS, AccessCheck, User, WriteResult
from helpdesk.access.client import AccessClient
from helpdesk.server import seed as demo

EXPECTED = {
    "get_workspace": "read",
    "find_user_by_email": "read",
    "get_user": "read",
    "access_check": "read",
    "list_devices": "read",
    "suspend_mfa": "write",
    "restore_mfa": "write",
    "create_limited_user": "write",
    "set_pin": "write",
    "create_activation_code": "write",
    "enable_device": "write",
    "disable_device": "write",
    "unlock_account": "write",
}


def test_the_registry_names_every_operation_with_its_kind() -> None:
    assert {name: op.kind for name, op in OPERATIONS.items()} == EXPECTED


def test_every_operation_is_a_client_method() -> None:
    for name in OPERATIONS:
        assert callable(getattr(AccessClient, name))


def test_parameters_are_checked() -> None:
    op = OPERATIONS["suspend_mfa"]
    problems = op.check({"user_id": "u", "minutes": "ten", "color": "red"})
    assert "parameter 'minutes' must be int" in problems
    assert "unknown parameter 'color'" in problems
    assert "missing parameter 'reason'" in problems


async def test_reads_and_writes_run_by_name(api: AccessClient) -> None:
    user = await OPERATIONS["find_user_by_email"](api, {"email": demo.RECEPTIONIST.email})
    assert isinstance(user, User)
    check = await OPERATIONS["access_check"](
        api, {"user_id": user.id, "client": "windows", "version": "20.0"}
    )
    assert isinstance(check, AccessCheck) and not check.can_sign_in
    plan = await OPERATIONS["set_pin"](
        api,
        {"user_id": user.id, "generate": True, "reason": "tree step", "ticket": "T-9"},
        dry_run=True,
    )
    assert isinstance(plan, WriteResult) and not plan.applied


async def test_bad_parameters_raise_before_any_call(api: AccessClient) -> None:
    with pytest.raises(ValueError, match="missing parameter 'user_id'"):
        await OPERATIONS["get_user"](api, {})
