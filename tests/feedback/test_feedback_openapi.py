"""The service's OpenAPI document validates, and a property-based run over it (schemathesis,
every field and media type it describes, plus random bodies) finds no 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from feedback_support import running_service
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from helpdesk.feedback.live import LiveFeedback


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveFeedback]:
    with running_service(tmp_path_factory.mktemp("fb") / "feedback.sqlite3") as service:
        yield service


@pytest.fixture(scope="module")
def openapi_schema(live: LiveFeedback) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_dict(live.app.openapi())


def test_the_openapi_document_validates_and_types_every_problem(live: LiveFeedback) -> None:
    from openapi_spec_validator import validate

    document = live.app.openapi()
    validate(document)  # type: ignore[arg-type]
    post = document["paths"]["/v1/feedback"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "text/plain"}
    for code in ("400", "413", "415", "422", "429"):
        assert "application/problem+json" in post["responses"][code]["content"]


schema = schemathesis.pytest.from_fixture("openapi_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_service_keeps_its_contract(case: schemathesis.Case, live: LiveFeedback) -> None:
    case.call_and_validate(
        base_url=live.base_url,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
        ],
    )


@given(body=st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_random_bytes_never_get_a_server_error(live: LiveFeedback, body: bytes) -> None:
    response = httpx.post(live.url, content=body, headers={"Content-Type": "text/plain"})
    assert 400 <= response.status_code < 500 or response.status_code == 202
