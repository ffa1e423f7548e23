"""How routes read requests (``FastRoute``): the token first, then every parameter
validated as declared, each refusal a 422 problem that names its field."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Cookie, FastAPI

from helpdesk.server import seed as demo
from helpdesk.server.routing import FastRoute
from helpdesk.server.testing import DemoServer

W = {"reason": "routing test", "ticket": "T-ROUTE"}


def _unlock(server: DemoServer, **kwargs: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.tokens['agent']}"}
    headers.update(kwargs.pop("headers", {}))  # type: ignore[arg-type]
    return httpx.post(
        f"{server.base_url}/v1/users/{demo.RECEPTIONIST.id}/unlock",
        headers=headers,
        **kwargs,  # type: ignore[arg-type]
    )


def _field_and_detail(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    return problem["field"], problem["detail"]


@pytest.mark.parametrize(
    ("request_kwargs", "field", "words"),
    [
        ({"content": b"reason=x", "headers": {"Content-Type": "text/plain"}}, "body", "JSON"),
        (
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            "body",
            "JSON",
        ),
        ({}, "body", "required"),
        ({"json": W, "params": {"dry_run": "perhaps"}}, "dry_run", "boolean"),
        ({"json": W, "headers": {"Idempotency-Key": "k" * 101}}, "Idempotency-Key", "100"),
        ({"json": {**W, "ticket": ""}}, "ticket", "character"),
    ],
    ids=["not-json", "malformed-json", "no-body", "bad-dry-run", "long-key", "empty-ticket"],
)
def test_each_bad_part_of_a_write_is_named(
    server: DemoServer, request_kwargs: dict[str, object], field: str, words: str
) -> None:
    got_field, detail = _field_and_detail(_unlock(server, **request_kwargs))

    assert got_field == field
    assert words.lower() in detail.lower()


def test_boolean_query_values_read_as_pydantic_reads_them(server: DemoServer) -> None:
    for value in ("true", "1", "yes", "on"):
        response = httpx.post(
            f"{server.base_url}/v1/devices/{demo.DEVICE_ACTIVE.id}/disable",
            json=W,
            params={"dry_run": value},
            headers={"Authorization": f"Bearer {server.tokens['agent']}"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["dry_run"] is True
        assert response.json()["applied"] is False


def test_without_a_token_nothing_about_the_body_is_revealed(server: DemoServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/users/{demo.RECEPTIONIST.id}/unlock",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 401
    assert "body" not in response.text


def test_a_route_declaring_what_fastroute_cannot_read_is_refused_when_built() -> None:
    app = FastAPI()
    app.router.route_class = FastRoute

    with pytest.raises(TypeError, match=r"/remember.*cookie parameters"):

        @app.get("/remember")
        async def remember(session: Annotated[str, Cookie()]) -> dict[str, str]:
            return {"session": session}
