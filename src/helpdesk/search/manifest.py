"""``manifest.json``: what an index folder holds, readable without the knowledge base.

Kept apart from ``indexer`` so that searching an up-to-date index imports neither the
content models nor pydantic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpdesk.search.schema import SCHEMA_VERSION

MANIFEST = "manifest.json"


@dataclass
class Manifest:
    """What ``manifest.json`` records about the index beside it."""

    schema: int = SCHEMA_VERSION
    generation: int = -1
    docs: dict[str, str] = field(default_factory=dict)
    """Document key -> digest."""
    meta: dict[str, Any] = field(default_factory=dict)
    """``platforms``, ``products``, ``categories`` (known ids) and ``synonyms`` (groups)."""

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("docs"), dict):
            raise ValueError("manifest is not an object with 'docs'")
        return cls(
            schema=int(data["schema"]),
            generation=int(data["generation"]),
            docs={str(k): str(v) for k, v in data["docs"].items()},
            meta=dict(data.get("meta") or {}),
        )

    def write(self, directory: Path) -> None:
        payload = {
            "schema": self.schema,
            "generation": self.generation,
            "docs": self.docs,
            "meta": self.meta,
        }
        # Only updates write (tempfile and shutil stay out of a search's imports).
        from helpdesk._files import atomic_write

        # The index is a cache (rebuilt when damaged): atomic is enough, no fsync.
        atomic_write(directory / MANIFEST, json.dumps(payload, sort_keys=True), durable=False)
