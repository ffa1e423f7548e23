"""Wire models of the access API, shared by the server and the client.

The server declares its requests and responses with these classes and the client
parses answers into them, so the two cannot drift apart. Request bodies refuse
unknown fields (a typo must not be silently ignored by an endpoint that changes
somebody's sign-in); response models accept extra fields so that an older client
keeps working against a newer server.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

Role = Literal["admin", "manager", "receptionist"]
Permission = Literal["manage_devices"]
MfaState = Literal["enabled", "disabled", "suspended"]
Client = Literal["windows", "android", "ios", "tablet", "legacy"]
Platform = Literal["windows", "android", "ios", "tablet", "legacy"]
PLATFORM_NAMES: dict[str, str] = {
    "windows": "Windows client",
    "android": "Android app",
    "ios": "iOS app",
    "tablet": "Tablet app",
    "legacy": "Cloud Legacy app",
}
"""The product a platform value stands for, as a caller names it (for texts, not the wire)."""
DeviceMode = Literal["FULL", "SIGNATURE"]
DeviceStatus = Literal["pending_activation", "active", "disabled"]
Scope = Literal[
    "users:read", "mfa:write", "pins:write", "devices:write", "users:write", "audit:read", "admin"
]
Outcome = Literal["applied", "refused", "dry_run", "replayed"]
Language = Literal["en", "it", "es"]
SCOPES: tuple[str, ...] = get_args(Scope)
LANGUAGES: tuple[str, ...] = get_args(Language)


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (a NUL, an unpaired surrogate), or None.

    JSON can spell both (``"\\u0000"``, ``"\\ud800"``) and pydantic accepts them, but
    neither encodes to UTF-8 for SQLite nor fits a PostgreSQL text column.
    """
    if _NOT_TEXT.search(value):
        return "must not contain NUL characters or unpaired surrogates"
    return None


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and (problem := text_problem(value)):
            raise ValueError(problem)
        return value


# ---------------------------------------------------------------- problems


class FieldProblem(_Response):
    field: str = Field(description="Dotted path of the refused field, e.g. `pin` or `body.pin`.")
    message: str = Field(description="Why the value was refused.")


class Problem(_Response):
    """An RFC 9457 problem document (`application/problem+json`)."""

    type: str = Field(description="Stable URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="Human sentence about this occurrence.")
    instance: str | None = Field(default=None, description="The request path.")
    request_id: str | None = Field(default=None, description="Echo of X-Request-Id.")
    field: str | None = Field(default=None, description="For validation problems: the field.")
    errors: list[FieldProblem] = Field(default_factory=list, description="Every refused field.")


# ------------------------------------------------------------------ reads


class MfaStatus(_Response):
    state: MfaState = Field(description="`suspended` while a bounded suspension is running.")
    suspended_until: AwareDatetime | None = Field(
        default=None, description="When a running suspension ends by itself."
    )


class User(_Response):
    id: str
    workspace_id: str
    email: str
    name: str
    role: Role
    language: Language = Field(
        default="en", description="The user's language (help links and messages for them)."
    )
    permissions: list[Permission]
    mfa: MfaStatus
    pin_set: bool = Field(description="Whether a PIN exists; the PIN itself is never exposed.")
    failed_logins: int = Field(description="Bad passwords since the last success or unlock.")
    locked_until: AwareDatetime | None = Field(
        default=None, description="Set while the password lockout (59 minutes) runs."
    )
    created_at: AwareDatetime


class Device(_Response):
    id: str
    workspace_id: str
    name: str = Field(description="A label only, e.g. 'Front Desk PC'.")
    platform: Platform
    mode: DeviceMode
    client_version: str | None = None
    status: DeviceStatus
    user_id: str | None = Field(default=None, description="The user usually signed in on it.")
    code_expires_at: AwareDatetime | None = Field(
        default=None, description="Expiry of the pending activation code, if one is open."
    )
    created_at: AwareDatetime


class Workspace(_Response):
    """The workspace (tenant) a token belongs to."""

    id: str
    name: str
    timezone: str = Field(
        default="UTC",
        description="IANA time zone of the hotel, e.g. `Europe/Rome`, for showing local times.",
    )


class DeviceList(_Response):
    items: list[Device]


class Fix(_Response):
    operation: str | None = Field(
        default=None, description="Name of the access operation that applies it, if any."
    )
    summary: str = Field(description="What to do, as one human sentence.")
    inferred: bool = Field(
        default=False, description="A workaround to try, not an official statement."
    )


class Reason(_Response):
    code: str = Field(description="Stable code, e.g. `pin_not_set`.")
    blocking: bool = Field(description="False for warnings that do not stop sign-in.")
    message: str = Field(description="What is wrong, as one human sentence.")
    fixes: list[Fix]


class AccessCheck(_Response):
    user_id: str
    client: Client
    version: str
    device_id: str | None = None
    can_sign_in: bool
    login_method: Literal["password", "pin"] | None = Field(
        description="How this client would sign the user in once nothing blocks it."
    )
    reasons: list[Reason]
    checked_at: AwareDatetime


class AuditRecord(_Response):
    id: int
    time: AwareDatetime
    workspace_id: str
    token_id: str
    subject: str | None
    action: str
    outcome: Outcome
    status: int
    ticket: str | None
    reason: str | None
    request_id: str
    idempotency_key: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: str | None
    transcript_head: str | None = Field(
        default=None, description="The agent transcript's chain head sent with the write."
    )
    count: int = Field(
        default=1,
        description=(
            "For refusals: how many identical refusals (same token, action, subject and "
            "problem, each within 10 minutes of the last) this record stands for."
        ),
    )


class AuditPage(_Response):
    items: list[AuditRecord]


class Health(_Response):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]
    schema_version: int


