"""The feedback service: ``POST /v1/feedback`` for the help site's beacons.

Public and anonymous, and separate from the access API (which holds tokens and
customers' accounts): a reader's browser sends one JSON object per vote or search,
as ``text/plain`` (what ``navigator.sendBeacon`` sends with a string, so no CORS
preflight) or ``application/json``. The answer is 202 with no body, or a problem
document; no input of any shape gets a 5xx (503 means only "queue full, retry").

What is refused, in the order it is checked: a burst from one client (429, before
the body is read), a body over the limit (413), a media type other than text or
JSON (415), a body that is not one JSON object (400), a field outside the contract
or an unknown article or language (422).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from helpdesk.feedback.catalog import Catalog, load_catalog
from helpdesk.feedback.limits import ClientLimiter
from helpdesk.feedback.models import FEEDBACK, Search, Vote
from helpdesk.feedback.problems import MEDIA_TYPE, FeedbackProblem, Problem, responses
from helpdesk.feedback.records import Received
from helpdesk.feedback.settings import FeedbackSettings
from helpdesk.feedback.store import FeedbackStore, open_store
from helpdesk.feedback.writer import BatchWriter, Overloaded

PATH = "/v1/feedback"
MEDIA_TYPES = ("", "text/plain", "application/json")
"""Accepted ``Content-Type`` values (no header at all is read as text)."""


@dataclass
class FeedbackService:
    """What a running app holds: its settings, catalog, limiter, store and writer."""

    settings: FeedbackSettings
    catalog: Catalog
    limiter: ClientLimiter
    store: FeedbackStore
    writer: BatchWriter

    def close(self) -> None:
        self.writer.stop()
        self.store.close()


def create_app(
    settings: FeedbackSettings,
    *,
    catalog: Catalog | None = None,
    store: FeedbackStore | None = None,
) -> FastAPI:
    """The app. The catalog is read and the database opened here, before serving, so a
    broken KB or an unusable database stops the command with a message instead.

    Args:
        settings: database, KB folder, limits, allowed origins.
        catalog: accepted articles and languages (default: read from ``settings.kb_dir``).
        store: an open store (default: opened from ``settings.db``).

    Raises:
        ContentError: the knowledge base has errors.
        ConfigError, StoreError: the database cannot be used.
    """
    catalog = catalog if catalog is not None else load_catalog(settings.kb_dir)
    store = store if store is not None else open_store(settings.db)
    service = FeedbackService(
        settings=settings,
        catalog=catalog,
        limiter=ClientLimiter(settings.limit),
        store=store,
        writer=BatchWriter(store),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.writer.start()
        try:
            yield
        finally:
            service.close()

    app = FeedbackApp(
        title="helpdesk feedback",
        version="1",
        summary="Votes and failed searches from the help site; public and anonymous.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.feedback = service
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.origins),
        allow_methods=["POST"],
        allow_headers=["Content-Type"],
        max_age=86400,
    )
    app.add_exception_handler(FeedbackProblem, _problem_handler)
    app.add_exception_handler(HTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)

    @app.post(
        PATH,
        status_code=202,
        response_class=Response,
        responses={
            202: {"description": "Accepted; stored within moments. No body."},
            **responses(400, 413, 415, 422, 429, 503),
        },
        openapi_extra={"requestBody": _request_body()},
        summary="Send one vote or one search",
    )
    async def post_feedback(request: Request) -> Response:
        return await _accept(service, request)

    @app.get("/v1/health", summary="Whether the service is up")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original_openapi()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema()
            feedback = FEEDBACK.json_schema(ref_template="#/components/schemas/{model}")
            components.update(feedback.pop("$defs", {}))
            components["Feedback"] = feedback
        return app.openapi_schema or schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _request_body() -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Feedback"}
    return {
        "required": True,
        "content": {"application/json": {"schema": schema}, "text/plain": {"schema": schema}},
    }


def _admit(service: FeedbackService, client: str, user_agent: str, media: str) -> None:
    """The checks made before the body is read: the client's rate and the media type."""
    wait = service.limiter.take(client, user_agent)
    if wait:
        raise FeedbackProblem(
            429,
            "rate-limited",
            "Too many messages from this browser; try again in a moment.",
            headers={"Retry-After": str(max(1, round(wait)))},
        )
    if media not in MEDIA_TYPES:
        raise FeedbackProblem(
            415,
            "media-type",
            f"Send the JSON object as text/plain or application/json, not {media}.",
        )


def _too_large(limit: int) -> FeedbackProblem:
    return FeedbackProblem(
        413,
        "too-large",
        f"The body is over {limit} bytes; a comment holds at most 1,000 characters.",
    )


def _check_declared(declared: str | None, limit: int) -> None:
    if declared is None:
        return
    if not declared.isdigit():
        raise FeedbackProblem(400, "malformed", "The Content-Length header is not a number.")
    if int(declared) > limit:
        raise _too_large(limit)


