"""RFC 9457 problem documents of the feedback service."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

PROBLEM_BASE = "https://helpdesk.example/problems/feedback/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Malformed body",
    404: "Not found",
    405: "Method not allowed",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Refused field",
    429: "Too many requests",
    503: "Busy",
}


class Problem(BaseModel):
    """What was refused and why (``application/problem+json``)."""

    type: str = Field(description="Stable URI naming the kind of problem.")
    title: str
    status: int
    detail: str = Field(description="A sentence about this occurrence.")
    field: str | None = Field(default=None, description="The refused field, for 422.")


class FeedbackProblem(Exception):
    """Raised while handling a request to answer with a problem."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.detail, self.field = status, slug, detail, field
        self.headers = headers or {}

    def document(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": TITLES.get(self.status, "Refused"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            body["field"] = self.field
        return body

    def body(self) -> bytes:
        return json.dumps(self.document(), ensure_ascii=False, separators=(",", ":")).encode()

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.document(), status_code=self.status, media_type=MEDIA_TYPE, headers=self.headers
        )


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route can answer with."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        code: {
            "description": TITLES.get(code, "Refused"),
            "content": {MEDIA_TYPE: {"schema": schema}},
            **(
                {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}
                if code in (429, 503)
                else {}
            ),
        }
        for code in codes
    }
