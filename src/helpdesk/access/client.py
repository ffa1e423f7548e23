"""``AccessClient``: the async client of the access API.

It talks to any server that keeps the contract: a network URL, or the embedded app
in-process through ``httpx.ASGITransport``. httpx failures and problem responses are
translated into the ``helpdesk.errors`` tree in exactly one place, ``_send``.

Retries: safe reads, and writes that carry an ``Idempotency-Key``, are retried with
exponential backoff and jitter on transport failures, timeouts and 5xx answers. A
write without a key is never retried: the first attempt may have been applied.
"""

from __future__ import annotations

import random
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar

import anyio
import httpx
from pydantic import BaseModel, ValidationError

from helpdesk.access.models import (
    AccessCheck,
    AuditPage,
    DeviceList,
    Health,
    Problem,
    User,
    Workspace,
    WriteResult,
)
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

M = TypeVar("M", bound=BaseModel)
# Which error a problem status becomes; the terminal app reads it too, to advise alike.
STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
}
_MAX_RETRY_WAIT = 5.0


class AccessClient:
    """Async client of the access API; use as ``async with AccessClient(...) as api``.

    Args:
        base_url: e.g. ``http://127.0.0.1:8765``.
        token: a bearer token from ``helpdesk access-api token create``.
        timeout: seconds allowed for every call (connect, read, write, pool).
        transport: an httpx transport (``ASGITransport`` for in-process, ``MockTransport``
            in tests); None for the network.
        retries: extra attempts for retryable calls.
        backoff: first retry delay in seconds; doubles each attempt.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 2,
        backoff: float = 0.2,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._retries = retries
        self._backoff = backoff
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    async def __aenter__(self) -> AccessClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------- reads

    async def health(self) -> Health:
        """Readiness of the server and its database (no token needed)."""
        return await self._get(Health, "/healthz")

    async def get_workspace(self) -> Workspace:
        """The token's workspace: id, name and the hotel's IANA time zone."""
        return await self._get(Workspace, "/v1/workspace")

    async def find_user_by_email(self, email: str) -> User:
        """The user with this email in the token's workspace.

        Raises:
            NotFound: no such user in this workspace.
        """
        return await self._get(User, "/v1/users/lookup", params={"email": email})

    async def get_user(self, user_id: str) -> User:
        return await self._get(User, f"/v1/users/{user_id}")

    async def access_check(
        self, user_id: str, *, client: str, version: str, device_id: str | None = None
    ) -> AccessCheck:
        """Can the user sign in to ``client`` ``version`` (on ``device_id``), and why not.

        Args:
            client: ``windows``, ``android``, ``ios``, ``tablet`` or ``legacy``.
            version: the client's version, e.g. ``20.0.1`` or ``1.5.1``.
            device_id: optionally, the device the user signs in on.
        """
        params = {"client": client, "version": version}
        if device_id is not None:
            params["device"] = device_id
        return await self._get(AccessCheck, f"/v1/users/{user_id}/access-check", params=params)

    async def list_devices(
        self, *, status: str | None = None, user_id: str | None = None
    ) -> DeviceList:
        params = {k: v for k, v in (("status", status), ("user_id", user_id)) if v is not None}
        return await self._get(DeviceList, "/v1/devices", params=params)

    async def list_audit(
        self,
        *,
        subject: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> AuditPage:
        """Audit records of the workspace, newest first."""
        params: dict[str, Any] = {"limit": limit}
        if subject is not None:
            params["subject"] = subject
        if action is not None:
            params["action"] = action
        if since is not None:
            params["since"] = since.isoformat()
        return await self._get(AuditPage, "/v1/audit", params=params)

    # ------------------------------------------------------------ writes

    async def suspend_mfa(
        self,
        user_id: str,
        *,
        minutes: int,
        reason: str,
        ticket: str,
        verified_channel: bool,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        """Suspend MFA for ``minutes`` (1 to 10080); it turns back on by itself."""
        body = {
            "minutes": minutes,
            "reason": reason,
            "ticket": ticket,
            "verified_channel": verified_channel,
        }
        return await self._write(
            f"/v1/users/{user_id}/mfa/suspend", body, dry_run, idempotency_key, transcript_head
        )

    async def restore_mfa(
        self,
        user_id: str,
        *,
        reason: str,
        ticket: str,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        body = {"reason": reason, "ticket": ticket}
        return await self._write(
            f"/v1/users/{user_id}/mfa/restore", body, dry_run, idempotency_key, transcript_head
        )

    async def create_limited_user(
        self,
        *,
        email: str,
        name: str,
        reason: str,
        ticket: str,
        role: str = "receptionist",
        language: str = "en",
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        """Create a user without MFA for the apps; ``result.user`` holds it."""
        body = {
            "email": email,
            "name": name,
            "role": role,
            "language": language,
            "reason": reason,
            "ticket": ticket,
        }
        return await self._write("/v1/users", body, dry_run, idempotency_key, transcript_head)

    async def set_pin(
        self,
        user_id: str,
        *,
        reason: str,
        ticket: str,
        pin: str | None = None,
        generate: bool = False,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        """Set ``pin``, or with ``generate=True`` a random one returned once in ``result.pin``."""
        body: dict[str, Any] = {"reason": reason, "ticket": ticket, "generate": generate}
        if pin is not None:
            body["pin"] = pin
        return await self._write(
            f"/v1/users/{user_id}/pin", body, dry_run, idempotency_key, transcript_head
        )

    async def create_activation_code(
        self,
        *,
        name: str,
        platform: str,
        reason: str,
        ticket: str,
        mode: str = "FULL",
        device_id: str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        """A single-use code valid 24 hours, in ``result.activation_code`` (shown once)."""
        body: dict[str, Any] = {
            "name": name,
            "platform": platform,
            "mode": mode,
            "reason": reason,
            "ticket": ticket,
        }
        if device_id is not None:
            body["device_id"] = device_id
        return await self._write(
            "/v1/devices/activation-codes", body, dry_run, idempotency_key, transcript_head
        )

    async def activate_device(
        self,
        *,
        code: str,
        client_version: str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        """The device's side of activation: consume ``code``."""
        body: dict[str, Any] = {"code": code}
        if client_version is not None:
            body["client_version"] = client_version
        return await self._write(
            "/v1/devices/activate", body, dry_run, idempotency_key, transcript_head
        )

    async def enable_device(
        self,
        device_id: str,
        *,
        reason: str,
        ticket: str,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        body = {"reason": reason, "ticket": ticket}
        return await self._write(
            f"/v1/devices/{device_id}/enable", body, dry_run, idempotency_key, transcript_head
        )

    async def disable_device(
        self,
        device_id: str,
        *,
        reason: str,
        ticket: str,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        body = {"reason": reason, "ticket": ticket}
        return await self._write(
            f"/v1/devices/{device_id}/disable", body, dry_run, idempotency_key, transcript_head
        )

    async def unlock_account(
        self,
        user_id: str,
        *,
        reason: str,
        ticket: str,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        transcript_head: str | None = None,
    ) -> WriteResult:
        body = {"reason": reason, "ticket": ticket}
        return await self._write(
            f"/v1/users/{user_id}/unlock", body, dry_run, idempotency_key, transcript_head
        )

    async def record_failed_login(
        self, user_id: str, *, dry_run: bool = False, idempotency_key: str | None = None
    ) -> WriteResult:
        """Demo servers only (admin scope): simulate one wrong password."""
        return await self._write(
            f"/v1/users/{user_id}/failed-logins", None, dry_run, idempotency_key, None
        )

    # ---------------------------------------------------------- plumbing

    async def _get(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> M:
        response = await self._request("GET", path, params=params, retry=True)
        return _parse(model, response)

    async def _write(
        self,
        path: str,
        body: dict[str, Any] | None,
        dry_run: bool,
        idempotency_key: str | None,
        transcript_head: str | None,
    ) -> WriteResult:
        if transcript_head is not None and body is not None:
            body = {**body, "transcript_head": transcript_head}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        response = await self._request(
            "POST",
            path,
            params={"dry_run": "true"} if dry_run else None,
            json=body,
            headers=headers,
            # A dry run changes nothing, so it is as safe to repeat as a read.
            retry=dry_run or idempotency_key is not None,
        )
        return _parse(WriteResult, response)

    async def _request(
        self, method: str, path: str, *, retry: bool, **kwargs: Any
    ) -> httpx.Response:
        attempts = 1 + (self._retries if retry else 0)
        for attempt in range(attempts):
            try:
                return await self._send(method, path, **kwargs)
            except (TransportError, Unavailable) as exc:
                if attempt == attempts - 1:
                    raise
                await anyio.sleep(self._delay(attempt, exc))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, exc: Exception) -> float:
        hinted = getattr(exc, "retry_after", None)
        if isinstance(hinted, float):
            return min(hinted, _MAX_RETRY_WAIT)
        base = self._backoff * (2**attempt)
        return float(min(base * (0.5 + random.random() / 2), _MAX_RETRY_WAIT))

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The one place where httpx failures become helpdesk errors."""
        request = self._http.build_request(method, path, **kwargs)
        try:
            response = await self._http.send(request)
        except httpx.TimeoutException as exc:
            raise Timeout(
                f"the access API did not answer in time ({method} {path})", request=request
            ) from exc
        except httpx.TransportError as exc:
            raise TransportError(
                f"could not reach the access API at {self.base_url}: {exc}", request=request
            ) from exc
        if response.status_code >= 400:
            raise _status_error(response)
        return response


def _parse(model: type[M], response: httpx.Response) -> M:
    """The response's body as ``model``; a body that breaks the contract is an access
    error naming the first offending field, never a pydantic error for the caller to
    mistake for a bug of its own (the diagnostic engine would report a malformed tree)."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        request = response.request
        raise ContractViolation(
            f"the access API's answer to {request.method} {request.url.path} breaks the"
            f" contract ({model.__name__}): {where}: {first['msg']}",
            request=request,
            response=response,
        ) from exc


def _status_error(response: httpx.Response) -> APIStatusError:
    status = response.status_code
    try:
        problem = Problem.model_validate_json(response.content)
    except ValueError:
        problem = Problem(
            type="about:blank",
            title=response.reason_phrase or "Error",
            status=status,
            detail=response.text[:200],
        )
    message = f"{problem.title}: {problem.detail}" if problem.detail else problem.title
    common: dict[str, Any] = {
        "status": status,
        "type": problem.type,
        "title": problem.title,
        "detail": problem.detail,
        "field": problem.field,
        "request": response.request,
        "response": response,
    }
    if status == 429:
        return RateLimited(message, retry_after=_retry_after(response) or 1.0, **common)
    if status >= 500:
        error = Unavailable(message, **common)
        error.retry_after = _retry_after(response)  # type: ignore[attr-defined]
        return error
    return STATUS_ERRORS.get(status, APIStatusError)(message, **common)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())
