"""The committed OpenAPI document matches the code, and the server keeps it: a bounded
property-based run (schemathesis) finds no 5xx and no response outside its schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from helpdesk.server.commands import openapi_text

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "access-api.openapi.json"


def test_the_committed_openapi_document_matches_the_code() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == openapi_text(), (
        "docs/access-api.openapi.json is stale: run `helpdesk access-api openapi`"
    )


def test_every_operation_id_is_an_operation_name() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"access_check", "set_pin", "create_activation_code", "enable_device"} <= ids


schema = schemathesis.pytest.from_fixture("openapi_schema")


@pytest.fixture(scope="session")
def openapi_schema(server: object) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text(encoding="utf-8")))


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_server_keeps_its_openapi_contract(case: schemathesis.Case, server: object) -> None:
    case.call_and_validate(
        base_url=server.base_url,  # type: ignore[attr-defined]
        headers={"Authorization": f"Bearer {server.tokens['admin']}"},  # type: ignore[attr-defined]
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
