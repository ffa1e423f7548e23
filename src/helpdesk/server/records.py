"""Rows to wire models and back: every SQL query about users, devices and audit.

Every lookup takes the caller's workspace: an object of another workspace is simply
not found, so no route can confirm that it exists.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from typing import Any

from helpdesk.access.models import AuditRecord, Device, MfaStatus, User, Workspace
from helpdesk.server.problems import not_found
from helpdesk.storage import Connection, Row, fetch_one


def ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def parse_ts(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def mfa_status(row: Row, now: datetime) -> MfaStatus:
    """Suspensions end by themselves: past ``suspended_until`` the state reads enabled."""
    if not row["mfa_enabled"]:
        return MfaStatus(state="disabled")
    until = parse_ts(row["mfa_suspended_until"])
    if until is not None and until > now:
        return MfaStatus(state="suspended", suspended_until=until)
    return MfaStatus(state="enabled")


def locked_until(row: Row, now: datetime) -> datetime | None:
    until = parse_ts(row["locked_until"])
    return until if until is not None and until > now else None


def user_model(row: Row, now: datetime) -> User:
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


def device_model(row: Row, now: datetime) -> Device:
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


def workspace(conn: Connection, workspace_id: str) -> Workspace:
    row: Row | None = fetch_one(
        conn, "SELECT id, name, timezone FROM workspaces WHERE id = ?", (workspace_id,)
    )
    if row is None:
        raise not_found("workspace")
    return Workspace(id=row["id"], name=row["name"], timezone=row["timezone"])


def user_row(conn: Connection, workspace_id: str, user_id: str) -> Row:
    row: Row | None = fetch_one(
        conn, "SELECT * FROM users WHERE id = ? AND workspace_id = ?", (user_id, workspace_id)
    )
    if row is None:
        raise not_found("user")
    return row


def user_by_email(conn: Connection, workspace_id: str, email: str) -> Row:
    row: Row | None = fetch_one(
        conn,
        "SELECT * FROM users WHERE workspace_id = ? AND lower(email) = lower(?)",
        (workspace_id, email.strip()),
    )
    if row is None:
        raise not_found("user")
    return row


# What device_model reads, selected beside a user's row under a d_ prefix.
_DEVICE_COLUMNS = (
    "id", "workspace_id", "name", "platform", "mode", "client_version", "status", "user_id",
    "code_hash", "code_expires_at", "created_at",
)  # fmt: skip
_USER_AND_DEVICE = (
    "SELECT u.*, "
    + ", ".join(f"d.{column} AS d_{column}" for column in _DEVICE_COLUMNS)
    + " FROM users u LEFT JOIN devices d ON d.id = ? AND d.workspace_id = u.workspace_id"
    " WHERE u.id = ? AND u.workspace_id = ?"
)


def user_and_device_rows(
    conn: Connection, workspace_id: str, user_id: str, device_id: str
) -> tuple[Row, dict[str, Any]]:
    """A user's row and a device's, in one statement (an access check's two lookups:
    one round trip to PostgreSQL instead of two). The user is looked for first, as by
    ``user_row`` then ``device_row``: a missing user is the 404, then a missing device."""
    row: Row | None = fetch_one(conn, _USER_AND_DEVICE, (device_id, user_id, workspace_id))
    if row is None:
        raise not_found("user")
    if row["d_id"] is None:
        raise not_found("device")
    return row, {column: row[f"d_{column}"] for column in _DEVICE_COLUMNS}


def device_row(conn: Connection, workspace_id: str, device_id: str) -> Row:
    row: Row | None = fetch_one(
        conn, "SELECT * FROM devices WHERE id = ? AND workspace_id = ?", (device_id, workspace_id)
    )
    if row is None:
        raise not_found("device")
    return row


def _in_workspace(
    select: str,
    workspace_id: str,
    filters: list[tuple[str, Any]],
    *,
    column: str = "workspace_id",
) -> tuple[str, list[Any]]:
    """``select`` limited to the workspace and to each filter whose value is given."""
    sql, args = f"{select} WHERE {column} = ?", [workspace_id]
    for clause, value in filters:
        if value is not None:
            sql += f" AND {clause}"
            args.append(value)
    return sql, args


def list_devices(
    conn: Connection,
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


_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
# Identical refusals (same token, action and problem) within this window are one record.
REPEAT_WINDOW = timedelta(minutes=10)
AUDIT_FIELDS = (
    "workspace_id", "time", "token_id", "subject", "action", "outcome", "status", "ticket",
    "reason", "request_id", "idempotency_key", "before", "after", "detail", "transcript_head",
)  # fmt: skip


def _storable(value: str | None) -> str | None:
    """Text any backend stores: a NUL or an unpaired surrogate becomes U+FFFD."""
    return None if value is None else _NOT_TEXT.sub("\ufffd", value)


def chain_hash(key: bytes, prev_hash: str, stored: dict[str, Any]) -> str:
    """The record's link in its workspace's chain: an HMAC (keyed with a secret kept out
    of the database) over the previous link and every stored field, so a record cannot
    be changed, removed, reordered or forged without the key."""
    body = json.dumps([prev_hash, *(stored[name] for name in AUDIT_FIELDS)], ensure_ascii=True)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def append_audit(
    conn: Connection,
    *,
    chain_key: bytes,
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
    """Add one record at the end of its workspace's chain; returns its id.

    The caller's transaction must be the only writer of this workspace (SQLite's single
    writer; on PostgreSQL the workspace's advisory lock), so the chain never forks.
    """
    stored: dict[str, Any] = {
        "workspace_id": workspace_id,
        "time": time.isoformat(),
        "token_id": token_id,
        "subject": _storable(subject),
        "action": action,
        "outcome": outcome,
        "status": status,
        "ticket": _storable(ticket),
        "reason": _storable(reason),
        "request_id": request_id,
        "idempotency_key": _storable(idempotency_key),
        "before": None if before is None else json.dumps(before),
        "after": None if after is None else json.dumps(after),
        "detail": _storable(detail),
        "transcript_head": _storable(transcript_head),
    }
    last = conn.execute(
        "SELECT hash FROM audit WHERE workspace_id = ? ORDER BY id DESC LIMIT 1", (workspace_id,)
    ).fetchone()
    prev_hash = (last["hash"] if last is not None else None) or ""
    stored["prev_hash"] = prev_hash
    stored["hash"] = chain_hash(chain_key, prev_hash, stored)
    names = ", ".join(stored)
    cursor = conn.execute(
        f"INSERT INTO audit ({names}) VALUES ({', '.join('?' * len(stored))}) RETURNING id",
        tuple(stored.values()),
    )
    return int(cursor.fetchone()["id"])


def record_refusal(
    conn: Connection, *, slug: str, chain_key: bytes, **fields: Any
) -> tuple[int, int]:
    """Audit a refused write, folding repeats: the same token, action, subject and problem
    within ``REPEAT_WINDOW`` of the last one adds to that record's count, not a record.

    Returns ``(audit id, count)``.
    """
    now: datetime = fields["time"]
    since = (now - REPEAT_WINDOW).isoformat()
    subject = _storable(fields["subject"]) or ""
    row = conn.execute(
        "SELECT audit_id, count FROM audit_repeats WHERE token_id = ? AND action = ?"
        " AND subject = ? AND slug = ? AND last_time >= ? ORDER BY audit_id DESC LIMIT 1",
        (fields["token_id"], fields["action"], subject, slug, since),
    ).fetchone()
    if row is not None:
        conn.execute(
            "UPDATE audit_repeats SET count = count + 1, last_time = ? WHERE audit_id = ?",
            (now.isoformat(), row["audit_id"]),
        )
        return int(row["audit_id"]), int(row["count"]) + 1
    audit_id = append_audit(conn, chain_key=chain_key, **fields)
    conn.execute(
        "INSERT INTO audit_repeats (audit_id, workspace_id, token_id, action, subject, slug,"
        " count, last_time) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
        (audit_id, fields["workspace_id"], fields["token_id"], fields["action"], subject,
         slug, now.isoformat()),
    )  # fmt: skip
    return audit_id, 1


def list_audit(
    conn: Connection,
    workspace_id: str,
    *,
    subject: str | None,
    action: str | None,
    since: datetime | None,
    limit: int,
) -> list[AuditRecord]:
    sql, args = _in_workspace(
        "SELECT audit.*, coalesce(audit_repeats.count, 1) AS count FROM audit"
        " LEFT JOIN audit_repeats ON audit_repeats.audit_id = audit.id",
        workspace_id,
        [
            ("audit.subject = ?", subject),
            ("audit.action = ?", action),
            ("audit.time >= ?", ts(since)),
        ],
        column="audit.workspace_id",
    )
    sql += " ORDER BY audit.id DESC LIMIT ?"
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
            count=r["count"],
        )
        for r in conn.execute(sql, args)
    ]
