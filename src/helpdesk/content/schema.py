"""JSON Schemas for the files writers author, for editors (yaml-language-server) and docs."""

from __future__ import annotations

import importlib
import json
from typing import Any

from pydantic import BaseModel

from helpdesk.errors import ConfigError

# kind -> "module:Model"; imported lazily so `schema article` does not load the engine.
SCHEMAS: dict[str, str] = {
    "article": "helpdesk.content.articles:Article",
    "taxonomy": "helpdesk.content.taxonomy:Taxonomy",
    "tree": "helpdesk.diagnostics.model:Tree",
    "release": "helpdesk.releases.model:Release",
}


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file.

    Raises:
        ConfigError: the kind is unknown.
    """
    if kind not in SCHEMAS:
        raise ConfigError(f"unknown schema '{kind}'; choose one of: {', '.join(sorted(SCHEMAS))}")
    module_name, attr = SCHEMAS[kind].split(":")
    model = getattr(importlib.import_module(module_name), attr)
    assert issubclass(model, BaseModel)
    schema: dict[str, Any] = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://helpdesk.invalid/schema/{kind}.json"
    return schema


def schema_json(kind: str) -> str:
    return json.dumps(schema_for(kind), indent=2, sort_keys=False) + "\n"
