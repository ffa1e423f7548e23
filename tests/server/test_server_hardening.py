"""What an attacker or a careless operator tried, refused: each of issue 12's findings."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from helpdesk.cli import cli
from helpdesk.errors import Unauthorized
from helpdesk.server import seed as demo
from helpdesk.server.security import create_token
from helpdesk.server.settings import ManualClock
from helpdesk.server.testing import DemoServer, demo_server

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads((ROOT / "docs" / "access-api.openapi.json").read_text(encoding="utf-8"))
W = {"reason": "caller verified on the phone", "ticket": "T-5001"}


def test_the_openapi_document_validates_and_types_every_error_response() -> None:
    validate(DOCUMENT)
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path != "/healthz":
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path)
    assert "Problem" in DOCUMENT["components"]["schemas"]
    assert "FieldProblem" in DOCUMENT["components"]["schemas"]


def test_a_405_names_the_allowed_methods(server: DemoServer) -> None:
    response = httpx.get(f"{server.base_url}/v1/users/{demo.RECEPTIONIST.id}/unlock")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    response = httpx.delete(f"{server.base_url}/v1/devices")
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"


def _raw(server: DemoServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.live.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
    return b"".join(chunks)


def test_a_large_chunked_body_to_a_wrong_method_is_a_problem_not_a_500(
    server: DemoServer,
) -> None:
    chunk = b"x" * 40_000
    request = (
        b"PUT /v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n\r\n"
        + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
    )  # fmt: skip
    status = _raw(server, request).split(b"\r\n", 1)[0]
    assert status.split()[1] in (b"405", b"413"), status


def test_no_redirect_is_built_from_the_host_header(server: DemoServer) -> None:
    response = httpx.get(
        f"{server.base_url}/v1/devices/",
        headers={"Host": "attacker.example", "Authorization": f"Bearer {server.tokens['agent']}"},
    )
    assert response.status_code == 404 and "location" not in response.headers


async def test_an_expired_token_gets_a_401_that_says_so(database: str) -> None:
    clock = ManualClock()
    with demo_server(database, clock=clock) as server:
        with server.live.app.state.access.store.write() as conn:
            _, token = create_token(
                conn,
                workspace_id=demo.WORKSPACE_ID,
                scopes=["users:read", "users:write"],
                name="short",
                now=clock(),
                expires_at=clock() + timedelta(hours=1),
            )
        async with server.client() as api, api.__class__(server.base_url, token=token) as short:
            assert (await short.get_user(demo.RECEPTIONIST.id)).id == demo.RECEPTIONIST.id
            clock.advance(timedelta(hours=1, seconds=1))
            with pytest.raises(Unauthorized) as caught:
                await short.get_user(demo.RECEPTIONIST.id)
            assert caught.value.type.endswith("/token-expired")
            assert "expired at" in str(caught.value)
            with pytest.raises(Unauthorized):
                await short.unlock_account(demo.LOCKED_USER.id, dry_run=True, **W)
            assert (await api.get_user(demo.RECEPTIONIST.id)).id  # others still work


def test_token_create_sets_an_expiry_and_refuses_a_bad_one(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    assert CliRunner().invoke(cli, ["access-api", "seed", "--db", db]).exit_code == 0
    base = ["access-api", "token", "create", "--db", db, "--workspace", "ws_aurora"]
    made = CliRunner().invoke(cli, [*base, "--scopes", "users:read"])
    assert made.exit_code == 0 and "expires" in made.stderr  # the default, 90 days
    never = CliRunner().invoke(cli, [*base, "--scopes", "users:read", "--expires-in", "never"])
    assert never.exit_code == 0 and "never expires" in never.stderr
    bad = CliRunner().invoke(cli, [*base, "--scopes", "users:read", "--expires-in", "soon"])
    assert bad.exit_code == 2 and "--expires-in 'soon'" in bad.stderr


def test_the_failed_login_route_exists_only_on_a_demo_server(tmp_path: Path) -> None:
    assert not any("failed-logins" in path for path in DOCUMENT["paths"])
    with demo_server(tmp_path / "plain.db", demo_endpoints=False) as server:
        response = httpx.post(
            f"{server.base_url}/v1/users/{demo.RECEPTIONIST.id}/failed-logins",
            headers={"Authorization": f"Bearer {server.tokens['admin']}"},
        )
    assert response.status_code == 404


async def test_activation_codes_are_stored_keyed_with_the_pepper(server: DemoServer) -> None:
    import hashlib

    async with server.client() as api:
        made = await api.create_activation_code(name="Spa", platform="tablet", **W)
    assert made.activation_code is not None and made.device is not None
    with server.live.app.state.access.store.reading() as conn:
        row = conn.execute(
            "SELECT code_hash FROM devices WHERE id = ?", (made.device.id,)
        ).fetchone()
    assert row["code_hash"].startswith("hmac-sha256$")
    assert hashlib.sha256(made.activation_code.encode()).hexdigest() not in row["code_hash"]


def test_the_database_files_are_private(tmp_path: Path) -> None:
    with demo_server(tmp_path / "private.db", pin_pepper=None):
        files = sorted(tmp_path.iterdir())
        names = {f.name for f in files}
        assert names >= {"private.db", "private.db-wal", "private.db.pepper"}, names
        assert all(f.stat().st_mode & 0o077 == 0 for f in files), names


@pytest.mark.parametrize(
    "path",
    [
        "/v1/users/lookup?email=a%00b@x.example",
        "/v1/users/usr%00x",
        "/v1/users/usr_aurora_luca/access-check?client=windows&version=20.0&device=d%00",
        "/v1/devices?user_id=%00",
        "/v1/audit?subject=%00&action=x",
        "/v1/audit?action=%ED%A0%80",
    ],
)
def test_no_string_in_a_query_or_path_can_make_a_5xx(server: DemoServer, path: str) -> None:
    response = httpx.get(
        f"{server.base_url}{path}", headers={"Authorization": f"Bearer {server.tokens['admin']}"}
    )
    assert response.status_code < 500, response.text


@pytest.mark.parametrize(
    "field", ["ticket", "reason", "name", "email", "transcript_head", "role", "language"]
)
@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800", "\\udfff\\ud800"])
def test_no_string_in_a_body_can_make_a_5xx(server: DemoServer, field: str, bad: str) -> None:
    body = {"email": "x@hotel-aurora.example", "name": "X", **W}
    text = json.dumps(body)[:-1] + f', "{field}": "ok{bad}"' + "}"
    if field in body:
        text = json.dumps({k: v for k, v in body.items() if k != field})[:-1]
        text += f', "{field}": "ok{bad}"' + "}"
    response = httpx.post(
        f"{server.base_url}/v1/users",
        content=text,
        headers={
            "Authorization": f"Bearer {server.tokens['agent']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 422, response.text
