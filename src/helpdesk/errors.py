"""The error tree of helpdesk.

Every failure a writer, an agent or an operator can act on is a ``HelpdeskError``;
anything else (calling a finished session, passing the wrong type) is a bug and
raises a built-in exception such as ``RuntimeError`` so that ``except HelpdeskError``
never hides one::

    HelpdeskError
     ├── ContentError            a problem in kb/ (carries every Problem found in the run)
     ├── BuildError              the site engine failed (carries the engine's own output)
     ├── SearchError             the search index could not be read or written
     ├── ReleaseError            a release-notes workflow step was refused
     ├── DiagnosticError         a diagnostic walk could not go on
     ├── ConfigError             settings or command-line values that cannot be used
     ├── StorageError            a database could not be reached, opened or migrated
     └── AccessError             talking to the access API failed (carries the request)
          ├── TransportError     the server could not be reached or timed out
          │    └── Timeout
          ├── ContractViolation  the server answered 2xx with a body the contract does not allow
          └── APIStatusError     the server answered with a problem (carries the response)
               ├── BadRequest            400
               ├── Unauthorized          401
               ├── Forbidden             403
               ├── NotFound              404
               ├── Conflict              409
               ├── ValidationFailed      422 (names the field)
               ├── RateLimited           429 (carries retry_after seconds)
               └── Unavailable           5xx

The command line turns each of these into one clear message and an exit status
(1 content/data, 2 usage, 3 unreachable service); the terminal app turns them into
titled notifications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import httpx

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a look) in a content file, located to the character."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity = field(default="error", compare=False)

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}:{self.column}: {tag}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


class HelpdeskError(Exception):
    """Base of every error a user of helpdesk can act on."""

    exit_code = 1


class ContentError(HelpdeskError):
    """The knowledge base has problems; ``problems`` lists every one found in the run."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the knowledge base")

    def render(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class BuildError(HelpdeskError):
    """The site engine failed; ``output`` holds its own lines for the writer to read."""

    def __init__(self, message: str, output: str = "") -> None:
        self.output = output
        super().__init__(message)


class SearchError(HelpdeskError):
    """The search index could not be used."""


class ReleaseError(HelpdeskError):
    """A release-notes workflow step was refused (unknown product, already published, ...)."""


class DiagnosticError(HelpdeskError):
    """A diagnostic walk cannot go on (unknown tree, bad answer, saved state unreadable)."""


class ConfigError(HelpdeskError):
    """Settings or options that cannot be used; a usage error at the command line."""

    exit_code = 2


class StorageError(HelpdeskError):
    """A database (SQLite file or PostgreSQL server) could not be reached, opened or
    migrated; the message names it (never with its password)."""

    exit_code = 3


class AccessError(HelpdeskError):
    """Talking to the access API failed. ``request`` is the request that failed, if any."""

    exit_code = 3

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        self.request = request
        super().__init__(message)


class TransportError(AccessError):
    """The access API could not be reached (refused, reset, DNS, TLS)."""


class Timeout(TransportError):
    """The access API did not answer in time."""


class ContractViolation(AccessError):
    """The access API answered with success but its body breaks the contract (a missing
    field, a wrong type, not JSON): the server is not one this client can talk to.

    Attributes:
        response: the httpx response whose body did not fit.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.response = response


class APIStatusError(AccessError):
    """The access API answered with an RFC 9457 problem document.

    Attributes:
        status: the HTTP status code.
        type: the problem's stable ``type`` URI.
        title: the problem's short title.
        detail: the human sentence explaining this occurrence.
        field: for validation problems, the offending field (dotted path), else None.
        response: the httpx response, when there is one.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        status: int,
        type: str = "about:blank",
        title: str = "",
        detail: str = "",
        field: str | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.field = field
        self.response = response


class BadRequest(APIStatusError):
    """400: the request was malformed."""


class Unauthorized(APIStatusError):
    """401: no token, or the token is unknown or revoked; re-enter the token."""


class Forbidden(APIStatusError):
    """403: the token lacks a scope this call needs."""


class NotFound(APIStatusError):
    """404: no such object in this token's workspace."""


class Conflict(APIStatusError):
    """409: the object's state does not allow this change."""


class ValidationFailed(APIStatusError):
    """422: a field was refused; ``field`` names it."""


class RateLimited(APIStatusError):
    """429: too many requests; wait ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class Unavailable(APIStatusError):
    """5xx: the server failed; retry later or escalate."""

    exit_code = 3


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as a writer would type it: relative to ``root`` (or the cwd) when possible."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()
