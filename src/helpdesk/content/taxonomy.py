"""The taxonomy (``kb/taxonomy.yaml``): languages, categories, products, platforms, tags."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from helpdesk.content.models import KbModel, Slug, Text

LANG_PATTERN = r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$"
"""A language code: ``en``, ``it``, ``es``, ``pt-br``."""


class Category(KbModel):
    id: Slug
    """Identifier used by articles' ``category`` key and in the site's URLs."""
    title: Text
    """Name shown in the navigation and on the category page."""
    description: Text
    """One sentence shown on the home page and at the top of the category page."""
    icon: str | None = None
    """Optional Material icon name for the home page, e.g. ``material/shield-lock``."""


class Platform(KbModel):
    id: Slug
    """Identifier used by articles' ``platforms`` key and per-platform tabs."""
    title: Text
    """Label of the platform's tab (tabs with the same label switch together)."""


class Product(KbModel):
    id: Slug
    """Identifier used by ``products``, ``applies_to`` and release notes."""
    title: Text
    """The product's name as customers know it."""
    platforms: list[Slug] = Field(min_length=1)
    """Platforms this product runs on (ids from ``platforms``)."""
    lifecycle: Literal["active", "retired"] = "active"
    """``retired`` for products that no longer work (kept for their articles and notes)."""
    versioning: Literal["numeric", "none"] = "numeric"
    """How versions order: ``numeric`` compares dotted numbers (19.99 < 20.0.0 < 20.0.10)."""


class Tag(KbModel):
    id: Slug
    """Identifier used by articles' ``tags`` key."""
    title: Text
    """Name shown on tag pages and article badges."""
    keywords: list[Text] = Field(default_factory=list)
    """Extra words readers use for this tag; they help search (e.g. ``2FA`` for ``mfa``)."""


class Taxonomy(KbModel):
    """Every id an article may refer to. Lint checks articles against it."""

    languages: list[Annotated[str, StringConstraints(pattern=LANG_PATTERN)]] = Field(
        default_factory=lambda: ["en"], min_length=1
    )
    """Languages of the help center, the source language first (``[en, it, es]``).
    Translations are files beside their sources: ``kb/articles/<id>.<lang>.yaml``,
    ``kb/taxonomy.<lang>.yaml``, ``kb/releases/<product>/<version>.<lang>.yaml``."""

    categories: list[Category] = Field(min_length=1)
    """Site sections, in the order the navigation shows them."""
    platforms: list[Platform] = Field(min_length=1)
    """Platforms that per-platform tabs and filters can name."""
    products: list[Product] = Field(min_length=1)
    """Products with their platforms."""
    tags: list[Tag] = Field(default_factory=list)
    """Tags articles may carry."""

    @model_validator(mode="after")
    def _unique_and_known(self) -> Taxonomy:
        for kind in ("categories", "platforms", "products", "tags"):
            ids = [item.id for item in getattr(self, kind)]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {kind} id(s): {', '.join(dupes)}")
        repeated = sorted({lang for lang in self.languages if self.languages.count(lang) > 1})
        if repeated:
            raise ValueError(f"languages listed more than once: {', '.join(repeated)}")
        known = {p.id for p in self.platforms}
        for product in self.products:
            unknown = [p for p in product.platforms if p not in known]
            if unknown:
                raise ValueError(
                    f"product '{product.id}' names unknown platform(s): {', '.join(unknown)}"
                )
        return self

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)

    def platform(self, platform_id: str) -> Platform:
        return next(p for p in self.platforms if p.id == platform_id)

    def product(self, product_id: str) -> Product:
        return next(p for p in self.products if p.id == product_id)

    def tag(self, tag_id: str) -> Tag:
        return next(t for t in self.tags if t.id == tag_id)
