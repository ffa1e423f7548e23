"""Base class and shared field types for every model read from ``kb/``."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

Slug = Annotated[str, StringConstraints(pattern=SLUG_RE.pattern, max_length=80)]
"""A lowercase identifier made of letters, digits and single hyphens."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Non-empty plain text."""

Markdown = Annotated[str, StringConstraints(min_length=1)]
"""Markdown text (inline formatting, links, lists)."""


class KbModel(BaseModel):
    """A model read from a writer's YAML: unknown keys are errors, docstrings document fields."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=False,
    )
