"""Release notes as search documents: one of ``helpdesk.search.documents``' SOURCES.

One document per visible release (published or withdrawn, past its embargo), holding
the summary and every note shown under it, known issues included, so that a search
for "KB5064401" or "activation code" finds the release as well as the article.
Visibility is decided for ``releases_of(kb).as_of``, the date the knowledge base was
loaded for: search sources take only the knowledge base, and reading the clock here
would let an embargoed release leak into an index built for an earlier date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from helpdesk.releases.catalog import releases_of
from helpdesk.releases.urls import SECTION, version_url

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase
    from helpdesk.search.documents import Document


def release_documents(
    kb: KnowledgeBase, lang: str | None = None, *, today: dt.date | None = None
) -> Iterator[Document]:
    """Every visible release of every product, as a ``kind="release"`` document.

    Args:
        kb: the knowledge base.
        lang: the language of the text; in a translation language only releases with a
            translation are documents (the source-language index has every one).
        today: the date for embargoes; defaults to the date the knowledge base was loaded for.
    """
    # Imported here: helpdesk.search.documents lists this function in its SOURCES.
    from helpdesk.search.documents import Document, plain

    day = today or releases_of(kb).as_of
    if day is None:  # a KnowledgeBase built by hand, without load_kb: publish nothing
        return
    translated = lang is not None and lang != kb.source_language
    taxonomy = kb.localized_taxonomy(lang).taxonomy if lang else kb.taxonomy
    for product_id in releases_of(kb).products(day):
        product = taxonomy.product(product_id)
        for view in releases_of(kb).timeline(product_id, day, lang if translated else None):
            if translated and (view.localized is None or view.localized.state == "missing"):
                continue
            release = view.release
            notes = view.notes()
            platforms = {p for n in notes for p in n.note.platforms} or set(product.platforms)
            changed = release.last_changed
            yield Document(
                kind="release",
                id=f"{product_id}-{release.version}",
                title=f"{product.title} {release.version}"
                + (" (withdrawn)" if release.status == "withdrawn" else ""),
                summary=plain(release.summary),
                body="\n".join(plain(n.note.text) for n in notes),
                url=version_url(product_id, release.version),
                category=SECTION,
                products=(product_id,),
                platforms=tuple(sorted(platforms)),
                status=release.status,
                updated=changed.isoformat() if changed else "",
                extra={"product": product_id, "version": release.version},
            )
