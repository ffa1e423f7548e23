"""How routes read requests (``FastRoute``): the token first, then every parameter
validated as declared, each refusal a 422 problem that names its field."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Body, Cookie, FastAPI, Query
from pydantic import BaseModel

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


@pytest.mark.parametrize(
    ("declare", "words"),
    [
        ("tags", "only single values"),
        ("embedded", "embedded body"),
        ("exclude", "include/exclude"),
    ],
)
def test_other_shapes_fastroute_cannot_read_are_refused_when_built(
    declare: str, words: str
) -> None:
    app = FastAPI()
    app.router.route_class = FastRoute

    with pytest.raises(TypeError, match=words):
        if declare == "tags":

            @app.get("/tags")
            async def tags(tag: Annotated[list[str], Query()]) -> list[str]:
                return tag

        elif declare == "embedded":

            @app.post("/note")
            async def note(note: Annotated[Note, Body(embed=True)]) -> Note:
                return note

        else:

            @app.get("/note", response_model=Note, response_model_exclude_none=True)
            async def get_note() -> Note:
                return Note(text="x")


class Note(BaseModel):
    text: str


class SecretNote(Note):
    secret: str


async def test_a_returned_subclass_is_serialized_as_the_declared_model() -> None:
    app = FastAPI()
    app.router.route_class = FastRoute

    @app.get("/note", response_model=Note)
    async def get_note() -> Note:
        return SecretNote(text="visible", secret="never on the wire")

    @app.post("/note")
    async def post_note(note: Note) -> Note:
        return note

    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/note")).json() == {"text": "visible"}
        # A byte-order mark before the JSON is accepted, as FastAPI accepts it.
        with_bom = await client.post(
            "/note",
            content="\ufeff".encode() + b'{"text": "marked"}',
            headers={"Content-Type": "application/json"},
        )
    assert with_bom.json() == {"text": "marked"}


async def test_routes_match_under_a_router_prefix_and_a_root_path_and_405_stays() -> None:
    from fastapi import APIRouter

    router = APIRouter(route_class=FastRoute)

    @router.get("/items/{item_id}")
    async def get_item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    app = FastAPI()
    app.router.route_class = FastRoute
    app.include_router(router, prefix="/v1")

    @app.get("/own/{name}")
    async def own(name: str) -> dict[str, str]:
        return {"name": name}

    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/v1/items/x")).json() == {"id": "x"}
        assert (await client.get("/own/y")).json() == {"name": "y"}
        assert (await client.post("/own/y")).status_code == 405
        assert (await client.get("/nowhere")).status_code == 404
    behind = httpx.ASGITransport(app, root_path="/api")
    async with httpx.AsyncClient(transport=behind, base_url="http://test") as client:
        assert (await client.get("/api/own/z")).json() == {"name": "z"}


@pytest.mark.parametrize(
    "query",
    [
        b"",
        b"client=windows&version=20.0.1&device=dev_1",
        b"a=1&a=2",  # the last of a repeated name, as Starlette's QueryParams.get
        b"flag&empty=&&x==y",
        b"email=ana%40example.com&name=Ana+Lopez",  # decoded: parse_qsl's path
        "caf\u00e9=\u00e9t\u00e9".encode("latin-1"),
    ],
)
def test_query_values_read_what_starlette_reads(query: bytes) -> None:
    from starlette.datastructures import QueryParams
    from starlette.requests import Request

    from helpdesk.server.routing import query_values

    request = Request({"type": "http", "query_string": query, "headers": []})
    expected = QueryParams(query)
    assert dict(query_values(request)) == {key: expected[key] for key in expected}
