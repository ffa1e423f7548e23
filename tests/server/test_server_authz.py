"""The authorization matrix: every endpoint × no token / bad token / wrong scope /
another workspace's object."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from helpdesk.server import seed as demo
from helpdesk.server.testing import DemoServer, demo_server

W = {"reason": "matrix check", "ticket": "T-AUTHZ"}
U = demo.RECEPTIONIST.id
D = demo.DEVICE_ACTIVE.id
OTHER_USER = demo.OTHER_ADMIN.id
OTHER_DEVICE = demo.OTHER_DEVICE.id

# (method, path template, scope, json body); {u}/{d} are a user and a device.
ENDPOINTS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/users/lookup?email={email}", "users:read", None),
    ("GET", "/v1/users/{u}", "users:read", None),
    ("GET", "/v1/users/{u}/access-check?client=windows&version=20.0", "users:read", None),
    ("GET", "/v1/devices", "users:read", None),
    ("GET", "/v1/audit", "audit:read", None),
    ("POST", "/v1/users/{u}/mfa/suspend", "mfa:write",
     {**W, "minutes": 5, "verified_channel": True}),
    ("POST", "/v1/users/{u}/mfa/restore", "mfa:write", W),
    ("POST", "/v1/users", "users:write", {**W, "email": "x@hotel-aurora.example", "name": "X"}),
    ("POST", "/v1/users/{u}/pin", "pins:write", {**W, "pin": "5937"}),
    ("POST", "/v1/users/{u}/unlock", "users:write", W),
    ("POST", "/v1/users/{u}/failed-logins", "admin", None),
    ("POST", "/v1/devices/activation-codes", "devices:write",
     {**W, "name": "PC", "platform": "windows"}),
    ("POST", "/v1/devices/activate", "devices:write", {"code": "ABCDEFGHJK"}),
    ("POST", "/v1/devices/{d}/enable", "devices:write", W),
    ("POST", "/v1/devices/{d}/disable", "devices:write", W),
]  # fmt: skip
IDS = [f"{method} {path.split('?')[0]}" for method, path, _, _ in ENDPOINTS]


def call(
    server: DemoServer,
    endpoint: tuple[str, str, str, dict[str, Any] | None],
    token: str | None,
    *,
    user: str = U,
    device: str = D,
    email: str = demo.RECEPTIONIST.email,
) -> httpx.Response:
    method, path, _, body = endpoint
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = server.base_url + path.format(u=user, d=device, email=email)
    # dry_run keeps the matrix from changing the shared demo data.
    params = {"dry_run": "true"} if method == "POST" else None
    return httpx.request(method, url, json=body, headers=headers, params=params, timeout=10)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_no_token_is_401_with_a_problem(server: DemoServer, endpoint: Any) -> None:
    response = call(server, endpoint, None)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith("/unauthorized")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_bad_token_is_401(server: DemoServer, endpoint: Any) -> None:
    forged = server.tokens["agent"][:-4] + "0000"
    assert call(server, endpoint, forged).status_code == 401
    assert call(server, endpoint, "not-a-token").status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_missing_scope_is_403(server: DemoServer, endpoint: Any) -> None:
    scope = endpoint[2]
    wrong = "audit:read" if scope != "audit:read" else "users:read"
    for token in (server.tokens["none"], server.tokens[wrong]):
        response = call(server, endpoint, token)
        assert response.status_code == 403, response.text
        assert scope in response.json()["detail"]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_the_right_scope_or_admin_is_allowed(server: DemoServer, endpoint: Any) -> None:
    for token in (server.tokens[endpoint[2]], server.tokens["admin"]):
        response = call(server, endpoint, token)
        assert response.status_code not in (401, 403), response.text


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if "{u}" in e[1] or "{d}" in e[1] or "email" in e[1]],
    ids=[i for i, e in zip(IDS, ENDPOINTS, strict=True) if "{" in e[1]],
)  # fmt: skip
def test_another_workspaces_object_is_404_and_indistinguishable_from_none(
    server: DemoServer, endpoint: Any
) -> None:
    token = server.tokens["admin"]
    theirs = call(
        server, endpoint, token, user=OTHER_USER, device=OTHER_DEVICE, email=demo.OTHER_ADMIN.email
    )
    missing = call(
        server, endpoint, token, user="usr_missing", device="dev_missing", email="no@x.example"
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"] == missing.json()["detail"]


def test_the_other_workspace_sees_only_its_own_devices_and_audit(server: DemoServer) -> None:
    headers = {"Authorization": f"Bearer {server.tokens['other']}"}
    devices = httpx.get(f"{server.base_url}/v1/devices", headers=headers).json()["items"]
    assert [d["id"] for d in devices] == [demo.OTHER_DEVICE.id]
    audit = httpx.get(f"{server.base_url}/v1/audit", headers=headers).json()["items"]
    assert all(r["workspace_id"] == demo.OTHER_WORKSPACE_ID for r in audit)


def _revoke(server: DemoServer, role: str) -> str:
    token_id = server.tokens[role][4:20]
    with server.live.app.state.access.store.write() as conn:
        conn.execute(
            "UPDATE tokens SET revoked_at = '2026-01-01T00:00:00+00:00' WHERE id = ?", (token_id,)
        )
    return token_id


def _audit_rows(server: DemoServer, token_id: str) -> list[tuple[str, str]]:
    with server.live.app.state.access.store.write() as conn:
        rows = conn.execute(
            "SELECT action, outcome FROM audit WHERE token_id = ?", (token_id,)
        ).fetchall()
    return [(row["action"], row["outcome"]) for row in rows]


def test_a_revoked_token_changes_nothing_and_is_forgotten_once_a_write_finds_out(
    database: str,
) -> None:
    # A cache time far longer than the test: only the write's own check can stop it.
    with demo_server(database, token_cache_seconds=600) as server:
        user_url = f"{server.base_url}/v1/users/{U}"
        for role in ("agent", "admin"):
            headers = {"Authorization": f"Bearer {server.tokens[role]}"}
            assert httpx.get(user_url, headers=headers).status_code == 200  # now cached
        agent = {"Authorization": f"Bearer {server.tokens['agent']}"}
        admin = {"Authorization": f"Bearer {server.tokens['admin']}"}
        agent_id, admin_id = _revoke(server, "agent"), _revoke(server, "admin")
        assert httpx.get(user_url, headers=agent).status_code == 200  # the cache's window

        # A write the rules would refuse anyway: still 401, and no audit record.
        weak = httpx.post(f"{user_url}/pin", json={**W, "pin": "1111"}, headers=agent)
        assert weak.status_code == 401, weak.text
        assert weak.headers["www-authenticate"].startswith("Bearer")
        # A write that would apply, dry run or not: 401 from the transaction's own check.
        for dry_run in ("true", "false"):
            refused = httpx.post(
                f"{user_url}/unlock", json=W, headers=admin, params={"dry_run": dry_run}
            )
            assert refused.status_code == 401, refused.text

        # Once a write found out, reads stop at once, not when the cache entry ages.
        assert httpx.get(user_url, headers=agent).status_code == 401
        assert httpx.get(user_url, headers=admin).status_code == 401
        assert _audit_rows(server, agent_id) == [] and _audit_rows(server, admin_id) == []


def test_a_revoked_token_stops_reading_within_the_cache_time(database: str) -> None:
    with demo_server(database, token_cache_seconds=0.3) as server:
        headers = {"Authorization": f"Bearer {server.tokens['agent']}"}
        user_url = f"{server.base_url}/v1/users/{U}"
        assert httpx.get(user_url, headers=headers).status_code == 200  # now cached
        _revoke(server, "agent")

        deadline = time.monotonic() + 10
        while httpx.get(user_url, headers=headers).status_code == 200:
            assert time.monotonic() < deadline, "a revoked token was still reading after 10 s"
            time.sleep(0.05)
        assert httpx.get(user_url, headers=headers).status_code == 401


def test_a_token_created_while_the_server_runs_works_at_once(database: str) -> None:
    from helpdesk.server.seed import create_demo_token

    with demo_server(database, token_cache_seconds=60) as server:
        state = server.live.app.state.access
        forged = server.tokens["agent"][:-4] + "0000"
        assert httpx.get(f"{server.base_url}/v1/devices", headers={
            "Authorization": f"Bearer {forged}"}).status_code == 401  # fmt: skip
        fresh = create_demo_token(state.store, server.settings.clock(), name="late")
        response = httpx.get(
            f"{server.base_url}/v1/devices", headers={"Authorization": f"Bearer {fresh}"}
        )
        assert response.status_code == 200
