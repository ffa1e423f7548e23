"""The reference access API: ``create_app(settings)`` builds it, routes are listed here.

Reads run on the event loop (an indexed SQLite read costs microseconds); writes go to
the store's writer thread (a group commit, see ``store.py``) and PIN hashes to a KDF
pool, so a slow fsync or scrypt never stalls other requests. Every route is a
``FastRoute`` (``routing.py``): declared like any FastAPI route, read by a reader
compiled once. Nothing relies on lifespan events, because ``httpx.ASGITransport`` (the
embedded mode of the terminal app) does not run them: the database is migrated while
the app is built.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from helpdesk import __version__
from helpdesk.access.models import (
    AccessCheck,
    ActivateDeviceBody,
    ActivationCodeBody,
    AuditPage,
    Client,
    CreateLimitedUserBody,
    DeviceList,
    DeviceStatus,
    Health,
    Problem,
    SetPinBody,
    SuspendMfaBody,
    User,
    Workspace,
    WriteBody,
    WriteResult,
)
from helpdesk.errors import ConfigError
from helpdesk.server import actions, records
from helpdesk.server.middleware import RequestContext
from helpdesk.server.problems import READ, WRITE, ApiProblem, responses
from helpdesk.server.routing import FastRoute
from helpdesk.server.rules import check_access
from helpdesk.server.runtime import (
    HANDLERS,
    AfterKdf,
    AppState,
    Planner,
    require,
    run_write,
    state_of,
)
from helpdesk.server.security import PinHasher, TokenInfo, generate_pin, load_pepper, pin_weakness
from helpdesk.server.settings import Settings
from helpdesk.server.store import open_store
from helpdesk.storage import Connection

DryRun = Annotated[
    bool, Query(description="Return the planned change (before/after) without applying it.")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        description="Same key and body: the stored answer, nothing changes again.",
    ),
]
_W = responses(*WRITE)
_R = responses(*READ)


def create_app(settings: Settings) -> FastAPI:
    """Build the app: open and migrate the database, load the pepper, wire the routes.

    Raises:
        ConfigError: PostgreSQL without HELPDESK_PIN_PEPPER (there is no folder to keep
            a generated one in, and every worker must use the same).
        StorageError: the database cannot be opened or reached.
    """
    store = open_store(settings.db_path, pool_size=settings.pool_size)
    try:
        if store.shared and not settings.pin_pepper:
            raise ConfigError(
                "HELPDESK_PIN_PEPPER must be set with a PostgreSQL database: every worker"
                " must hash PINs with the same secret, and there is no folder to keep one in"
            )
        store.migrate()
        hasher = PinHasher(load_pepper(settings.pin_pepper, store), n=settings.scrypt_n)
    except BaseException:
        store.close()
        raise
    state = AppState(settings=settings, store=store, hasher=hasher)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Only servers run it (httpx.ASGITransport does not): close the pool at shutdown.
        yield
        await asyncio.to_thread(state.close)

    app = FastAPI(
        title="helpdesk access API",
        lifespan=lifespan,
        version=__version__,
        description="Diagnose sign-in problems and apply bounded, audited fixes.",
        exception_handlers=HANDLERS,
        # Operation ids are the operation names the client and the trees use.
        generate_unique_id_function=lambda route: route.name,
        # This service exports no OpenTelemetry (its record is one JSON log line per
        # request); left on, FastAPI asks the global OTel providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.router.route_class = FastRoute
    # Starlette would answer /v1/devices/ with a redirect built from the Host header
    # (an open redirect for anyone who can set it); a path is exact here, or 404.
    app.router.redirect_slashes = False
    app.openapi = functools.partial(_openapi_with_problems, app)  # type: ignore[method-assign]
    app.state.access = state
    app.add_middleware(RequestContext, max_body_bytes=settings.max_body_bytes)
    _reads(app)
    _writes(app)
    # Starlette tries routes in order: the read every diagnosis starts with goes first,
    # FastAPI's documentation pages last. The sort is stable, so /v1/users/lookup stays
    # ahead of /v1/users/{user_id}, the only two paths that overlap.
    app.router.routes.sort(
        key=lambda route: (
            0 if getattr(route, "name", None) == "access_check" else 1,
            0 if isinstance(route, APIRoute) else 1,
        )
    )
    return app


def _openapi_with_problems(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the Problem schemas every error response refers to."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        app.openapi_schema = document
    return app.openapi_schema


def _now(request: Request) -> datetime:
    return state_of(request).settings.clock()


def _reads(app: FastAPI) -> None:
    @app.get("/healthz", tags=["meta"], responses={503: {"model": Health}})
    def healthz(request: Request) -> JSONResponse:
        """Readiness: answers 200 only when the database can be read."""
        try:
            version = state_of(request).store.schema_version()
        except Exception:  # any failure here means "not ready", whatever its kind
            body = Health(status="unavailable", database="unavailable", schema_version=0)
            return JSONResponse(body.model_dump(), status_code=503)
        return JSONResponse(Health(status="ok", database="ok", schema_version=version).model_dump())

    @app.get("/v1/workspace", name="get_workspace", responses=_R, tags=["workspace"])
    async def get_workspace(
        request: Request, token: Annotated[TokenInfo, require("users:read")]
    ) -> Workspace:
        """The token's workspace: its name and the hotel's time zone."""
        ws = token.workspace_id
        return await state_of(request).store.read(lambda conn: records.workspace(conn, ws))

    @app.get("/v1/users/lookup", name="find_user_by_email", responses=_R, tags=["users"])
    async def find_user_by_email(
        request: Request,
        token: Annotated[TokenInfo, require("users:read")],
        email: Annotated[str, Query(min_length=3, max_length=254)],
    ) -> User:
        """Find a user of this workspace by email (case-insensitive)."""
        now, ws = _now(request), token.workspace_id
        return await state_of(request).store.read(
            lambda conn: records.user_model(records.user_by_email(conn, ws, email), now)
        )

    @app.get("/v1/users/{user_id}", name="get_user", responses=_R, tags=["users"])
    async def get_user(
        request: Request, token: Annotated[TokenInfo, require("users:read")], user_id: str
    ) -> User:
        """One user: role, permissions, MFA state, whether a PIN exists, lockout."""
        now, ws = _now(request), token.workspace_id
        return await state_of(request).store.read(
            lambda conn: records.user_model(records.user_row(conn, ws, user_id), now)
        )

    @app.get("/v1/users/{user_id}/access-check", name="access_check", responses=_R, tags=["users"])
    async def access_check(
        request: Request,
        token: Annotated[TokenInfo, require("users:read")],
        user_id: str,
        client: Client,
        version: Annotated[str, Query(max_length=20, examples=["20.0", "1.5.1"])],
        device: Annotated[str | None, Query(max_length=64)] = None,
    ) -> AccessCheck:
        """Can this user sign in to this client version (on this device), and if not, why."""
        now, ws = _now(request), token.workspace_id

        def check(conn: Connection) -> AccessCheck:
            found = None
            if device is None:
                user = records.user_model(records.user_row(conn, ws, user_id), now)
            else:
                user_row, device_row = records.user_and_device_rows(conn, ws, user_id, device)
                user = records.user_model(user_row, now)
                found = records.device_model(device_row, now)
            return check_access(user, client=client, version=version, device=found, now=now)

        return await state_of(request).store.read(check)

    @app.get("/v1/devices", name="list_devices", responses=_R, tags=["devices"])
    async def list_devices(
        request: Request,
        token: Annotated[TokenInfo, require("users:read")],
        status: DeviceStatus | None = None,
        user_id: Annotated[str | None, Query(max_length=64)] = None,
    ) -> DeviceList:
        """Devices of this workspace, optionally by status or by user."""
        now, ws = _now(request), token.workspace_id
        items = await state_of(request).store.read(
            lambda conn: records.list_devices(conn, ws, now, status=status, user_id=user_id)
        )
        return DeviceList(items=items)

    @app.get("/v1/audit", name="list_audit", responses=_R, tags=["audit"])
    async def list_audit(
        request: Request,
        token: Annotated[TokenInfo, require("audit:read")],
        subject: Annotated[str | None, Query(max_length=100)] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> AuditPage:
        """The audit log of this workspace, newest first."""
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        ws, after = token.workspace_id, since.astimezone(UTC) if since else None
        items = await state_of(request).store.read(
            lambda conn: records.list_audit(
                conn, ws, subject=subject, action=action, since=after, limit=limit
            )
        )
        return AuditPage(items=items)


def _writes(app: FastAPI) -> None:
    kw: dict[str, Any] = {"responses": _W, "response_model": WriteResult}

    @app.post("/v1/users/{user_id}/mfa/suspend", name="suspend_mfa", tags=["mfa"], **kw)
    async def suspend_mfa(
        request: Request,
        token: Annotated[TokenInfo, require("mfa:write", "write")],
        user_id: str,
        body: SuspendMfaBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """Suspend MFA for 1 minute to 7 days; it turns back on by itself."""
        return await run_write(
            request, token, body=body.model_dump(), dry_run=dry_run,
            idempotency_key=idempotency_key,
            plan=lambda ctx: actions.suspend_mfa(ctx, user_id, body),
        )  # fmt: skip

    @app.post("/v1/users/{user_id}/mfa/restore", name="restore_mfa", tags=["mfa"], **kw)
    async def restore_mfa(
        request: Request,
        token: Annotated[TokenInfo, require("mfa:write", "write")],
        user_id: str,
        body: WriteBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """End a running MFA suspension now."""
        return await run_write(
            request, token, body=body.model_dump(), dry_run=dry_run,
            idempotency_key=idempotency_key, plan=lambda ctx: actions.restore_mfa(ctx, user_id),
        )  # fmt: skip

    @app.post("/v1/users", name="create_limited_user", tags=["users"], **kw)
    async def create_limited_user(
        request: Request,
        token: Annotated[TokenInfo, require("users:write", "write")],
        body: CreateLimitedUserBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """Create a limited user without MFA (receptionist by default; never admin)."""
        return await run_write(
            request, token, body=body.model_dump(),
            dry_run=dry_run, idempotency_key=idempotency_key,
            plan=lambda ctx: actions.create_limited_user(ctx, body),
        )  # fmt: skip

    @app.post("/v1/users/{user_id}/pin", name="set_pin", tags=["pins"], **kw)
    async def set_pin(
        request: Request,
        token: Annotated[TokenInfo, require("pins:write", "pin")],
        user_id: str,
        body: SetPinBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """Set or reset the 4-digit PIN. The PIN is never returned, except a generated
        one, exactly once."""
        if (body.pin is None) == (not body.generate):
            raise ApiProblem(
                422, "validation-failed", "Give either a pin or generate=true.", field="pin"
            )
        if body.pin is not None and (weakness := pin_weakness(body.pin)):
            raise ApiProblem(422, "weak-pin", f"The PIN is refused: {weakness}.", field="pin")
        hasher = state_of(request).hasher

        def hashed() -> Planner:  # on a KDF thread: scrypt must not stall the event loop
            pin = body.pin or generate_pin()
            prepared = (pin, hasher.hash(pin))
            return lambda ctx: actions.set_pin(ctx, user_id, body, prepared)

        return await run_write(
            request, token, body=body.model_dump(), dry_run=dry_run,
            idempotency_key=idempotency_key, secrets=("pin",),
            plan=(lambda ctx: actions.set_pin(ctx, user_id, body, None))
            if dry_run else AfterKdf(hashed),
        )  # fmt: skip

    @app.post("/v1/users/{user_id}/unlock", name="unlock_account", tags=["users"], **kw)
    async def unlock_account(
        request: Request,
        token: Annotated[TokenInfo, require("users:write", "write")],
        user_id: str,
        body: WriteBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """End a password lockout now."""
        return await run_write(
            request, token, body=body.model_dump(), dry_run=dry_run,
            idempotency_key=idempotency_key,
            plan=lambda ctx: actions.unlock_account(ctx, user_id),
        )  # fmt: skip

    @app.post("/v1/devices/activation-codes", name="create_activation_code", tags=["devices"], **kw)
    async def create_activation_code(
        request: Request,
        token: Annotated[TokenInfo, require("devices:write", "write")],
        body: ActivationCodeBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """Create a single-use activation code (24 hours) for a new or waiting device."""
        return await run_write(
            request, token, body=body.model_dump(),
            dry_run=dry_run, idempotency_key=idempotency_key,
            plan=lambda ctx: actions.create_activation_code(ctx, body),
        )  # fmt: skip

    @app.post("/v1/devices/activate", name="activate_device", tags=["devices"], **kw)
    async def activate_device(
        request: Request,
        token: Annotated[TokenInfo, require("devices:write", "write")],
        body: ActivateDeviceBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """The device's side: consume an activation code."""
        return await run_write(
            request, token, body=body.model_dump(), dry_run=dry_run,
            idempotency_key=idempotency_key, secrets=("code",),
            default_reason="device activation with a one-time code",
            plan=lambda ctx: actions.activate_device(ctx, body),
        )  # fmt: skip

    for target, verb in (("active", "enable"), ("disabled", "disable")):
        _device_status_route(app, target, verb, kw)
    if state_of_app(app).settings.demo_endpoints:
        _demo_routes(app, kw)