def _take(service: FeedbackService, body: bytes) -> None:
    """Validate a whole body and queue it for the writer."""
    item = _parse(body)
    _check_known(service.catalog, item)
    try:
        service.writer.put(Received(at=datetime.now(UTC), item=item))
    except Overloaded:
        raise FeedbackProblem(
            503,
            "busy",
            "The service is catching up; try again shortly.",
            headers={"Retry-After": "1"},
        ) from None


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


async def _accept(service: FeedbackService, request: Request) -> Response:
    """The route's handler (what the OpenAPI document describes); ``FeedbackApp`` serves
    the same checks without the framework's routing (see ``beacon``)."""
    _admit(
        service,
        request.client.host if request.client else "",
        request.headers.get("user-agent", ""),
        _media(request.headers.get("content-type", "")),
    )
    limit = service.settings.max_body_bytes
    _check_declared(request.headers.get("content-length"), limit)
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _too_large(limit)
    except ClientDisconnect:
        raise FeedbackProblem(400, "malformed", "The body ended early.") from None
    _take(service, bytes(body))
    return Response(status_code=202)


class FeedbackApp(FastAPI):
    """The FastAPI app, with ``POST /v1/feedback`` answered before the framework's
    middleware and routing.

    The beacon is the only hot path and its checks need nothing of the framework, which
    cost more than the checks themselves (measured in bench/feedback.py: the routed
    endpoint served ~40 % of a bare FastAPI endpoint). Everything else (CORS
    preflights, 404/405 problems, the OpenAPI document, health) goes through FastAPI.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "POST":
            await beacon(self.state.feedback, scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


async def beacon(service: FeedbackService, scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /v1/feedback`` as a plain ASGI handler: the route's checks, in its order."""
    content_type = user_agent = origin = ""
    declared: str | None = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.decode("latin-1")
        elif name == b"content-length":
            declared = value.decode("latin-1")
        elif name == b"user-agent":
            user_agent = value.decode("latin-1")
        elif name == b"origin":
            origin = value.decode("latin-1")
    client = scope.get("client")
    limit = service.settings.max_body_bytes
    try:
        _admit(service, client[0] if client else "", user_agent, _media(content_type))
        _check_declared(declared, limit)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # nobody is left to answer
            body += message.get("body", b"")
            if len(body) > limit:
                raise _too_large(limit)
            if not message.get("more_body", False):
                break
        _take(service, bytes(body))
        status, headers, content = 202, [], b""
    except FeedbackProblem as problem:
        status, content = problem.status, problem.body()
        headers = [(b"content-type", MEDIA_TYPE.encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
    headers.append((b"content-length", str(len(content)).encode()))
    headers += _cors(service.settings.origins, origin)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def _cors(allowed: tuple[str, ...], origin: str) -> list[tuple[bytes, bytes]]:
    """What CORSMiddleware adds to a simple request's answer (the fast path skips it)."""
    if not origin:
        return []
    if "*" in allowed:
        return [(b"access-control-allow-origin", b"*")]
    if origin in allowed:
        return [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
    return [(b"vary", b"Origin")]


def _parse(body: bytes) -> Vote | Search:
    try:
        return FEEDBACK.validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        first = errors[0]
        if first["type"] == "json_invalid":
            raise FeedbackProblem(400, "malformed", "The body is not valid JSON.") from None
        if first["type"] in ("dict_type", "model_attributes_type"):
            raise FeedbackProblem(400, "malformed", "The body is not one JSON object.") from None
        loc = [str(part) for part in first["loc"]]
        field: str | None
        if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
            detail, field = "kind must be 'vote' or 'search'", "kind"
        else:
            field = ".".join(loc[1:]) or None  # loc[0] is the kind the body claimed
            detail = first["msg"].removeprefix("Value error, ")
        raise FeedbackProblem(
            422, "refused-field", f"{field}: {detail}" if field else detail, field=field
        ) from None


def _check_known(catalog: Catalog, item: Vote | Search) -> None:
    if not catalog.knows_language(item.lang):
        known = ", ".join(catalog.languages)
        raise FeedbackProblem(
            422,
            "unknown-language",
            f"lang: no site in '{item.lang}' (known: {known})",
            field="lang",
        )
    article = item.article if isinstance(item, Vote) else item.opened
    if article is not None and not catalog.knows_article(article):
        field = "article" if isinstance(item, Vote) else "opened"
        raise FeedbackProblem(
            422, "unknown-article", f"{field}: no published article '{article}'", field=field
        )


async def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FeedbackProblem)
    return exc.response()


async def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = "POST" if request.url.path == PATH else "GET"
        slug, detail = "method", f"{request.method} is not allowed here."
    elif exc.status_code == 404:
        slug, detail = "not-found", f"Nothing here; send feedback to POST {PATH}."
    else:
        slug, detail = "refused", str(exc.detail)
    return FeedbackProblem(exc.status_code, slug, detail, headers=headers).response()


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    return FeedbackProblem(400, "malformed", "The request could not be read.").response()
