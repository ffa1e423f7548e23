"""access-check: every diagnosis the seed covers, through the client, on a real server."""

from __future__ import annotations

import pytest

from helpdesk.access.client import AccessClient
from helpdesk.access.models import AccessCheck
from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.server import seed as demo


def codes(check: AccessCheck) -> list[str]:
    return [reason.code for reason in check.reasons]


async def test_an_mfa_admin_without_pin_on_an_old_windows_client_is_refused_her_password(
    api: AccessClient,
) -> None:
    check = await api.access_check(demo.ADMIN_MFA_NO_PIN.id, client="windows", version="19.8")
    assert not check.can_sign_in
    assert codes(check) == ["mfa_blocks_password_login", "client_too_old_for_pin"]
    fixes = {fix.operation for reason in check.reasons for fix in reason.fixes}
    assert {"suspend_mfa", "create_limited_user"} <= fixes


@pytest.mark.parametrize(("client", "version"), [("windows", "20.0"), ("android", "1.5.0")])
async def test_new_clients_require_a_pin(api: AccessClient, client: str, version: str) -> None:
    check = await api.access_check(demo.ADMIN_MFA_NO_PIN.id, client=client, version=version)
    assert codes(check) == ["pin_not_set"]
    assert check.login_method == "pin"
    assert check.reasons[0].fixes[0].operation == "set_pin"


@pytest.mark.parametrize(
    ("client", "version"), [("windows", "20.0.3"), ("ios", "1.5"), ("tablet", "1.5.1")]
)
async def test_a_pin_lets_an_mfa_admin_into_new_clients(
    api: AccessClient, client: str, version: str
) -> None:
    check = await api.access_check(demo.ADMIN_MFA_PIN.id, client=client, version=version)
    assert check.can_sign_in, check.reasons
    assert check.login_method == "pin"


async def test_the_tablet_app_refuses_mfa_users_before_1_5_1(api: AccessClient) -> None:
    check = await api.access_check(demo.ADMIN_MFA_PIN.id, client="tablet", version="1.5.0")
    assert codes(check) == ["client_too_old_for_mfa"]


async def test_a_user_without_mfa_signs_in_to_an_old_client_with_a_password(
    api: AccessClient,
) -> None:
    check = await api.access_check(demo.RECEPTIONIST.id, client="android", version="1.4.9")
    assert check.can_sign_in
    assert check.login_method == "password"
    assert check.reasons == []


async def test_the_legacy_app_is_discontinued(api: AccessClient) -> None:
    check = await api.access_check(
        demo.RECEPTIONIST.id, client="legacy", version="4.2", device_id=demo.DEVICE_LEGACY.id
    )
    assert codes(check) == ["client_legacy_discontinued"]
    assert not check.can_sign_in


async def test_a_device_waiting_for_activation_blocks_sign_in(api: AccessClient) -> None:
    check = await api.access_check(
        demo.ADMIN_MFA_PIN.id, client="windows", version="20.0.1", device_id=demo.DEVICE_PENDING.id
    )
    assert codes(check) == ["device_not_activated"]
    assert check.reasons[0].fixes[0].operation == "create_activation_code"


async def test_a_disabled_device_blocks_sign_in(api: AccessClient) -> None:
    check = await api.access_check(
        demo.RECEPTIONIST.id, client="android", version="1.5.2", device_id=demo.DEVICE_DISABLED.id
    )
    assert "device_disabled" in codes(check)


async def test_a_locked_account_is_reported_with_its_unlock_fix(api: AccessClient) -> None:
    check = await api.access_check(demo.LOCKED_USER.id, client="android", version="1.4")
    assert codes(check) == ["account_locked"]
    assert check.reasons[0].fixes[0].operation == "unlock_account"


async def test_windows_19_99_warns_about_the_update_conflict_as_an_inferred_workaround(
    api: AccessClient,
) -> None:
    check = await api.access_check(
        demo.WINDOWS_1999_USER.id,
        client="windows",
        version="19.99",
        device_id=demo.DEVICE_WINDOWS_1999.id,
    )
    assert codes(check) == ["client_19_99_windows_update_conflict"]
    reason = check.reasons[0]
    assert not reason.blocking and check.can_sign_in
    assert all(fix.inferred for fix in reason.fixes)


async def test_a_malformed_version_names_the_field(api: AccessClient) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await api.access_check(demo.RECEPTIONIST.id, client="windows", version="20.0X")
    assert caught.value.field == "version"


async def test_a_device_of_another_workspace_is_not_found(api: AccessClient) -> None:
    with pytest.raises(NotFound):
        await api.access_check(
            demo.RECEPTIONIST.id, client="windows", version="20.0", device_id=demo.OTHER_DEVICE.id
        )


async def test_reads_find_users_by_email_and_list_devices(api: AccessClient) -> None:
    user = await api.find_user_by_email(demo.MANAGER_DEVICES.email.upper())
    assert user.id == demo.MANAGER_DEVICES.id and user.permissions == ["manage_devices"]
    assert (await api.get_user(user.id)).email == demo.MANAGER_DEVICES.email
    disabled = await api.list_devices(status="disabled")
    assert demo.DEVICE_DISABLED.id in [d.id for d in disabled.items]
    every = await api.list_devices()
    assert demo.OTHER_DEVICE.id not in [d.id for d in every.items]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"client": "blackberry", "version": "1.0"}, "client"),
        ({"client": "windows"}, "version"),
        ({"client": "windows", "version": "1" * 21}, "version"),
        ({"client": "windows", "version": "20.0", "device": "d" * 65}, "device"),
    ],
)
async def test_the_query_is_validated_and_the_field_named(
    api: AccessClient, query: dict[str, str], field: str
) -> None:
    """Every route reads its parameters through FastRoute; the problem names the field."""
    response = await api._http.get(f"/v1/users/{demo.RECEPTIONIST.id}/access-check", params=query)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field


async def test_access_check_without_a_token_is_refused(api: AccessClient) -> None:
    response = await api._http.get(
        f"/v1/users/{demo.RECEPTIONIST.id}/access-check",
        params={"client": "windows", "version": "20.0"},
        headers={"Authorization": "Bearer nope"},
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