def state_of_app(app: FastAPI) -> AppState:
    state: AppState = app.state.access
    return state


def _demo_routes(app: FastAPI, kw: dict[str, Any]) -> None:
    """Routes that exist only on a demo server (``serve --demo``, the tests): an admin
    token could otherwise lock any user out for 59 minutes."""

    @app.post("/v1/users/{user_id}/failed-logins", name="record_failed_login", tags=["demo"], **kw)
    async def record_failed_login(
        request: Request,
        token: Annotated[TokenInfo, require("admin", "write")],
        user_id: str,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        """Demo: record one wrong password, as the product's login service would; the
        fifth in a row locks the account for 59 minutes."""
        return await run_write(
            request, token, body={}, dry_run=dry_run,
            idempotency_key=idempotency_key,
            default_reason="demo: a wrong password, as the login service reports it",
            plan=lambda ctx: actions.record_failed_login(ctx, user_id),
        )  # fmt: skip


def _device_status_route(app: FastAPI, target: str, verb: str, kw: dict[str, Any]) -> None:
    async def change(
        request: Request,
        token: Annotated[TokenInfo, require("devices:write", "write")],
        device_id: str,
        body: WriteBody,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> WriteResult:
        return await run_write(
            request, token, body=body.model_dump(), dry_run=dry_run,
            idempotency_key=idempotency_key,
            plan=lambda ctx: actions.set_device_status(ctx, device_id, target),
        )  # fmt: skip

    change.__doc__ = f"{verb.capitalize()} a device."
    app.post(
        f"/v1/devices/{{device_id}}/{verb}",
        name=f"{verb}_device",
        operation_id=f"{verb}_device",
        tags=["devices"],
        **kw,
    )(change)


__all__ = ["Problem", "create_app"]
