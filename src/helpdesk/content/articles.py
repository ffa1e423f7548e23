"""The article model: what a writer puts in ``kb/articles/<id>.yaml``.

The body is an ordered list of blocks. Each block is a mapping with exactly one key
naming its kind, so a writer's file reads top to bottom like the page::

    body:
      - paragraph: Since version 20.0 the Windows client asks for a PIN.
      - steps:
          - Open the Workspace.
          - text: Go to **Profile Settings**.
            note: Older accounts show this as **User Menu**.
      - admonition: {kind: warning, text: Keep your recovery codes.}
      - tabs:
          - platform: windows
            body: [{paragraph: ...}]
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from helpdesk.content.models import KbModel, Markdown, Slug, Text

BLOCK_KINDS = ("heading", "paragraph", "steps", "admonition", "tabs", "table", "image", "tree")


def _block_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next(iter(value)) if len(value) == 1 else None
    # Already-built models (e.g. made in code or tests) carry their kind as their one field.
    fields = type(value).model_fields if isinstance(value, KbModel) else {}
    return next(iter(fields)) if len(fields) == 1 else None


_BLOCK_ERROR = "each body block is a mapping with exactly one key: " + ", ".join(BLOCK_KINDS)


class HeadingBlock(KbModel):
    """A section heading inside the article (level 2)."""

    heading: Text
    """The heading text."""


class ParagraphBlock(KbModel):
    """A paragraph of Markdown."""

    paragraph: Markdown
    """Markdown text. Link to another article with ``[text](kb:article-id)``."""


class Step(KbModel):
    text: Markdown
    """What to do, as one instruction."""
    note: Markdown | None = None
    """An aside shown under the step (a hint, what the reader should see)."""


class StepsBlock(KbModel):
    """Numbered steps."""

    steps: list[Step] = Field(min_length=1)
    """The steps in order; each is text, or a mapping with ``text`` and ``note``."""

    @field_validator("steps", mode="before")
    @classmethod
    def _plain_strings_are_steps(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value


class Admonition(KbModel):
    kind: Literal["note", "tip", "info", "warning", "danger"]
    """How loud the box is: note, tip, info, warning or danger."""
    title: Text | None = None
    """Optional title; defaults to the kind's name."""
    text: Markdown
    """The box's Markdown text."""


class AdmonitionBlock(KbModel):
    """A call-out box."""

    admonition: Admonition
    """The box."""


class Table(KbModel):
    columns: list[Text] = Field(min_length=1)
    """Column headings."""
    rows: list[list[str | int]] = Field(min_length=1)
    """Rows of cells (Markdown); each row has one cell per column."""

    @model_validator(mode="after")
    def _rows_match_columns(self) -> Table:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {number} has {len(row)} cell(s) but there are "
                    f"{len(self.columns)} column(s)"
                )
        return self


class TableBlock(KbModel):
    """A table."""

    table: Table
    """The table."""


class Image(KbModel):
    src: str = Field(pattern=r"^[A-Za-z0-9_./-]+\.(png|jpg|jpeg|gif|svg|webp)$")
    """Path of the image under ``kb/images/``."""
    alt: Text
    """What the image shows, for readers who cannot see it (required)."""
    caption: Markdown | None = None
    """Optional caption under the image."""


class ImageBlock(KbModel):
    """An image with alt text."""

    image: Image
    """The image."""


class TreeLink(KbModel):
    id: Slug
    """Id of a diagnostic tree in ``kb/trees/``."""
    label: Text | None = None
    """What to call it in the page; defaults to the tree's title."""


class TreeBlock(KbModel):
    """A pointer to a guided diagnosis that support agents can run."""

    tree: TreeLink
    """The tree."""


