"""What gets indexed: a flat list of documents per language, each made by a source function.

The index does not know about articles. It indexes ``Document`` objects, and each
kind of content has one *source* that turns the knowledge base into the documents of
one language: articles (``article_documents``) and release notes
(``search.release_documents``), listed in ``SOURCES``. Each language has
an index of its own; a translation language's index holds the translated documents
only (keyed by the source's id), and search falls back to the source language's when
nothing matches. A document's ``digest`` decides whether an update re-indexes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from helpdesk.content.articles import (
    AdmonitionBlock,
    Article,
    HeadingBlock,
    ImageBlock,
    ParagraphBlock,
    StepsBlock,
    TableBlock,
    TreeBlock,
)
from helpdesk.content.kb import KnowledgeBase
from helpdesk.content.taxonomy import Taxonomy
from helpdesk.search.release_documents import release_documents
from helpdesk.urls import article_url

Kind = Literal["article", "release"]

_MARKDOWN_NOISE = re.compile(r"\*\*|__|`|\]\([^)]*\)|\[")
"""Emphasis markers and link targets: the reader sees neither, so neither is searched."""


@dataclass(frozen=True)
class Document:
    """One searchable thing. ``key`` (``kind:id``) is unique across kinds."""

    kind: Kind
    id: str
    title: str
    summary: str
    body: str
    url: str
    tags: str = ""
    """Tag titles and keywords, as text: what a page is *about*, in readers' words."""
    category: str = ""
    products: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    """Platforms the document applies to; empty means every platform."""
    audience: str = "customer"
    status: str = "published"
    updated: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    """Stored-only values a source wants back in results (e.g. a release's version)."""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def digest(self) -> str:
        """A hash of everything indexed: equal digests mean nothing to re-index.

        Computed for every document on every update, so it joins the fields with a
        separator no text contains instead of serialising a dict (5x faster at 10,000).
        """
        parts = [
            self.kind,
            self.id,
            self.title,
            self.summary,
            self.body,
            self.url,
            self.tags,
            self.category,
            ",".join(self.products),
            ",".join(self.platforms),
            self.audience,
            self.status,
            self.updated,
            json.dumps(self.extra, sort_keys=True) if self.extra else "",
        ]
        payload = "\x1f".join(parts).encode()
        return hashlib.blake2b(payload, digest_size=16).hexdigest()


Source = Callable[[KnowledgeBase, str], Iterable[Document]]
"""Turns the knowledge base into the documents of one language."""


def plain(markdown: str) -> str:
    """Markdown as the reader sees it (no emphasis markers or link targets)."""
    return _MARKDOWN_NOISE.sub("", markdown)


def block_text(block: Any) -> list[str]:
    """The readable text of one body block (tabs are flattened by ``Article.blocks``)."""
    if isinstance(block, ParagraphBlock):
        return [block.paragraph]
    if isinstance(block, HeadingBlock):
        return [block.heading]
    if isinstance(block, StepsBlock):
        return [part for step in block.steps for part in (step.text, step.note or "")]
    if isinstance(block, AdmonitionBlock):
        return [block.admonition.title or "", block.admonition.text]
    if isinstance(block, TableBlock):
        return [*block.table.columns, *(str(cell) for row in block.table.rows for cell in row)]
    if isinstance(block, ImageBlock):
        return [block.image.alt, block.image.caption or ""]
    if isinstance(block, TreeBlock):
        return [block.tree.label or ""]
    return []


@dataclass(frozen=True)
class _Lookups:
    """Taxonomy facts every article needs, computed once per collection, not per article."""

    about: dict[str, str]
    """Tag id -> its title and keywords as indexed text."""
    platforms: dict[str, tuple[str, ...]]
    """Product id -> the platforms it runs on."""

    @classmethod
    def of(cls, kb: KnowledgeBase, taxonomy: Taxonomy | None = None) -> _Lookups:
        taxonomy = taxonomy or kb.taxonomy
        return cls(
            about={t.id: "\n".join((t.title, *t.keywords)) for t in taxonomy.tags},
            platforms={p.id: tuple(p.platforms) for p in taxonomy.products},
        )


def article_document(
    article: Article, kb: KnowledgeBase, lookups: _Lookups | None = None
) -> Document:
    """The document for one article."""
    lookups = lookups or _Lookups.of(kb)
    about = [lookups.about[tag_id] for tag_id in article.tags if tag_id in lookups.about]
    platforms = set(article.platforms)
    for product_id in article.products:
        platforms.update(lookups.platforms.get(product_id, ()))
    body = plain(
        "\n".join(text for block in article.blocks() for text in block_text(block) if text)
    )
    return Document(
        kind="article",
        id=article.id,
        title=article.title,
        summary=plain(article.summary),
        body=body,
        url=article_url(article),
        tags="\n".join(about),
        category=article.category,
        products=tuple(sorted(article.products)),
        platforms=tuple(sorted(platforms)),
        audience=article.audience,
        status=article.status,
        updated=article.updated.isoformat(),
    )


def article_documents(kb: KnowledgeBase, lang: str | None = None) -> Iterable[Document]:
    """Every article, drafts included (the query decides who may see what); in a
    translation language, the translated articles only, in that language."""
    if lang is None or lang == kb.source_language:
        lookups = _Lookups.of(kb)
        for article in kb.articles.values():
            yield article_document(article, kb, lookups)
        return
    lookups = _Lookups.of(kb, kb.localized_taxonomy(lang).taxonomy)
    for (article_id, translation_lang), _ in sorted(kb.translations.items()):
        if translation_lang != lang or article_id not in kb.articles:
            continue
        local = kb.localized_article(article_id, lang)
        yield article_document(local.article, kb, lookups)


SOURCES: tuple[Source, ...] = (
    article_documents,
    release_documents,  # visible releases only (embargo decided for releases_of(kb).as_of)
)


def collect(
    kb: KnowledgeBase, lang: str | None = None, sources: Iterable[Source] = SOURCES
) -> list[Document]:
    """Every document of the knowledge base in ``lang`` (default: the source language),
    from every source, with URLs under the language's prefix (``it/devices/...``)."""
    lang = lang or kb.source_language
    return [
        dataclasses.replace(doc, url=f"{lang}/{doc.url}")
        for source in sources
        for doc in source(kb, lang)
    ]
