"""What every request shares: authentication, rate limits, the write runner and the
problem handlers (including the audit record of every refused write)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from helpdesk.access.models import (
    TRANSCRIPT_HEAD_PATTERN,
    FieldProblem,
    WriteResult,
    text_problem,
)
from helpdesk.server import records
from helpdesk.server.actions import Ctx, Plan, canonical
from helpdesk.server.middleware import BodyTooLarge
from helpdesk.server.problems import ApiProblem, problem_response
from helpdesk.server.security import (
    PinHasher,
    RateLimiter,
    SharedRateLimiter,
    TokenCache,
    TokenInfo,
    token_active,
    verify_token,
)
from helpdesk.server.settings import RateLimit, Settings
from helpdesk.server.store import AccessStore, DatabaseUnavailable
from helpdesk.storage import Connection

log = logging.getLogger("helpdesk.access_api")
bearer = HTTPBearer(auto_error=False, description="A token from `helpdesk access-api token`.")
# Secrets shown once are never kept in the idempotency store.
_SHOWN_ONCE = ("pin", "activation_code")
_TRANSCRIPT_HEAD = re.compile(TRANSCRIPT_HEAD_PATTERN)


def _kdf_pool() -> ThreadPoolExecutor:
    # scrypt takes 16 MiB and a core per hash: one at a time per core keeps a burst of
    # PIN resets from taking all memory, and the event loop never waits for one.
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="pin-kdf")


@dataclass
class AppState:
    settings: Settings
    store: AccessStore
    hasher: PinHasher
    limiter: RateLimiter | SharedRateLimiter = field(init=False)
    tokens: TokenCache = field(init=False)
    kdf: ThreadPoolExecutor = field(default_factory=_kdf_pool)

    chain_key: bytes = field(init=False)
    closed: bool = False

    def __post_init__(self) -> None:
        self.tokens = TokenCache(ttl=self.settings.token_cache_seconds)
        self.chain_key = self.hasher.chain_key()
        # One process per SQLite file: its buckets in memory cost nothing. Workers that
        # share a PostgreSQL database share their buckets there.
        self.limiter = SharedRateLimiter(self.store) if self.store.shared else RateLimiter()

    def close(self) -> None:
        """Stop the writer and KDF threads and close every database connection (once:
        the lifespan and the embedded transport may both ask)."""
        if self.closed:
            return
        self.closed = True
        self.kdf.shutdown(wait=True)
        self.store.close()


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.access
    return state


async def authenticate(
    request: Request, credentials: str | None, scope: str, limit: str | None = None
) -> TokenInfo:
    """The token behind ``credentials`` if it is valid, has ``scope`` and is within its
    rate class ``limit``; else the 401/403/429 problem.
    """
    app = state_of(request)
    info = None
    if credentials:
        info = app.tokens.cached(credentials)
        if info is None:
            info = await app.store.read(functools.partial(verify_token, token=credentials))
            app.tokens.remember(credentials, info)
    if info is None:
        raise _unauthorized()
    if info.expired(app.settings.clock()):
        assert info.expires_at is not None
        raise ApiProblem(
            401,
            "token-expired",
            f"This token expired at {info.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one"
            " (helpdesk access-api token create).",
            headers={"WWW-Authenticate": 'Bearer realm="helpdesk", error="invalid_token"'},
        )
    request.state.token = info
    if not info.allows(scope):
        raise ApiProblem(403, "missing-scope", f"This token lacks the {scope} scope.")
    if limit is not None:
        rate: RateLimit = getattr(app.settings, f"{limit}_limit")
        wait = await app.limiter.take((info.id, limit), rate)
        if wait:
            raise ApiProblem(
                429,
                "rate-limited",
                f"Too many {limit} requests for this token; retry in {wait:.0f} s.",
                headers={"Retry-After": f"{wait:.0f}"},
            )
    return info


def _unauthorized() -> ApiProblem:
    return ApiProblem(
        401,
        "unauthorized",
        "A valid bearer token is required.",
        headers={"WWW-Authenticate": 'Bearer realm="helpdesk"'},
    )


def bearer_credentials(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, read as ``HTTPBearer`` does."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    credentials = credentials.strip()
    return credentials if scheme.lower() == "bearer" and credentials else None


class Require:
    """The token check as a dependency: FastAPI documents it (the bearer scheme) and
    ``FastRoute`` resolves it straight from the request."""

    def __init__(self, scope: str, limit: str | None) -> None:
        self.scope = scope
        self.limit = limit

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> TokenInfo:
        token = credentials.credentials if credentials else None
        return await authenticate(request, token, self.scope, self.limit)

    def resolve(self, request: Request) -> Coroutine[Any, Any, TokenInfo]:
        return authenticate(request, bearer_credentials(request), self.scope, self.limit)

    def __repr__(self) -> str:
        return f"require({self.scope!r}, {self.limit!r})"


def require(scope: str, limit: str | None = None) -> Any:
    """A dependency: a valid bearer token with ``scope``; ``limit`` names a rate class."""
    return Depends(Require(scope, limit))


Planner = Callable[[Ctx], Plan]


@dataclass(frozen=True)
class AfterKdf:
    """A planner that needs a slow KDF result first: ``make`` runs on the KDF threads
    and returns the planner, which then runs in the write transaction."""

    make: Callable[[], Planner]


async def run_write(
    request: Request,
    token: TokenInfo,
    *,
    body: dict[str, Any],
    dry_run: bool,
    idempotency_key: str | None,
    plan: Planner | AfterKdf,
    secrets: tuple[str, ...] = (),
    default_reason: str | None = None,
) -> WriteResult:
    """Plan a write, then (unless a dry run) apply it, audit it and remember its answer.

    The action recorded is the route's name (``suspend_mfa``…), as for refused writes.
    ``secrets`` names body fields holding a short secret (a PIN, an activation code).
    ``default_reason`` is audited when the body gives none (a device's own activation).
    Dry runs and replays are audited too (outcomes ``dry_run`` and ``replayed``).
    """
    action: str = request.scope["route"].name
    app = state_of(request)
    request_id: str = request.state.request_id
    fingerprint = ""
    if idempotency_key and not dry_run:  # only a write that can be replayed needs one
        # The fingerprint is stored: a secret goes in as its peppered HMAC, since a plain
        # hash of 10,000 possible PINs is no secret at all.
        shown = {**body, **{name: app.hasher.keyed(body.get(name)) for name in secrets}}
        fingerprint = hashlib.sha256(
            f"{request.method} {request.scope['path']} {canonical(shown)}".encode()
        ).hexdigest()

    def audit(conn: Connection, now: datetime, outcome: str, **fields: Any) -> int:
        return records.append_audit(
            conn,
            chain_key=app.chain_key,
            time=now,
            workspace_id=token.workspace_id,
            token_id=token.id,
            action=action,
            outcome=outcome,
            status=200,
            ticket=body.get("ticket"),
            reason=body.get("reason") or default_reason,
            request_id=request_id,
            idempotency_key=idempotency_key,
            transcript_head=body.get("transcript_head"),
            **fields,
        )

    def work(planner: Planner, conn: Connection) -> WriteResult:
        # The token was verified from a cache that may be a second old: a revoked token
        # must not change anything, so the transaction asks again.
        now = app.settings.clock()
        if not token_active(conn, token.id, now):
            raise _unauthorized()
        if idempotency_key and not dry_run:
            # One row per key; the workspace's write lock (PostgreSQL) or the single
            # writer (SQLite) makes this read-then-insert atomic across every worker.
            stored = conn.execute(
                "SELECT fingerprint, response FROM idempotency WHERE workspace_id = ? AND key = ?",
                (token.workspace_id, idempotency_key),
            ).fetchone()
            if stored is not None:
                if stored["fingerprint"] != fingerprint:
                    raise ApiProblem(
                        422,
                        "idempotency-key-reused",
                        "This Idempotency-Key was already used for a different request.",
                        field="Idempotency-Key",
                    )
                replay = WriteResult.model_validate_json(stored["response"])
                audit(
                    conn, now, "replayed", subject=replay.subject, before=None, after=None,
                    detail=f"replayed the answer of audit record {replay.audit_id}",
                )  # fmt: skip
                return replay.model_copy(update={"replayed": True})
        planned = planner(Ctx(conn, token.workspace_id, now, app.settings, app.hasher))
        fields: dict[str, Any] = {
            "action": action,
            "subject": planned.subject,
            "summary": planned.summary,
            "before": planned.before,
            "after": planned.after,
            "dry_run": dry_run,
            "request_id": request_id,
            "idempotency_key": idempotency_key,
            **planned.preview,
        }
        changes = {
            "subject": planned.subject,
            "before": planned.before,
            "after": planned.after,
            "detail": planned.summary,
        }
        if dry_run:
            audit(conn, now, "dry_run", **changes)
            return WriteResult(applied=False, **fields)
        extras = planned.apply()
        audit_id = audit(conn, now, "applied", **changes)
        result = WriteResult(**{**fields, "applied": True, "audit_id": audit_id, **extras})
        if idempotency_key:
            kept = result.model_copy(update=dict.fromkeys(_SHOWN_ONCE))
            conn.execute(
                "INSERT INTO idempotency (workspace_id, key, fingerprint, status, response,"
                " created_at) VALUES (?, ?, ?, 200, ?, ?)",
                (
                    token.workspace_id,
                    idempotency_key,
                    fingerprint,
                    kept.model_dump_json(),
                    now.isoformat(),
                ),
            )
        return result

    lock = token.workspace_id
    if isinstance(plan, AfterKdf):
        # The KDF thread queues the transaction itself (one event-loop wake-up, not two).
        return await app.store.run_after(
            app.kdf, lambda: functools.partial(work, plan.make()), lock=lock
        )
    return await app.store.run(functools.partial(work, plan), lock=lock)


# ------------------------------------------------------------ problem handlers


async def _ticket_and_reason(
    request: Request, problem: ApiProblem
) -> tuple[str | None, str | None, str | None]:
    """The refused request's ticket, reason and transcript head, when its body was already
    read and is JSON (a transcript head only when it has the declared form)."""
    # Only a refusal by a write route has read the body (405, 413: nothing has).
    if request.method != "POST" or problem.status in (405, 413):
        return None, None, None
    try:
        # FastAPI has read the body by now; Starlette keeps it on the request.
        body = json.loads(await request.body()) if request.scope.get("route") else None
    except (ValueError, RuntimeError, BodyTooLarge):
        return None, None, None
    if not isinstance(body, dict):
        return None, None, None
    ticket, reason, head = (
        _text(body.get(name)) for name in ("ticket", "reason", "transcript_head")
    )
    return (
        ticket[:64] if ticket else None,
        reason[:500] if reason else None,
        head if head and _TRANSCRIPT_HEAD.match(head) else None,
    )


def _text(value: Any) -> str | None:
    """A refused body's string, if it can be stored at all (else it is left out)."""
    return value if isinstance(value, str) and not text_problem(value) else None


async def _audit_refusal(
    request: Request,
    problem: ApiProblem,
    ticket: str | None = None,
    reason: str | None = None,
    transcript_head: str | None = None,
) -> bool:
    """Every refused write by a known token is audited; dry runs and reads are not.

    Returns False when the token turned out to be revoked (nothing is recorded then).
    """
    token: TokenInfo | None = getattr(request.state, "token", None)
    route = request.scope.get("route")
    if token is None or request.method != "POST" or route is None:
        return True
    if request.query_params.get("dry_run", "").lower() in ("1", "true", "yes", "on"):
        return True
    params = request.path_params
    subject = None
    if "user_id" in params:
        subject = f"user:{params['user_id']}"
    elif "device_id" in params:
        subject = f"device:{params['device_id']}"
    app = state_of(request)

    def write_record(conn: Connection) -> bool:
        # A token revoked within the cache time passes the first check; the audit log
        # must not take records from it (every write re-checks the token the same way).
        if not token_active(conn, token.id, app.settings.clock()):
            return False
        records.record_refusal(
            conn,
            slug=f"{problem.status}:{problem.slug}",
            chain_key=app.chain_key,
            time=app.settings.clock(),
            workspace_id=token.workspace_id,
            token_id=token.id,
            subject=subject,
            action=getattr(route, "name", "unknown"),
            outcome="refused",
            status=problem.status,
            ticket=ticket,
            reason=reason,
            request_id=request.state.request_id,
            idempotency_key=request.headers.get("idempotency-key"),
            before=None,
            after=None,
            detail=f"{problem.slug}: {problem.detail}",
            transcript_head=transcript_head,
        )
        return True

    try:
        # Through the same group commit as the writes themselves.
        return await app.store.run(write_record, lock=token.workspace_id)
    except (sqlite3.Error, DatabaseUnavailable) as exc:
        # Expected while the database is down: one line, not a traceback per request.
        log.error("could not audit a refused write: %s", type(exc).__name__)
        return True


async def _render(request: Request, problem: ApiProblem) -> Response:
    if problem.status != 401:
        fields = await _ticket_and_reason(request, problem)
        if not await _audit_refusal(request, problem, *fields):
            problem = _unauthorized()  # revoked: the answer every revoked token gets
    token: TokenInfo | None = getattr(request.state, "token", None)
    if problem.status == 401 and token is not None:
        # It passed the cached check, then a write found it revoked: stop trusting it now.
        state_of(request).tokens.forget(token.id)
    rendered = problem.to_problem(
        instance=request.url.path, request_id=getattr(request.state, "request_id", None)
    )
    return problem_response(rendered, problem.headers)


async def on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return await _render(request, exc)


async def on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        errors.append(FieldProblem(field=".".join(loc) or "body", message=str(error["msg"])))
    first = errors[0] if errors else FieldProblem(field="body", message="invalid request")
    problem = ApiProblem(
        422,
        "validation-failed",
        f"{first.field}: {first.message}",
        field=first.field,
        errors=errors,
    )
    return await _render(request, problem)


async def on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    slug = {400: "malformed-request", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "http-error"
    )
    detail = str(exc.detail) if exc.status_code != 404 else "No such resource."
    # Starlette names the allowed methods of a 405 in its headers (Allow): keep them.
    headers = dict(exc.headers or {})
    return await _render(request, ApiProblem(exc.status_code, slug, detail, headers=headers))


async def on_body_too_large(request: Request, exc: Exception) -> Response:
    limit = state_of(request).settings.max_body_bytes
    problem = ApiProblem(413, "payload-too-large", f"Request bodies are limited to {limit} bytes.")
    return await _render(request, problem)


async def on_database_error(request: Request, exc: Exception) -> Response:
    log.error("database error: %s", type(exc).__name__)
    problem = ApiProblem(
        503, "database-unavailable", "The database is unavailable.", headers={"Retry-After": "1"}
    )
    return await _render(request, problem)


CLIENT_CLOSED_REQUEST = 499
"""What the request log shows for a caller that hung up before its body was read
(nginx's code): no client ever receives it, so it is in no contract."""


async def on_client_gone(request: Request, exc: Exception) -> Response:
    # A caller that gave up (its timeout, while the database was away, say) is no server
    # fault: one line, and a response nobody reads instead of a 500 and a traceback.
    log.info("client went away before its request was read on %s", request.url.path)
    return Response(status_code=CLIENT_CLOSED_REQUEST)


async def on_crash(request: Request, exc: Exception) -> Response:
    # The type only: an exception's text could quote a request value.
    log.error("unhandled %s on %s", type(exc).__name__, request.url.path)
    rendered = ApiProblem(500, "internal-error", "The server failed; the request id helps.")
    return problem_response(
        rendered.to_problem(
            instance=request.url.path, request_id=getattr(request.state, "request_id", None)
        )
    )


HANDLERS: dict[int | type[Exception], Callable[[Request, Any], Coroutine[Any, Any, Response]]] = {
    ApiProblem: on_problem,
    RequestValidationError: on_validation,
    StarletteHTTPException: on_http,
    BodyTooLarge: on_body_too_large,
    ClientDisconnect: on_client_gone,
    sqlite3.OperationalError: on_database_error,
    DatabaseUnavailable: on_database_error,
    Exception: on_crash,
}
