"""Atom 1.0 feeds of release notes: per language, one per product and one for every product.

One entry per release. Entry ids are ``tag:`` URIs built from the language, the product
and the version only, so they never change: not when the site moves to another address,
and not when a release is corrected (a correction moves the entry's ``updated``, which is
what feed readers use to show an entry again). The English feeds keep the ids they always
had; a translated feed's entries are other entries (other text), so their ids carry the
language. Every feed states its language (``xml:lang``) and its own address
(``rel="self"``). Links are absolute when the build knows the site's URL (``site_url``),
else relative to the feed file, which Atom allows (RFC 4287 §4.2.7) but some readers
mishandle -- ``helpdesk build`` says so when ``site_url`` is unset.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from helpdesk.content.kb import KnowledgeBase
from helpdesk.publish import localized
from helpdesk.publish.i18n import N_, SITE_NAME
from helpdesk.releases.catalog import ReleaseView
from helpdesk.releases.export import markdown_html
from helpdesk.releases.model import SECTION_TITLES
from helpdesk.releases.urls import FEED_ALL, SECTION, feed_file, product_url, version_url

Gettext = Callable[[str], str]


ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_TITLE = N_("%(product)s: release notes")
ALL_FEED_TITLE = N_("PassportScan release notes")
WITHDRAWN_PREFIX = N_("[Withdrawn] ")
WITHDRAWN = N_("Withdrawn:")
CORRECTED = N_("Corrected on %(date)s:")
TAG_AUTHORITY = "support.passportscan.net,2025"
"""The ``tag:`` authority and date of every id; fixed so that ids never change."""


@dataclass(frozen=True)
class FeedSpec:
    """What a feed is about: its id path, title, self location and the page it mirrors."""

    key: str
    title: str
    self_path: str
    page_path: str


def _same(text: str) -> str:
    return text


def entry_id(product: str, version: str, lang: str = "en") -> str:
    where = "release-notes" if lang == "en" else f"{lang}/release-notes"
    return f"tag:{TAG_AUTHORITY}:{where}/{product}/{version}"


def atom_feed(
    kb: KnowledgeBase,
    spec: FeedSpec,
    views: list[ReleaseView],
    *,
    today: dt.date,
    base: str,
    lang: str = "en",
    gettext: Gettext | None = None,
) -> bytes:
    """An Atom document with one entry per release in ``views`` (newest first).

    Args:
        base: the language's site root, absolute or relative to the feed file (``../``).
        lang: the feed's language.
        gettext: translates the feed's own words into ``lang``.
    """
    _ = gettext or _same
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang})
    key = spec.key if lang == "en" else f"{lang}/{spec.key}"
    _text(feed, "id", f"tag:{TAG_AUTHORITY}:{key}")
    _text(feed, "title", spec.title)
    _link(feed, base + spec.self_path, "self", "application/atom+xml")
    _link(feed, base + spec.page_path, "alternate", "text/html")
    changed = [v.release.last_changed for v in views if v.release.last_changed]
    _text(feed, "updated", _stamp(max(changed) if changed else today))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", _(SITE_NAME))
    ordered = sorted(views, key=lambda v: (v.release.date or dt.date.min, v.version), reverse=True)
    for view in ordered:
        release = view.release
        product = localized.product(kb, release.product, lang)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", entry_id(release.product, release.version, lang))
        prefix = _(WITHDRAWN_PREFIX) if release.status == "withdrawn" else ""
        _text(entry, "title", f"{prefix}{product.title} {release.version}")
        _link(entry, base + version_url(release.product, release.version), "alternate", "text/html")
        if release.date:
            _text(entry, "published", _stamp(release.date))
        _text(entry, "updated", _stamp(release.last_changed or today))
        ET.SubElement(entry, f"{{{ATOM}}}category", term=release.product, label=product.title)
        content = ET.SubElement(entry, f"{{{ATOM}}}content", type="html")
        content.text = _entry_html(kb, view, base, _)
    body = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def product_feed_spec(
    kb: KnowledgeBase, product: str, lang: str = "en", gettext: Gettext | None = None
) -> FeedSpec:
    title = localized.product(kb, product, lang).title
    _ = gettext or _same
    return FeedSpec(
        product, _(FEED_TITLE) % {"product": title}, feed_file(product), product_url(product)
    )


def all_feed_spec(lang: str = "en", gettext: Gettext | None = None) -> FeedSpec:
    _ = gettext or _same
    return FeedSpec("release-notes", _(ALL_FEED_TITLE), FEED_ALL, f"{SECTION}/")


def _entry_html(kb: KnowledgeBase, view: ReleaseView, base: str, _: Gettext) -> str:
    release = view.release
    parts = []
    if release.withdrawn:
        parts.append(f"<p><strong>{_(WITHDRAWN)}</strong> {_escape(release.withdrawn.reason)}</p>")
    for correction in release.corrections:
        said = _(CORRECTED) % {"date": correction.date.isoformat()}
        parts.append(f"<p><em>{said} {_escape(correction.reason)}</em></p>")
    parts.append(markdown_html(release.summary, kb, base))
    for section, notes in view.sections.items():
        if notes:
            parts.append(f"<h2>{_(SECTION_TITLES[section])}</h2>")
            parts.extend(markdown_html(n.note.text, kb, base) for n in notes)
    return "\n".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stamp(day: dt.date) -> str:
    # Atom needs a full timestamp; release notes are dated by day, so midnight UTC.
    return f"{day.isoformat()}T00:00:00Z"


def _text(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = value


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", href=href, rel=rel, type=kind)
