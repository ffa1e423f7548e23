"""AccessClient unit behaviour with httpx.MockTransport: error mapping, retries, timeouts."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from helpdesk.access.client import AccessClient
from helpdesk.access.operations import OPERATIONS
from helpdesk.errors import (
    APIStatusError,
    BadRequest,
    Conflict,
    ContractViolation,
    Forbidden,
    NotFound,
    RateLimited,
    Timeout,
    TransportError,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)

Handler = Callable[[httpx.Request], httpx.Response]
USER = {
    "id": "usr_1",
    "workspace_id": "ws_1",
    "email": "a@b.example",
    "name": "A",
    "role": "admin",
    "permissions": [],
    "mfa": {"state": "enabled"},
    "pin_set": False,
    "failed_logins": 0,
    "created_at": "2025-10-01T00:00:00+00:00",
}
RESULT = {
    "action": "unlock_account",
    "subject": "user:usr_1",
    "summary": "Unlock.",
    "before": {},
    "after": {},
    "applied": True,
    "dry_run": False,
}


def problem(status: int, field: str | None = None, **headers: str) -> httpx.Response:
    body = {"type": f"https://x/{status}", "title": "T", "status": status, "detail": "D"}
    if field:
        body["field"] = field
    return httpx.Response(
        status, json=body, headers={"content-type": "application/problem+json", **headers}
    )


def client(handler: Handler, **kwargs: object) -> AccessClient:
    return AccessClient(
        "http://api.test",
        token="hdk_x",
        transport=httpx.MockTransport(handler),
        backoff=0.001,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_reads_send_the_token_and_return_models() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=USER)

    async with client(handler) as api:
        user = await api.find_user_by_email("a@b.example")
    assert user.id == "usr_1"
    assert seen[0].headers["authorization"] == "Bearer hdk_x"
    assert seen[0].url.params["email"] == "a@b.example"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (422, ValidationFailed),
        (418, APIStatusError),
    ],
)
async def test_problems_become_the_error_tree(status: int, error: type[Exception]) -> None:
    async with client(lambda r: problem(status, field="pin")) as api:
        with pytest.raises(error) as caught:
            await api.get_user("usr_1")
    exc = caught.value
    assert isinstance(exc, APIStatusError)
    assert (exc.status, exc.title, exc.detail, exc.field) == (status, "T", "D", "pin")
    assert exc.response is not None and exc.request is not None


async def test_rate_limits_carry_retry_after() -> None:
    async with client(lambda r: problem(429, **{"Retry-After": "7"})) as api:
        with pytest.raises(RateLimited) as caught:
            await api.unlock_account("usr_1", reason="why", ticket="T")
    assert caught.value.retry_after == 7.0


async def test_a_non_problem_error_body_still_maps() -> None:
    async with client(lambda r: httpx.Response(502, text="<html>bad gateway</html>")) as api:
        with pytest.raises(Unavailable) as caught:
            await api.get_user("usr_1")
    assert caught.value.status == 502


async def test_reads_are_retried_on_5xx_then_succeed() -> None:
    answers = [problem(503), problem(503), httpx.Response(200, json=USER)]
    async with client(lambda r: answers.pop(0)) as api:
        assert (await api.get_user("usr_1")).id == "usr_1"
    assert answers == []


async def test_retries_are_bounded() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return problem(503)

    async with client(handler, retries=2) as api:
        with pytest.raises(Unavailable):
            await api.get_user("usr_1")
    assert calls == 3


async def test_a_write_without_an_idempotency_key_is_never_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("reset", request=request)

    async with client(handler) as api:
        with pytest.raises(TransportError):
            await api.unlock_account("usr_1", reason="why", ticket="T")
    assert calls == 1


async def test_a_write_with_an_idempotency_key_is_retried_with_the_same_key() -> None:
    keys: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("idempotency-key"))
        if len(keys) == 1:
            raise httpx.ReadError("reset", request=request)
        return httpx.Response(200, json=RESULT)

    async with client(handler) as api:
        result = await api.unlock_account("usr_1", reason="why", ticket="T", idempotency_key="k")
    assert result.applied and keys == ["k", "k"]


async def test_dry_run_is_a_query_flag_and_the_body_is_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={**RESULT, "applied": False, "dry_run": True})

    async with client(handler) as api:
        await api.set_pin("usr_1", pin="5937", reason="why", ticket="T", dry_run=True)
    assert seen[0].url.params["dry_run"] == "true"
    assert json.loads(seen[0].content) == {
        "pin": "5937",
        "generate": False,
        "reason": "why",
        "ticket": "T",
    }


async def test_timeouts_become_timeout_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with client(handler, retries=0) as api:
        with pytest.raises(Timeout) as caught:
            await api.get_user("usr_1")
    assert caught.value.request is not None


async def test_every_call_has_a_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=USER)

    async with client(handler, timeout=2.5) as api:
        await api.get_user("usr_1")
    assert seen[0].extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}


async def test_an_unreachable_server_is_a_transport_error() -> None:
    async with AccessClient("http://127.0.0.1:9", token="t", timeout=2, retries=0) as api:
        with pytest.raises(TransportError):
            await api.health()


@pytest.mark.parametrize(
    "body",
    [
        {**USER, "pin_set": "perhaps"},  # a wrong type
        {k: v for k, v in USER.items() if k != "email"},  # a missing field
        "<html>not JSON</html>",
    ],
)
async def test_an_answer_that_breaks_the_contract_is_an_access_error(body: object) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(200, text=body)
        return httpx.Response(200, json=body)

    async with client(handler) as api:
        with pytest.raises(ContractViolation) as caught:
            await api.get_user("usr_1")
        # Not a ValueError: the diagnostic walk reads those as a malformed tree.
        assert not isinstance(caught.value, ValueError)
        assert "GET /v1/users/usr_1 breaks the contract (User)" in str(caught.value)
        assert caught.value.response is not None and caught.value.request is not None
        with pytest.raises(ContractViolation):
            await OPERATIONS["get_user"](api, {"user_id": "usr_1"})


async def test_a_write_answer_that_breaks_the_contract_is_an_access_error() -> None:
    broken = {k: v for k, v in RESULT.items() if k != "applied"}
    async with client(lambda r: httpx.Response(200, json=broken)) as api:
        with pytest.raises(ContractViolation, match=r"WriteResult\): applied: Field required"):
            await api.unlock_account("usr_1", reason="why", ticket="T")
