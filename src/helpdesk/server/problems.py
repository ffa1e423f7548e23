"""RFC 9457 problems: the exception the routes raise and how it is rendered."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from helpdesk.access.models import FieldProblem, Problem

PROBLEM_BASE = "https://helpdesk.example/problems/"
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


class ApiProblem(Exception):
    """Raised anywhere in a request to answer with a problem document.

    ``slug`` becomes the stable ``type`` URI; ``field`` names the refused field.
    """

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        field: str | None = None,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.field = field
        self.errors = errors or ([FieldProblem(field=field, message=detail)] if field else [])
        self.headers = headers or {}
        self.title = title or _TITLES.get(status, "Error")

    def to_problem(self, *, instance: str | None, request_id: str | None) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            request_id=request_id,
            field=self.field,
            errors=self.errors,
        )


def not_found(kind: str) -> ApiProblem:
    # The same sentence whether the object is missing or in another workspace.
    return ApiProblem(404, "not-found", f"No such {kind} in this workspace.")


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route can answer with."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        code: {
            "description": _TITLES.get(code, "Error"),
            "content": {MEDIA_TYPE: {"schema": schema}},
            **(
                {"headers": {"Retry-After": {"schema": {"type": "integer"}}}} if code == 429 else {}
            ),
        }
        for code in codes
    }


READ = (401, 403, 404, 422, 503)
WRITE = (400, 401, 403, 404, 409, 413, 422, 429, 503)
