"""The audit log proves itself: a keyed hash chain per workspace that `audit verify`
walks, append-only guards below the API, every applied write with its full fields, and
repeated refusals folded into one record with a count."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from helpdesk.access.client import AccessClient
from helpdesk.cli import cli
from helpdesk.errors import Forbidden
from helpdesk.server import seed as demo
from helpdesk.server.testing import DemoServer, demo_server
from pg_support import PostgresCluster

W = {"reason": "caller verified on the phone", "ticket": "T-3001"}
PEPPER = "test-pepper-not-secret"  # fast_settings' pepper


def verify(db: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("HELPDESK_PIN_PEPPER", PEPPER)
    result = CliRunner().invoke(cli, ["access-api", "audit", "verify", "--db", db])
    return result.exit_code, result.stdout + result.stderr


async def _some_history(api: AccessClient) -> str:
    email = f"temp-{uuid.uuid4().hex[:10]}@hotel-aurora.example"
    created = await api.create_limited_user(email=email, name="Temp", **W)
    assert created.user is not None
    await api.set_pin(created.user.id, pin="5937", **W)
    await api.set_pin(created.user.id, pin="5938", dry_run=True, **W)
    return created.user.id


@pytest.fixture
def history(database: str) -> Iterator[tuple[DemoServer, str]]:
    with demo_server(database) as server:
        yield server, database


async def test_an_untouched_log_verifies(
    history: tuple[DemoServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, db = history
    async with server.client() as api:
        await _some_history(api)
    code, out = verify(db, monkeypatch)
    assert code == 0, out
    assert "intact" in out and "3 record(s)" in out


async def test_every_applied_write_records_its_full_fields_including_activation(
    server: DemoServer,
) -> None:
    async with server.client() as api:
        code = await api.create_activation_code(name="Bar", platform="tablet", **W)
        assert code.activation_code is not None and code.device is not None
        await api.activate_device(code=code.activation_code, idempotency_key=uuid.uuid4().hex)
        items = (await api.list_audit(subject=f"device:{code.device.id}")).items
    activated, created = items
    assert (created.ticket, created.reason) == (W["ticket"], W["reason"])
    assert activated.action == "activate_device" and activated.outcome == "applied"
    assert activated.reason == "device activation with a one-time code"
    assert activated.idempotency_key and activated.request_id and activated.token_id
    assert activated.before is not None and activated.before["status"] == "pending_activation"
    assert activated.after is not None and activated.after["status"] == "active"
    assert code.activation_code not in activated.model_dump_json()


async def test_repeated_identical_refusals_are_one_record_with_a_count(
    server: DemoServer,
) -> None:
    async with server.client("users:read") as reader, server.client("admin") as admin:
        for _ in range(40):
            with pytest.raises(Forbidden):
                await reader.unlock_account(demo.LOCKED_USER.id, **W)
        token_id = server.tokens["users:read"][4:20]
        items = [
            r
            for r in (await admin.list_audit(action="unlock_account", limit=1000)).items
            if r.token_id == token_id
        ]
    assert [(r.outcome, r.status, r.count) for r in items] == [("refused", 403, 40)]


def _sqlite_attack(db: str, *statements: str) -> None:
    with sqlite3.connect(db) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_insert_or_replace_cannot_rewrite_a_record(
    history: tuple[DemoServer, str],
) -> None:
    server, db = history
    async with server.client() as api:
        await _some_history(api)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        _sqlite_attack(
            db,
            "INSERT OR REPLACE INTO audit (id, time, workspace_id, token_id, action, outcome,"
            " status, request_id) VALUES (1, 'x', 'ws_aurora', 't', 'a', 'applied', 200, 'r')",
        )
    for statement in ("UPDATE audit SET reason = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            _sqlite_attack(db, statement)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("attack", "says"),
    [
        ("UPDATE audit SET reason = 'nothing to see' WHERE id = 2", "record 2 ("),
        ("DELETE FROM audit WHERE id = 2", "record 3 ("),
    ],
)
async def test_a_rewrite_at_the_file_is_found_and_named(
    history: tuple[DemoServer, str], monkeypatch: pytest.MonkeyPatch, attack: str, says: str
) -> None:
    server, db = history
    async with server.client() as api:
        await _some_history(api)
    _sqlite_attack(
        db,
        "DROP TRIGGER audit_no_update",
        "DROP TRIGGER audit_no_delete",
        attack,
    )
    code, out = verify(db, monkeypatch)
    assert code == 1
    assert "append-only trigger(s) audit_no_update, audit_no_delete were removed" in out
    assert says in out and "tampered" in out


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_postgresql_refuses_changes_to_the_audit_log_to_the_apps_role(
    history: tuple[DemoServer, str], postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    server, db = history
    async with server.client() as api:
        await _some_history(api)
    for statement in (
        "UPDATE audit SET reason = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
    ):
        with psycopg.connect(db) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    # Even the superuser meets the triggers; and a rewrite it forces is found.
    admin = postgres.admin_url_of(db)
    with psycopg.connect(admin) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("UPDATE audit SET reason = 'x'")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("ALTER TABLE audit DISABLE TRIGGER audit_no_change")
        conn.execute("UPDATE audit SET ticket = 'HD-FAKE' WHERE id = 1")
    code, out = verify(db, monkeypatch)
    assert code == 1 and "audit_no_change were removed" in out and "record 1 (" in out


def test_verify_reads_the_pepper_beside_a_sqlite_file_and_asks_for_it_on_postgresql(
    backend: str, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo_server(database):
        pass
    monkeypatch.delenv("HELPDESK_PIN_PEPPER", raising=False)
    result = CliRunner().invoke(cli, ["access-api", "audit", "verify", "--db", database])
    if backend == "sqlite":  # the pepper file beside the database: nothing to ask for
        assert result.exit_code == 0, result.output
    else:  # a database server keeps no secret of ours: the operator must give it
        assert result.exit_code == 2 and "HELPDESK_PIN_PEPPER" in result.stderr


def test_refused_writes_with_hostile_strings_are_audited_cleanly(server: DemoServer) -> None:
    headers = {"Authorization": f"Bearer {server.tokens['agent']}"}
    for body in (
        '{"ticket": "\\ud800", "reason": "lone surrogate", "pin": "1111"}',
        '{"ticket": "T-\\u0000", "reason": "a NUL", "pin": "1111"}',
        '{"\\u0000": 1, "ticket": "T-1", "reason": "NUL key"}',
    ):
        response = httpx.post(
            f"{server.base_url}/v1/users/{demo.RECEPTIONIST.id}/pin",
            content=body,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
