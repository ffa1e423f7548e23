"""HTTP-level contract: problems, strict bodies, size and rate limits, request ids,
logs without secrets, health."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpdesk.errors import RateLimited
from helpdesk.server import seed as demo
from helpdesk.server.settings import RateLimit
from helpdesk.server.store import MIGRATIONS
from helpdesk.server.testing import DemoServer, demo_server

W = {"reason": "protocol test", "ticket": "T-PROTO"}


def auth(server: DemoServer, role: str = "agent") -> dict[str, str]:
    return {"Authorization": f"Bearer {server.tokens[role]}"}


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[DemoServer]:
    limits = {
        "write_limit": RateLimit(burst=3, per_second=0.01),
        "pin_limit": RateLimit(burst=2, per_second=0.01),
    }
    with demo_server(tmp_path / "strict.db", **limits) as running:
        yield running


def test_health_reports_the_database_without_a_token(server: DemoServer) -> None:
    response = httpx.get(f"{server.base_url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "schema_version": len(MIGRATIONS)}


def test_unknown_fields_are_refused_and_named(server: DemoServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/users/{demo.RECEPTIONIST.id}/unlock",
        json={**W, "force": True},
        headers=auth(server),
    )
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["field"] == "force"
    assert problem["type"] == "https://helpdesk.example/problems/validation-failed"
    assert {"title", "detail", "status", "request_id"} <= problem.keys()


def test_large_bodies_are_refused_with_413(server: DemoServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/users",
        content=b"{" + b" " * (server.settings.max_body_bytes + 1) + b"}",
        headers={**auth(server), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


def test_unknown_routes_answer_with_a_problem(server: DemoServer) -> None:
    response = httpx.get(f"{server.base_url}/v1/nothing-here", headers=auth(server))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_request_id_is_echoed_or_made(server: DemoServer) -> None:
    mine = httpx.get(f"{server.base_url}/healthz", headers={"X-Request-Id": "call-42"})
    assert mine.headers["x-request-id"] == "call-42"
    made = httpx.get(f"{server.base_url}/healthz", headers={"X-Request-Id": "has spaces; and more"})
    assert made.headers["x-request-id"].startswith("req_")


def test_one_log_line_per_request_and_never_a_secret(
    server: DemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="helpdesk.access_api")
    token = server.tokens["agent"]
    response = httpx.post(
        f"{server.base_url}/v1/users/{demo.RECEPTIONIST.id}/pin",
        params={"dry_run": "true"},
        json={**W, "pin": "5937"},
        headers={"Authorization": f"Bearer {token}", "X-Request-Id": "log-check"},
    )
    assert response.status_code == 200

    def logged() -> list[dict[str, Any]]:
        return [json.loads(r.getMessage()) for r in caplog.records if "log-check" in r.getMessage()]

    # The line is written once the response has gone out, so it may trail the answer.
    deadline = time.monotonic() + 5
    while not logged() and time.monotonic() < deadline:
        time.sleep(0.01)
    lines = logged()
    assert len(lines) == 1
    assert lines[0]["status"] == 200 and lines[0]["token_id"].startswith("tok_")
    everything = caplog.text
    assert token not in everything and "5937" not in everything
    assert server.settings.pin_pepper not in everything  # type: ignore[operator]


async def test_writes_are_rate_limited_per_token_with_retry_after(strict: DemoServer) -> None:
    async with strict.client("agent") as api, strict.client("users:write") as other:
        for _ in range(3):
            await api.unlock_account(demo.LOCKED_USER.id, dry_run=True, **W)
        with pytest.raises(RateLimited) as caught:
            await api.unlock_account(demo.LOCKED_USER.id, dry_run=True, **W)
        assert caught.value.retry_after >= 1
        response = caught.value.response
        assert response is not None and int(response.headers["Retry-After"]) >= 1
        # Another token has its own bucket.
        await other.unlock_account(demo.LOCKED_USER.id, dry_run=True, **W)
        audit = await api.list_audit(action="unlock_account")
        assert audit.items == [], "dry runs and their refusals are not audited"


async def test_pin_calls_have_their_own_tighter_limit(strict: DemoServer) -> None:
    async with strict.client("agent") as api:
        for _ in range(2):
            await api.set_pin(demo.RECEPTIONIST.id, pin="5937", dry_run=True, **W)
        with pytest.raises(RateLimited):
            await api.set_pin(demo.RECEPTIONIST.id, pin="5937", dry_run=True, **W)
        with pytest.raises(RateLimited):
            await api.set_pin(demo.RECEPTIONIST.id, pin="5937", **W)
        audit = await api.list_audit(action="set_pin")
        assert [(r.outcome, r.status) for r in audit.items] == [("refused", 429)]


async def test_an_unexpected_failure_is_a_500_problem_without_details(tmp_path: Path) -> None:
    from helpdesk.server.app import create_app
    from helpdesk.server.testing import fast_settings

    app = create_app(fast_settings(tmp_path / "crash.db"))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret detail" not in response.text
    app.state.access.store.close()
