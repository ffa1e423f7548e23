"""Sign-in rules of the product: can this user sign in to this client, and if not, why.

The rules come from the product facts (domain/facts.md, sections 1-5 and 8):

* A user with MFA cannot sign in to the apps with username + password.
* Windows client 20.0 and later, and the Android/iOS/tablet app 1.5 and later, only
  accept a PIN (password-only login was removed); with a PIN they accept MFA users.
  The tablet app accepts MFA users from 1.5.1 (the 12-9-2025 MFA article).
* Windows clients before 20.0 and apps before 1.5 cannot use a PIN at all.
* The legacy Cloud app stopped working on 2025-09-30. It is modelled as its own
  client value, ``client=legacy`` (and devices with ``platform=legacy``), because the
  legacy app had its own version line that cannot be told apart by number alone.
* After the update to Windows 20.0X every Windows device is deactivated until an
  activation code is entered: that shows up as the device's ``pending_activation``.
* Windows client exactly 19.99 conflicts with Windows updates KB5064401/KB5064081;
  the fix is an inferred workaround, so it is a warning with ``inferred`` fixes.
* Repeated bad passwords lock the account for 59 minutes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from helpdesk.access.models import AccessCheck, Device, Fix, Reason, User
from helpdesk.server.problems import ApiProblem

LEGACY_END = datetime(2025, 9, 30, tzinfo=UTC)
_VERSION = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,4}){0,3}$")

# Thresholds per client: (PIN login from, MFA users accepted with a PIN from).
_PIN_FROM = {
    "windows": ((20, 0), (20, 0)),
    "android": ((1, 5), (1, 5)),
    "ios": ((1, 5), (1, 5)),
    "tablet": ((1, 5), (1, 5, 1)),
}


def parse_version(version: str) -> tuple[int, ...]:
    """``"20.0.3"`` -> ``(20, 0, 3)``; a malformed version is a 422 on ``version``."""
    if not _VERSION.match(version):
        raise ApiProblem(
            422,
            "validation-failed",
            "version must be dotted numbers such as 20.0 or 1.5.1",
            field="version",
        )
    return tuple(int(part) for part in version.split("."))


def _at_least(version: tuple[int, ...], floor: tuple[int, ...]) -> bool:
    width = max(len(version), len(floor))
    return version + (0,) * (width - len(version)) >= floor + (0,) * (width - len(floor))


def _fix(summary: str, operation: str | None = None, *, inferred: bool = False) -> Fix:
    return Fix(operation=operation, summary=summary, inferred=inferred)


def check_access(
    user: User, *, client: str, version: str, device: Device | None, now: datetime
) -> AccessCheck:
    """Every reason this user cannot (or might not) sign in to ``client`` ``version``."""
    parsed = parse_version(version)
    reasons: list[Reason] = []
    method: str | None = "password"

    if user.locked_until is not None:
        reasons.append(
            Reason(
                code="account_locked",
                blocking=True,
                message=(
                    "The account is locked after repeated wrong passwords until "
                    f"{user.locked_until:%H:%M} UTC."
                ),
                fixes=[
                    _fix("Unlock the account now.", "unlock_account"),
                    _fix("Or wait until the 59-minute lock ends, then use Forgot Password."),
                ],
            )
        )

    if client == "legacy":
        method = None
        if now >= LEGACY_END:
            reasons.append(
                Reason(
                    code="client_legacy_discontinued",
                    blocking=True,
                    message="The legacy Cloud app stopped working on 30 September 2025.",
                    fixes=[
                        _fix("Install PassportScan Cloud from the App Store or Google Play."),
                        _fix(
                            "Activate the device with a FULL MODE activation code.",
                            "create_activation_code",
                        ),
                    ],
                )
            )
    else:
        method = _login_rules(user, client, parsed, reasons)

    if client == "windows" and parsed[:2] == (19, 99):
        reasons.append(
            Reason(
                code="client_19_99_windows_update_conflict",
                blocking=False,
                message=(
                    "Windows client 19.99 is known to conflict with Windows updates "
                    "KB5064401 and KB5064081 (30 August 2025)."
                ),
                fixes=[
                    _fix(
                        "Uninstall KB5064401/KB5064081 and pause Windows Update for now.",
                        inferred=True,
                    ),
                    _fix(
                        "Or move to Windows client 20.0X, set a PIN and activate the PC.",
                        "set_pin",
                        inferred=True,
                    ),
                ],
            )
        )

    if device is not None:
        seen = {r.code for r in reasons}
        reasons.extend(r for r in _device_rules(device) if r.code not in seen)

    blocking = any(r.blocking for r in reasons)
    return AccessCheck(
        user_id=user.id,
        client=client,  # type: ignore[arg-type]
        version=version,
        device_id=device.id if device else None,
        can_sign_in=not blocking,
        login_method=method,  # type: ignore[arg-type]
        reasons=reasons,
        checked_at=now,
    )


def _login_rules(user: User, client: str, version: tuple[int, ...], reasons: list[Reason]) -> str:
    pin_from, mfa_from = _PIN_FROM[client]
    mfa_on = user.mfa.state == "enabled"
    label = "Windows client" if client == "windows" else f"{client} app"
    if not _at_least(version, pin_from):
        if mfa_on:
            reasons.append(
                Reason(
                    code="mfa_blocks_password_login",
                    blocking=True,
                    message=(
                        "MFA is on for this user, and the apps cannot sign MFA users in "
                        "with username and password."
                    ),
                    fixes=[
                        _fix("Suspend MFA for this user for a bounded time.", "suspend_mfa"),
                        _fix("Or sign in with a limited user without MFA.", "create_limited_user"),
                    ],
                )
            )
            floor = ".".join(map(str, pin_from))
            reasons.append(
                Reason(
                    code="client_too_old_for_pin",
                    blocking=True,
                    message=f"This {label} is older than {floor} and cannot sign in with a PIN.",
                    fixes=[_fix(f"Update the {label} to {floor} or later, then set a PIN.")],
                )
            )
        return "password"
    if user.mfa.state == "enabled" and not _at_least(version, mfa_from):
        reasons.append(
            Reason(
                code="client_too_old_for_mfa",
                blocking=True,
                message="Tablet app versions before 1.5.1 refuse users with MFA.",
                fixes=[
                    _fix("Update the tablet app to 1.5.1 or later."),
                    _fix("Or suspend MFA for this user for a bounded time.", "suspend_mfa"),
                ],
            )
        )
    if not user.pin_set:
        reasons.append(
            Reason(
                code="pin_not_set",
                blocking=True,
                message=(
                    f"This {label} only accepts a PIN and the user has not set one; "
                    "password-only login was removed."
                ),
                fixes=[_fix("Set a 4-digit PIN for the user.", "set_pin")],
            )
        )
    return "pin"


def _device_rules(device: Device) -> list[Reason]:
    if device.status == "pending_activation":
        return [
            Reason(
                code="device_not_activated",
                blocking=True,
                message=(
                    f"The device '{device.name}' is waiting for an activation code "
                    "(Windows devices are deactivated after the update to 20.0X)."
                ),
                fixes=[
                    _fix(
                        "Create an activation code and type it into the app.",
                        "create_activation_code",
                    )
                ],
            )
        ]
    if device.status == "disabled":
        return [
            Reason(
                code="device_disabled",
                blocking=True,
                message=f"The device '{device.name}' is disabled in Workspace.",
                fixes=[_fix("Enable the device.", "enable_device")],
            )
        ]
    if device.platform == "legacy":
        return [
            Reason(
                code="client_legacy_discontinued",
                blocking=True,
                message=f"The device '{device.name}' runs the discontinued legacy app.",
                fixes=[_fix("Install PassportScan Cloud and activate it with a code.")],
            )
        ]
    return []
