"""``FastRoute``: a FastAPI route whose parameters are read by a reader built once.

FastAPI resolves every request's parameters with a general solver (sub-dependency
caches, generator dependencies, forms, cookies, response validation of the result);
on this API that machinery was the largest single cost of a request
(``bench/access_api.py``). The routes here declare only a few kinds of parameter, so
each route's signature, as FastAPI itself analysed it, is compiled once into plain
readers:

- ``Request``;
- a dependency object with ``resolve(request)`` (the bearer-token check);
- path, query and header parameters, validated by the very ``TypeAdapter`` FastAPI
  builds from the same declaration (same constraints, same error locations);
- one JSON body model, parsed and validated in a single pydantic pass.

Results are serialized once as the declared response model (a subclass's extra
fields stay out, as with FastAPI), without validating them again. The OpenAPI
document is still FastAPI's, made from the unchanged signatures. A route that
declares anything else is refused when the app is built, not when a request comes.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from types import UnionType
from typing import (
    Annotated,
    Any,
    Protocol,
    TypeGuard,
    Union,
    get_args,
    get_origin,
    runtime_checkable,
)

from fastapi import params as params_module
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from helpdesk.access.models import text_problem

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_UTF8_BOM = b"\xef\xbb\xbf"


@runtime_checkable
class DirectDependency(Protocol):
    """A dependency that can also be resolved straight from the request."""

    def resolve(self, request: Request) -> Any: ...


@dataclass(frozen=True)
class _Param:
    name: str
    source: str  # "path", "query" or "header"
    alias: str
    adapter: TypeAdapter[Any]
    info: FieldInfo

    def read(self, sources: Mapping[str, Mapping[str, str]], errors: list[dict[str, Any]]) -> Any:
        raw = sources[self.source].get(self.alias)
        loc = (self.source, self.alias)
        if raw is None:
            if self.info.is_required():
                errors.append({"type": "missing", "loc": loc, "msg": "Field required"})
                return None
            return self.info.get_default(call_default_factory=True)
        if problem := text_problem(raw):
            errors.append({"type": "value_error", "loc": loc, "msg": problem})
            return None
        try:
            return self.adapter.validate_python(raw)
        except ValidationError as exc:
            errors.extend({**error, "loc": (*loc, *error["loc"])} for error in exc.errors())
            return None


def query_values(request: Request) -> Mapping[str, str]:
    """The query string's values by name (the last of a repeated name, as Starlette's
    ``QueryParams.get``). A query without ``%`` or ``+`` has nothing to decode: split
    here, it costs a fraction of ``urllib.parse.parse_qsl``, which reads the rest."""
    raw: bytes = request.scope.get("query_string", b"")
    if b"%" in raw or b"+" in raw:
        return request.query_params
    values: dict[str, str] = {}
    for part in raw.decode("latin-1").split("&"):
        if part:  # parse_qsl skips empty parts and keeps a bare name as ""
            name, _, value = part.partition("=")
            values[name] = value
    return values


@dataclass(frozen=True)
class _Body:
    name: str
    model: type[BaseModel]

    async def read(self, request: Request, errors: list[dict[str, Any]]) -> Any:
        raw = await request.body()
        if not raw:
            errors.append({"type": "missing", "loc": ("body",), "msg": "Field required"})
            return None
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            errors.append(
                {
                    "type": "content_type",
                    "loc": ("body",),
                    "msg": "the body must be JSON, sent with Content-Type: application/json",
                }
            )
            return None
        try:
            return self.model.model_validate_json(raw.removeprefix(_UTF8_BOM))
        except ValidationError as exc:
            errors.extend({**error, "loc": ("body", *error["loc"])} for error in exc.errors())
            return None


def _is_model(annotation: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_sequence(annotation: Any) -> bool:
    """list[str], tuple[int, ...], set[str] | None …: values FastAPI reads with getlist."""
    if get_origin(annotation) in (Union, UnionType):
        return any(_is_sequence(arg) for arg in get_args(annotation))
    origin = get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, (list, tuple, set, frozenset))


def _adapter(info: FieldInfo) -> TypeAdapter[Any]:
    # What FastAPI validates a parameter with: its type, constrained by its declaration.
    form: Any = Annotated[info.annotation, info]
    return TypeAdapter(form)


class FastRoute(APIRoute):
    """An ``APIRoute`` that reads its declared parameters with a reader compiled once."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if kwargs.get("max_body_size") is None:
            # FastAPI wraps the handler in two AsyncExitStacks per request, for
            # dependencies with ``yield`` and uploaded files, which a FastRoute refuses
            # to declare: the same app without them (exception handlers unchanged).
            self.app = _lean_app(self._handler)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # The router asks every route in turn and most do not match: saying so costs
        # one regular expression here, without FastAPI's per-route context lookups.
        # The general check runs behind a root path (it knows how to strip it) and when
        # FastAPI keeps routing context in the scope (a route of an included router is
        # matched with its prefix from there, not with this route's own pattern).
        if (
            scope["type"] == "http"
            and not scope.get("root_path")
            and not scope.get("fastapi")
            and self.path_regex.match(scope["path"]) is None
        ):
            return Match.NONE, {}
        return super().matches(scope)

    def get_route_handler(self) -> Handler:
        dependant = self.dependant
        unsupported = [
            name
            for name, value in (
                ("cookie parameters", dependant.cookie_params),
                ("a WebSocket", dependant.websocket_param_name),
                ("background tasks", dependant.background_tasks_param_name),
                ("a Response parameter", dependant.response_param_name),
                ("security scopes", dependant.security_scopes_param_name),
                ("an HTTPConnection parameter", dependant.http_connection_param_name),
            )
            if value
        ]
        if len(dependant.body_params) > 1:
            unsupported.append("more than one body parameter")
        resolvers: list[tuple[str, Callable[[Request], Any]]] = []
        for sub in dependant.dependencies:
            if sub.name is None or not isinstance(sub.call, DirectDependency):
                unsupported.append(f"the dependency {sub.call!r}")
            else:
                resolvers.append((sub.name, sub.call.resolve))
        param_fields = [
            (source, field)
            for source, fields in (
                ("path", dependant.path_params),
                ("query", dependant.query_params),
                ("header", dependant.header_params),
            )
            for field in fields
        ]
        params = []
        for source, field in param_fields:
            info = field.field_info
            if _is_sequence(info.annotation) or _is_model(info.annotation):
                unsupported.append(f"the {source} parameter {field.name} (only single values)")
            elif info.validate_default:
                unsupported.append(f"validate_default on {field.name}")
            else:
                params.append(_Param(field.name, source, field.alias, _adapter(info), info))
        body = None
        if dependant.body_params:
            field = dependant.body_params[0]
            model = field.field_info.annotation
            if isinstance(field.field_info, params_module.Form) or getattr(
                field.field_info, "embed", False
            ):
                unsupported.append("a form or embedded body (only one JSON model)")
            elif _is_model(model):
                body = _Body(field.name, model)
            else:
                unsupported.append(f"the body {model!r} (only a pydantic model)")
        # Returned models are serialized as the declared response model (a subclass's
        # extra fields are left out, as FastAPI does); its filtering options are not read.
        if (
            self.response_model_include is not None
            or self.response_model_exclude is not None
            or not self.response_model_by_alias
            or self.response_model_exclude_unset
            or self.response_model_exclude_defaults
            or self.response_model_exclude_none
        ):
            unsupported.append("response_model include/exclude options")
        serializer = TypeAdapter(self.response_model) if self.response_model else None
        if unsupported:
            raise TypeError(
                f"FastRoute {self.path} cannot read {', '.join(unsupported)}; "
                "declare the route without route_class=FastRoute"
            )
        request_name = dependant.request_param_name
        endpoint = dependant.call
        assert endpoint is not None
        # FastAPI runs plain ``def`` endpoints in a worker thread; so does this.
        call: Callable[..., Any] = (
            endpoint
            if inspect.iscoroutinefunction(endpoint)
            else functools.partial(run_in_threadpool, endpoint)
        )
        status_code = self.status_code or 200
        reads_query = any(param.source == "query" for param in params)
        reads_headers = any(param.source == "header" for param in params)

        async def handler(request: Request) -> Response:
            # Dependencies first: a caller without a valid token learns nothing about
            # what a valid request would look like.
            kwargs: dict[str, Any] = {}
            for name, resolve in resolvers:
                value = resolve(request)
                kwargs[name] = await value if inspect.isawaitable(value) else value
            errors: list[dict[str, Any]] = []
            if params:
                sources: dict[str, Mapping[str, str]] = {"path": request.path_params}
                if reads_query:
                    sources["query"] = query_values(request)
                if reads_headers:
                    sources["header"] = request.headers
                for param in params:
                    kwargs[param.name] = param.read(sources, errors)
            if body is not None:
                kwargs[body.name] = await body.read(request, errors)
            if errors:
                raise RequestValidationError(errors)
            if request_name:
                kwargs[request_name] = request
            result = await call(**kwargs)
            if isinstance(result, Response):
                return result
            if serializer is not None:
                return Response(
                    serializer.dump_json(result),
                    status_code=status_code,
                    media_type="application/json",
                )
            if isinstance(result, BaseModel):
                return Response(
                    result.model_dump_json(),
                    status_code=status_code,
                    media_type="application/json",
                )
            return JSONResponse(jsonable_encoder(result), status_code=status_code)

        self._handler = handler
        return handler


def _lean_app(handler: Handler) -> ASGIApp:
    """``request_response(handler)`` without the exit stacks nothing here uses."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)

        async def respond(scope: Scope, receive: Receive, send: Send) -> None:
            response = await handler(request)
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(respond, request)(scope, receive, send)

    return app
