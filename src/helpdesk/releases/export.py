"""Release notes as data: the per-product JSON that apps and the upgrade view read.

``releases/<product>.json`` lists every visible release of a product, oldest first,
each with its notes by section (known issues spread over their range, fixed ones
under "fixes" of the fixing release). ``order`` is the release's rank in the product's
own ordering, so a reader (the upgrade view's script, a mobile app showing "what's new
since my version") never has to reimplement version comparison.

:func:`upgrade_notes` is the reference for what the upgrade view shows between an
installed version X and a target Y; ``kb/templates/releases/upgrade.js`` does the same
in the browser, and the tests hold both to it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import markdown as md  # type: ignore[import-untyped]

from helpdesk.content.kb import KB_LINK_RE, KnowledgeBase
from helpdesk.releases.catalog import NoteView, ReleaseView
from helpdesk.releases.model import SECTIONS
from helpdesk.releases.urls import version_url
from helpdesk.urls import article_url

FORMAT = 1
"""Bumped when a field changes meaning; apps check it."""

UPGRADE_ORDER = ("upgrade", "known_issues", "security", "features", "fixes", "deprecations")
"""What the upgrade view shows, in order: actions first, then open issues, then changes."""


def markdown_html(text: str, kb: KnowledgeBase, base: str) -> str:
    """Render a note's Markdown to HTML, resolving ``kb:`` links to article URLs under ``base``."""

    def link(match: re.Match[str]) -> str:
        article = kb.articles.get(match.group(1))
        url = base + article_url(article) if article else "#"
        return f"]({url}{match.group(2) or ''})"

    html: str = md.markdown(KB_LINK_RE.sub(link, text), output_format="html")
    return html


def product_json(
    kb: KnowledgeBase,
    product: str,
    timeline: list[ReleaseView],
    *,
    today: dt.date,
    base: str,
    lang: str | None = None,
) -> dict[str, Any]:
    """The JSON document of one product (see the module docstring).

    Args:
        base: the site's root URL, absolute (``https://…/``) or relative to the JSON file.
        lang: the language of the titles (the timeline's notes are already in it).
    """
    lang = lang or kb.source_language
    title = kb.localized_taxonomy(lang).title("products", product)
    releases = []
    for order, view in enumerate(timeline):
        release = view.release
        releases.append(
            {
                "version": release.version,
                "order": order,
                "title": release.heading,
                "date": release.date.isoformat() if release.date else None,
                "status": release.status,
                "url": base + version_url(product, release.version),
                "summary_html": markdown_html(release.summary, kb, base),
                "withdrawn": (
                    {"date": release.withdrawn.date.isoformat(), "reason": release.withdrawn.reason}
                    if release.withdrawn
                    else None
                ),
                "corrections": [
                    {"date": c.date.isoformat(), "reason": c.reason} for c in release.corrections
                ],
                "notes": [_note(kb, view, note, base, lang) for note in view.notes()],
            }
        )
    return {
        "format": FORMAT,
        "lang": lang,
        "product": {"id": product, "title": title},
        "generated": today.isoformat(),
        "sections": list(SECTIONS),
        "releases": releases,
    }


def _note(
    kb: KnowledgeBase, view: ReleaseView, note: NoteView, base: str, lang: str
) -> dict[str, Any]:
    workaround = note.workaround
    articles = [
        kb.localized_article(a, lang).article for a in note.note.articles if a in kb.articles
    ]
    return {
        "id": note.note.id,
        "section": note.section,
        "origin": note.origin.release.version,
        "url": base + version_url(view.release.product, view.release.version) + "#" + note.anchor,
        "html": markdown_html(note.note.text, kb, base),
        "platforms": list(note.note.platforms),
        "affects": note.note.affects,
        "fixed_in": note.fixed_in,
        "removal": note.removal,
        "workaround": (
            {"html": markdown_html(workaround.text, kb, base), "inferred": workaround.inferred}
            if workaround
            else None
        ),
        "articles": [
            {"id": a.id, "title": a.title, "url": base + article_url(a)}
            for a in articles
            if a.on_site
        ],
    }


def upgrade_notes(data: dict[str, Any], installed: str, target: str) -> list[dict[str, Any]]:
    """The notes to read when upgrading from ``installed`` to ``target``, in display order.

    Releases in (installed, target] count (withdrawn ones are skipped: nobody upgrades
    through them); known issues are those still open in the target. Each note appears
    once, even when it is repeated across releases.

    Raises:
        KeyError: a version is not in ``data``.
    """
    by_version = {r["version"]: r for r in data["releases"]}
    low, high = by_version[installed]["order"], by_version[target]["order"]
    between = [
        r for r in data["releases"] if low < r["order"] <= high and r["status"] != "withdrawn"
    ]
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for section in UPGRADE_ORDER:
        sources = [by_version[target]] if section == "known_issues" else between
        for release in sources:
            for note in release["notes"]:
                key = (note["origin"], note["id"])
                if note["section"] == section and key not in seen:
                    seen.add(key)
                    out.append(note)
    return out


def dumps(data: dict[str, Any]) -> bytes:
    """Stable, readable JSON (sorted keys would scramble the section order readers expect)."""
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