InnerBlock = Annotated[
    Annotated[HeadingBlock, Tag("heading")]
    | Annotated[ParagraphBlock, Tag("paragraph")]
    | Annotated[StepsBlock, Tag("steps")]
    | Annotated[AdmonitionBlock, Tag("admonition")]
    | Annotated[TableBlock, Tag("table")]
    | Annotated[ImageBlock, Tag("image")]
    | Annotated[TreeBlock, Tag("tree")],
    Discriminator(_block_kind, custom_error_type="block", custom_error_message=_BLOCK_ERROR),
]


class PlatformTab(KbModel):
    platform: Slug
    """Platform id from the taxonomy; its title is the tab's label."""
    label: Text | None = None
    """Override for the tab label (tabs with the same label switch together)."""
    body: list[InnerBlock] = Field(min_length=1)
    """The tab's blocks (any block but tabs)."""


class TabsBlock(KbModel):
    """Per-platform tabs; the reader's choice is remembered across the page and site."""

    tabs: list[PlatformTab] = Field(min_length=2)
    """At least two tabs."""


Block = Annotated[
    Annotated[HeadingBlock, Tag("heading")]
    | Annotated[ParagraphBlock, Tag("paragraph")]
    | Annotated[StepsBlock, Tag("steps")]
    | Annotated[AdmonitionBlock, Tag("admonition")]
    | Annotated[TabsBlock, Tag("tabs")]
    | Annotated[TableBlock, Tag("table")]
    | Annotated[ImageBlock, Tag("image")]
    | Annotated[TreeBlock, Tag("tree")],
    Discriminator(_block_kind, custom_error_type="block", custom_error_message=_BLOCK_ERROR),
]

Audience = Literal["customer", "agent"]
Status = Literal["published", "draft", "archived"]


class Article(KbModel):
    """One help article (``kb/articles/<id>.yaml``)."""

    id: Slug
    """Identifier; equal to the file name without ``.yaml``; unique."""
    title: Text
    """Plain-text title."""
    summary: Text
    """One or two sentences shown in listings and search results."""
    category: Slug
    """Category id from ``kb/taxonomy.yaml``."""
    updated: dt.date
    """ISO date of the last real change (YYYY-MM-DD)."""
    body: list[Block] = Field(min_length=1)
    """Ordered blocks: heading, paragraph, steps, admonition, tabs, table, image, tree."""
    tags: list[Slug] = Field(default_factory=list)
    """Tag ids from the taxonomy."""
    products: list[Slug] = Field(default_factory=list)
    """Product ids from the taxonomy."""
    platforms: list[Slug] = Field(default_factory=list)
    """Platform ids from the taxonomy."""
    applies_to: dict[Slug, str] = Field(default_factory=dict)
    """Per product id, the versions this article is about, e.g. ``">=20.0"``."""
    related: list[Slug] = Field(default_factory=list)
    """Ids of other articles a reader may want next; each must exist."""
    audience: Audience = "customer"
    """``customer`` (default) or ``agent`` (searchable by agents, never on the site)."""
    status: Status = "published"
    """``published`` (default), ``draft`` (not on the site) or ``archived``."""
    review_by: dt.date | None = None
    """Date by which a writer should check the article again; lint warns after it."""

    @field_validator("applies_to")
    @classmethod
    def _valid_specifiers(cls, value: dict[str, str]) -> dict[str, str]:
        for product, spec in value.items():
            try:
                SpecifierSet(spec)
            except InvalidSpecifier:
                raise ValueError(
                    f"'{spec}' for '{product}' is not a version range; "
                    "write it like '>=20.0' or '>=1.5,<2'"
                ) from None
        return value

    @field_validator("tags", "products", "platforms", "related")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        repeated = sorted({v for v in value if value.count(v) > 1})
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return value

    @property
    def on_site(self) -> bool:
        """Whether the article belongs on the public site (and its search index)."""
        return self.audience == "customer" and self.status != "draft"

    def blocks(self) -> list[Any]:
        """Every block, with the blocks inside tabs flattened in reading order."""
        out: list[Any] = []
        for block in self.body:
            out.append(block)
            if isinstance(block, TabsBlock):
                for tab in block.tabs:
                    out.extend(tab.body)
        return out
