"""Rows to wire models and back: every SQL query about users, devices and audit.

Every lookup takes the caller's workspace: an object of another workspace is simply
not found, so no route can confirm that it exists.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from helpdesk.access.models import AuditRecord, Device, MfaStatus, User, Workspace
from helpdesk.server.problems import not_found


def ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def parse_ts(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def mfa_status(row: sqlite3.Row, now: datetime) -> MfaStatus:
    """Suspensions end by themselves: past ``suspended_until`` the state reads enabled."""
    if not row["mfa_enabled"]:
        return MfaStatus(state="disabled")
    until = parse_ts(row["mfa_suspended_until"])
    if until is not None and until > now:
        return MfaStatus(state="suspended", suspended_until=until)
    return MfaStatus(state="enabled")


def locked_until(row: sqlite3.Row, now: datetime) -> datetime | None:
    until = parse_ts(row["locked_until"])
    return until if until is not None and until > now else None


def user_model(row: sqlite3.Row, now: datetime) -> User:
    return User(
        id=row["id"],
        workspace_id=row["workspace_id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        language=row["language"],
        permissions=json.loads(row["permissions"]),
        mfa=mfa_status(row, now),
        pin_set=row["pin_hash"] is not None,
        failed_logins=row["failed_logins"],
        locked_until=locked_until(row, now),
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def user_state(user: User) -> dict[str, Any]:
    """The redacted view written to before/after: never a hash, never a PIN."""
    return {
        "role": user.role,
        "mfa": user.mfa.state,
        "mfa_suspended_until": ts(user.mfa.suspended_until),
        "pin_set": user.pin_set,
        "failed_logins": user.failed_logins,
        "locked_until": ts(user.locked_until),
    }


def device_model(row: sqlite3.Row, now: datetime) -> Device:
    expires = parse_ts(row["code_expires_at"])
    open_code = row["code_hash"] is not None and expires is not None and expires > now
    return Device(
        id=row["id"],
        workspace_id=row["workspace_id"],
        name=row["name"],
        platform=row["platform"],
        mode=row["mode"],
        client_version=row["client_version"],
        status=row["status"],
        user_id=row["user_id"],
        code_expires_at=expires if open_code else None,
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def device_state(device: Device) -> dict[str, Any]:
    return {
        "name": device.name,
        "platform": device.platform,
        "mode": device.mode,
        "status": device.status,
        "code_expires_at": ts(device.code_expires_at),
    }


def workspace(conn: sqlite3.Connection, workspace_id: str) -> Workspace:
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, name, timezone FROM workspaces WHERE id = ?", (workspace_id,)
    ).fetchone()
    if row is None:
        raise not_found("workspace")
    return Workspace(id=row["id"], name=row["name"], timezone=row["timezone"])


def user_row(conn: sqlite3.Connection, workspace_id: str, user_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM users WHERE id = ? AND workspace_id = ?", (user_id, workspace_id)
    ).fetchone()
    if row is None:
        raise not_found("user")
    return row


def user_by_email(conn: sqlite3.Connection, workspace_id: str, email: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM users WHERE workspace_id = ? AND email = ? COLLATE NOCASE",
        (workspace_id, email.strip()),
    ).fetchone()
    if row is None:
        raise not_found("user")
    return row


def device_row(conn: sqlite3.Connection, workspace_id: str, device_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM devices WHERE id = ? AND workspace_id = ?", (device_id, workspace_id)
    ).fetchone()
    if row is None:
        raise not_found("device")
    return row


def _in_workspace(
    select: str, workspace_id: str, filters: list[tuple[str, Any]]
) -> tuple[str, list[Any]]:
    """``select`` limited to the workspace and to each filter whose value is given."""
    sql, args = f"{select} WHERE workspace_id = ?", [workspace_id]
    for clause, value in filters:
        if value is not None:
            sql += f" AND {clause}"
            args.append(value)
    return sql, args


def list_devices(
    conn: sqlite3.Connection,
    workspace_id: str,
    now: datetime,
    *,
    status: str | None = None,
    user_id: str | None = None,
) -> list[Device]:
    sql, args = _in_workspace(
        "SELECT * FROM devices", workspace_id, [("status = ?", status), ("user_id = ?", user_id)]
    )
    return [device_model(r, now) for r in conn.execute(sql + " ORDER BY id", args)]


def append_audit(
    conn: sqlite3.Connection,
    *,
    time: datetime,
    workspace_id: str,
    token_id: str,
    subject: str | None,
    action: str,
    outcome: str,
    status: int,
    ticket: str | None,
    reason: str | None,
    request_id: str,
    idempotency_key: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    detail: str | None,
    transcript_head: str | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO audit (time, workspace_id, token_id, subject, action, outcome, status,"
        " ticket, reason, request_id, idempotency_key, before, after, detail, transcript_head)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            time.isoformat(),
            workspace_id,
            token_id,
            subject,
            action,
            outcome,
            status,
            ticket,
            reason,
            request_id,
            idempotency_key,
            None if before is None else json.dumps(before),
            None if after is None else json.dumps(after),
            detail,
            transcript_head,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def list_audit(
    conn: sqlite3.Connection,
    workspace_id: str,
    *,
    subject: str | None,
    action: str | None,
    since: datetime | None,
    limit: int,
) -> list[AuditRecord]:
    sql, args = _in_workspace(
        "SELECT * FROM audit",
        workspace_id,
        [("subject = ?", subject), ("action = ?", action), ("time >= ?", ts(since))],
    )
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    return [
        AuditRecord(
            id=r["id"],
            time=datetime.fromisoformat(r["time"]),
            workspace_id=r["workspace_id"],
            token_id=r["token_id"],
            subject=r["subject"],
            action=r["action"],
            outcome=r["outcome"],
            status=r["status"],
            ticket=r["ticket"],
            reason=r["reason"],
            request_id=r["request_id"],
            idempotency_key=r["idempotency_key"],
            before=None if r["before"] is None else json.loads(r["before"]),
            after=None if r["after"] is None else json.loads(r["after"]),
            detail=r["detail"],
            transcript_head=r["transcript_head"],
        )
        for r in conn.execute(sql, args)
    ]
