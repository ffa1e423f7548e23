"""Translation files: an article or the taxonomy's labels in another language.

English (the first of ``languages`` in ``kb/taxonomy.yaml``) is the source. A
translation is a file of its own beside its source and keeps the source's id::

    kb/articles/pin-login.yaml        the source
    kb/articles/pin-login.it.yaml     its Italian translation
    kb/taxonomy.it.yaml               Italian titles of categories, products, platforms, tags

An article translation holds only prose: ``title``, ``summary`` and a ``body`` with
the source's block structure. What is not prose (category, tags, products, platforms,
applies_to, related, audience, status, dates) comes from the source and is not
repeated. ``source_digest`` records which source text the translation was made from;
``helpdesk translations mark-current FILE`` writes it (see ``content.digest``).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, StringConstraints

from helpdesk.content.articles import Block
from helpdesk.content.models import KbModel, Slug, Text
from helpdesk.content.taxonomy import LANG_PATTERN

LANG_RE = re.compile(LANG_PATTERN)
Lang = Annotated[str, StringConstraints(pattern=LANG_PATTERN)]
"""A language code as in ``languages`` (``en``, ``it``, ``es``, ``pt-br``)."""

SOURCE_ONLY_KEYS = (
    "category",
    "updated",
    "tags",
    "products",
    "platforms",
    "applies_to",
    "related",
    "audience",
    "status",
    "review_by",
)
"""Article keys that come from the source and are never repeated in a translation."""


def split_name(stem: str) -> tuple[str, str | None]:
    """``pin-login.it`` -> ``("pin-login", "it")``; ``pin-login`` -> ``("pin-login", None)``."""
    base, dot, lang = stem.partition(".")
    return (base, lang) if dot else (stem, None)


class ArticleTranslation(KbModel):
    """A translation of one article (``kb/articles/<id>.<lang>.yaml``)."""

    id: Slug
    """The source article's id (the file name without ``.<lang>.yaml``)."""
    lang: Lang
    """The translation's language: one of ``languages``, not the source language."""
    source_digest: str | None = None
    """What the source said when the text was last checked; written by
    ``helpdesk translations mark-current``, never by hand. Absent: never checked."""
    title: Text
    """Translated title."""
    summary: Text
    """Translated summary."""
    body: list[Block] = Field(min_length=1)
    """Translated blocks: the source's blocks in the same order, of the same kinds."""


class CategoryLabel(KbModel):
    title: Text
    """The category's name in this language."""
    description: Text | None = None
    """Its one-sentence description (English when absent)."""


class Label(KbModel):
    title: Text
    """The name in this language."""


class TagLabel(KbModel):
    title: Text
    """The tag's name in this language."""
    keywords: list[Text] = Field(default_factory=list)
    """Words readers of this language use for the tag (they help search)."""


class TaxonomyTranslation(KbModel):
    """Labels of the taxonomy in one language (``kb/taxonomy.<lang>.yaml``).

    Every id must exist in ``kb/taxonomy.yaml``; a label left out falls back to English
    (and ``helpdesk translations status`` lists it).
    """

    lang: Lang
    """The labels' language."""
    categories: dict[Slug, CategoryLabel] = Field(default_factory=dict)
    """Category id -> title and description."""
    products: dict[Slug, Label] = Field(default_factory=dict)
    """Product id -> title."""
    platforms: dict[Slug, Label] = Field(default_factory=dict)
    """Platform id -> title."""
    tags: dict[Slug, TagLabel] = Field(default_factory=dict)
    """Tag id -> title and keywords."""