# ----------------------------------------------------------------- writes

_TICKET = Field(min_length=1, max_length=64, description="Support ticket reference.")
_REASON = Field(min_length=3, max_length=500, description="Why the change is made.")
TRANSCRIPT_HEAD_PATTERN = r"^[A-Za-z0-9._:+/=-]{1,128}$"


def _transcript_head() -> Any:
    return Field(
        default=None,
        pattern=TRANSCRIPT_HEAD_PATTERN,
        description=(
            "The agent transcript's chain head at this step (an opaque token of up to 128 "
            "letters, digits and `._:+/=-`), kept in the audit record to tie it to the walk."
        ),
    )


class WriteBody(_Request):
    ticket: str = _TICKET
    reason: str = _REASON
    transcript_head: str | None = _transcript_head()


class SuspendMfaBody(WriteBody):
    minutes: int = Field(ge=1, le=7 * 24 * 60, description="1 minute to 7 days.")
    verified_channel: bool = Field(
        description=(
            "True when the request came from the user's own verified channel (their own "
            "account email); the cancellation policy refuses third-party requests."
        )
    )


class CreateLimitedUserBody(WriteBody):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(min_length=1, max_length=200)
    role: Role = Field(default="receptionist", description="`admin` is refused.")
    language: Language = Field(default="en", description="The new user's language.")


class SetPinBody(WriteBody):
    pin: str | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        pattern=r"^[0-9]{4}$",
        description="Four digits; never returned or logged. Omit with generate=true.",
    )
    generate: bool = Field(default=False, description="Generate a random PIN, returned once.")


class ActivationCodeBody(WriteBody):
    name: str = Field(min_length=1, max_length=100, description="Device label.")
    platform: Literal["windows", "android", "ios", "tablet"]
    mode: DeviceMode = "FULL"
    device_id: str | None = Field(
        default=None, description="Re-activate this existing device instead of adding one."
    )


class ActivateDeviceBody(_Request):
    code: str = Field(min_length=4, max_length=32)
    client_version: str | None = Field(default=None, max_length=20)
    ticket: str | None = Field(
        default=None, min_length=1, max_length=64, description="Support ticket, if any."
    )
    reason: str | None = Field(
        default=None,
        min_length=3,
        max_length=500,
        description="Why; the audit records 'device activation with a one-time code' if not.",
    )
    transcript_head: str | None = _transcript_head()


class WriteResult(_Response):
    """The plan (dry run) or the outcome of one write."""

    action: str
    subject: str = Field(description="`user:<id>` or `device:<id>`.")
    summary: str = Field(description="One human sentence about the change.")
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    applied: bool = Field(description="False for a dry run.")
    dry_run: bool
    replayed: bool = Field(
        default=False, description="True when an Idempotency-Key returned a stored response."
    )
    audit_id: int | None = None
    request_id: str | None = None
    idempotency_key: str | None = None
    pin: str | None = Field(default=None, description="A generated PIN; shown exactly once.")
    activation_code: str | None = Field(default=None, description="Shown exactly once.")
    code_expires_at: datetime | None = None
    suspended_until: datetime | None = None
    user: User | None = None
    device: Device | None = None
