"""The fixes, each planned before it is applied.

A planner reads the current state, refuses what the rules forbid (raising
``ApiProblem``) and returns a ``Plan``: the before/after views and an ``apply``
callable. A dry run stops after planning; a real run applies the plan in the same
transaction, so what the agent previewed is exactly what is written.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from helpdesk.access.models import (
    PLATFORM_NAMES,
    ActivateDeviceBody,
    ActivationCodeBody,
    CreateLimitedUserBody,
    SetPinBody,
    SuspendMfaBody,
)
from helpdesk.server import records
from helpdesk.server.problems import ApiProblem
from helpdesk.server.security import PinHasher, generate_activation_code, hash_activation_code
from helpdesk.server.settings import Settings
from helpdesk.storage import Connection


@dataclass
class Ctx:
    conn: Connection
    workspace_id: str
    now: datetime
    settings: Settings
    hasher: PinHasher


@dataclass
class Plan:
    subject: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    apply: Callable[[], dict[str, Any]]
    preview: dict[str, Any] = field(default_factory=dict)


def _conflict(slug: str, detail: str) -> ApiProblem:
    return ApiProblem(409, slug, detail)


def _user(ctx: Ctx, user_id: str) -> tuple[str, Any]:
    user = records.user_model(records.user_row(ctx.conn, ctx.workspace_id, user_id), ctx.now)
    return f"user:{user.id}", user


def suspend_mfa(ctx: Ctx, user_id: str, body: SuspendMfaBody) -> Plan:
    subject, user = _user(ctx, user_id)
    if not body.verified_channel:
        raise ApiProblem(
            422,
            "policy-violation",
            "MFA can only be suspended at the request of the user, from their own verified "
            "channel; third-party requests are refused by policy.",
            field="verified_channel",
        )
    if user.mfa.state == "disabled":
        raise _conflict("mfa-not-enabled", "MFA is not enabled for this user.")
    if user.mfa.state == "suspended":
        raise _conflict(
            "mfa-already-suspended",
            f"MFA is already suspended until {user.mfa.suspended_until:%Y-%m-%d %H:%M} UTC; "
            "restore it first.",
        )
    until = ctx.now + timedelta(minutes=body.minutes)
    before = records.user_state(user)
    after = {**before, "mfa": "suspended", "mfa_suspended_until": records.ts(until)}

    def apply() -> dict[str, Any]:
        ctx.conn.execute(
            "UPDATE users SET mfa_suspended_until = ? WHERE id = ?", (until.isoformat(), user.id)
        )
        return {"suspended_until": until}

    return Plan(
        subject,
        f"Suspend MFA for {user.email} for {body.minutes} minute(s), until "
        f"{until:%Y-%m-%d %H:%M} UTC; it turns back on by itself.",
        before,
        after,
        apply,
        preview={"suspended_until": until},
    )


def restore_mfa(ctx: Ctx, user_id: str) -> Plan:
    subject, user = _user(ctx, user_id)
    if user.mfa.state != "suspended":
        raise _conflict("mfa-not-suspended", f"MFA is {user.mfa.state}, not suspended.")
    before = records.user_state(user)
    after = {**before, "mfa": "enabled", "mfa_suspended_until": None}

    def apply() -> dict[str, Any]:
        ctx.conn.execute("UPDATE users SET mfa_suspended_until = NULL WHERE id = ?", (user.id,))
        return {}

    return Plan(subject, f"Turn MFA back on for {user.email} now.", before, after, apply)


def create_limited_user(ctx: Ctx, body: CreateLimitedUserBody) -> Plan:
    if body.role == "admin":
        raise ApiProblem(
            422,
            "limited-user-role",
            "A limited user cannot be an admin; use receptionist or manager.",
            field="role",
        )
    taken = ctx.conn.execute(
        "SELECT 1 FROM users WHERE workspace_id = ? AND lower(email) = lower(?)",
        (ctx.workspace_id, body.email),
    ).fetchone()
    if taken:
        raise _conflict("email-taken", "A user with this email already exists in the workspace.")
    user_id = "usr_" + secrets.token_hex(6)
    after = {
        "email": body.email,
        "name": body.name,
        "role": body.role,
        "language": body.language,
        "mfa": "disabled",
    }

    def apply() -> dict[str, Any]:
        ctx.conn.execute(
            "INSERT INTO users (id, workspace_id, email, name, role, language, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                ctx.workspace_id,
                body.email,
                body.name,
                body.role,
                body.language,
                ctx.now.isoformat(),
            ),
        )
        row = records.user_row(ctx.conn, ctx.workspace_id, user_id)
        return {"user": records.user_model(row, ctx.now)}

    return Plan(
        f"user:{user_id}",
        f"Create {body.role} {body.email} without MFA, for signing in to the apps.",
        None,
        after,
        apply,
    )


def set_pin(ctx: Ctx, user_id: str, body: SetPinBody, prepared: tuple[str, str] | None) -> Plan:
    """``prepared`` is ``(pin, hash)`` computed before the transaction (None for dry runs):
    the KDF is slow on purpose and must not hold the write lock."""
    subject, user = _user(ctx, user_id)
    before = records.user_state(user)
    after = {**before, "pin_set": True}
    verb = "Reset" if user.pin_set else "Set"
    how = "a generated PIN, shown once" if body.generate else "the PIN given"

    def apply() -> dict[str, Any]:
        assert prepared is not None
        pin, pin_hash = prepared
        ctx.conn.execute("UPDATE users SET pin_hash = ? WHERE id = ?", (pin_hash, user.id))
        return {"pin": pin} if body.generate else {}

    return Plan(subject, f"{verb} the PIN of {user.email} to {how}.", before, after, apply)


def unlock_account(ctx: Ctx, user_id: str) -> Plan:
    subject, user = _user(ctx, user_id)
    if user.locked_until is None:
        raise _conflict("not-locked", "The account is not locked.")
    before = records.user_state(user)
    after = {**before, "locked_until": None, "failed_logins": 0}

    def apply() -> dict[str, Any]:
        ctx.conn.execute(
            "UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE id = ?", (user.id,)
        )
        return {}

    return Plan(subject, f"Unlock the account of {user.email} now.", before, after, apply)


def record_failed_login(ctx: Ctx, user_id: str) -> Plan:
    """Demo only: what the product's login service does on a wrong password."""
    subject, user = _user(ctx, user_id)
    before = records.user_state(user)
    failed = user.failed_logins + 1
    lock = ctx.now + ctx.settings.lockout if failed >= ctx.settings.lockout_threshold else None
    after = {**before, "failed_logins": failed}
    if lock is not None:
        after["locked_until"] = records.ts(lock)

    def apply() -> dict[str, Any]:
        ctx.conn.execute(
            "UPDATE users SET failed_logins = ?, locked_until = COALESCE(?, locked_until)"
            " WHERE id = ?",
            (failed, records.ts(lock), user.id),
        )
        return {}

    summary = f"Record wrong password {failed} for {user.email}" + (
        "; the account locks for 59 minutes." if lock else "."
    )
    return Plan(subject, summary, before, after, apply)


def create_activation_code(ctx: Ctx, body: ActivationCodeBody) -> Plan:
    expires = ctx.now + ctx.settings.code_lifetime
    if body.device_id is not None:
        row = records.device_row(ctx.conn, ctx.workspace_id, body.device_id)
        device = records.device_model(row, ctx.now)
        if device.status != "pending_activation":
            raise _conflict(
                "device-not-pending",
                f"The device is {device.status}; only a device waiting for activation "
                "gets a new code.",
            )
        device_id, before = device.id, records.device_state(device)
        after = {**before, "code_expires_at": records.ts(expires)}
    else:
        device_id, before = "dev_" + secrets.token_hex(6), None
        after = {
            "name": body.name,
            "platform": body.platform,
            "mode": body.mode,
            "status": "pending_activation",
            "code_expires_at": records.ts(expires),
        }

    def apply() -> dict[str, Any]:
        code, code_hash = generate_activation_code(ctx.hasher)
        if before is None:
            ctx.conn.execute(
                "INSERT INTO devices (id, workspace_id, name, platform, mode, status, code_hash,"
                " code_expires_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending_activation',"
                " ?, ?, ?)",
                (
                    device_id,
                    ctx.workspace_id,
                    body.name,
                    body.platform,
                    body.mode,
                    code_hash,
                    expires.isoformat(),
                    ctx.now.isoformat(),
                ),
            )
        else:
            # A new code replaces the previous one: only the latest code works.
            ctx.conn.execute(
                "UPDATE devices SET code_hash = ?, code_expires_at = ? WHERE id = ?",
                (code_hash, expires.isoformat(), device_id),
            )
        device = records.device_model(
            records.device_row(ctx.conn, ctx.workspace_id, device_id), ctx.now
        )
        return {"activation_code": code, "code_expires_at": expires, "device": device}

    return Plan(
        f"device:{device_id}",
        f"Create a {body.mode} MODE activation code for '{body.name}' "
        f"({PLATFORM_NAMES.get(body.platform, body.platform)}), "
        "valid for 24 hours and usable once.",
        before,
        after,
        apply,
        preview={"code_expires_at": expires},
    )


def set_device_status(ctx: Ctx, device_id: str, target: str) -> Plan:
    device = records.device_model(
        records.device_row(ctx.conn, ctx.workspace_id, device_id), ctx.now
    )
    if device.status == target:
        raise _conflict(f"device-already-{target}", f"The device is already {target}.")
    if target == "active" and device.status == "pending_activation":
        raise _conflict(
            "device-not-activated",
            "The device was never activated; create an activation code instead.",
        )
    before = records.device_state(device)
    after = {**before, "status": target}

    def apply() -> dict[str, Any]:
        ctx.conn.execute("UPDATE devices SET status = ? WHERE id = ?", (target, device.id))
        return {"device": device.model_copy(update={"status": target})}

    verb = "Enable" if target == "active" else "Disable"
    return Plan(f"device:{device.id}", f"{verb} the device '{device.name}'.", before, after, apply)


def activate_device(ctx: Ctx, body: ActivateDeviceBody) -> Plan:
    """The device's side: consume a code (single use, within 24 hours)."""
    row = ctx.conn.execute(
        "SELECT * FROM devices WHERE workspace_id = ? AND code_hash = ?",
        (ctx.workspace_id, hash_activation_code(ctx.hasher, body.code)),
    ).fetchone()
    expires = records.parse_ts(row["code_expires_at"]) if row else None
    if row is None or expires is None or expires <= ctx.now:
        raise ApiProblem(
            422, "invalid-activation-code", "The code is unknown, used or expired.", field="code"
        )
    device = records.device_model(row, ctx.now)
    before = records.device_state(device)
    after = {**before, "status": "active", "code_expires_at": None}

    def apply() -> dict[str, Any]:
        ctx.conn.execute(
            "UPDATE devices SET status = 'active', code_hash = NULL, code_expires_at = NULL,"
            " client_version = COALESCE(?, client_version) WHERE id = ?",
            (body.client_version, device.id),
        )
        return {
            "device": records.device_model(
                records.device_row(ctx.conn, ctx.workspace_id, device.id), ctx.now
            )
        }

    return Plan(
        f"device:{device.id}", f"Activate the device '{device.name}'.", before, after, apply
    )


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
