"""Release notes on the site: pages (Markdown), and files (JSON, Atom feeds, the upgrade script).

The publisher calls the two entry points from ``publish.pages.collect_site``:

* :func:`release_pages` -> ``{docs path: Markdown}``: the release-notes category index
  (replacing the generic one, it lists products), per product a page of every version
  newest first, a page per version, and the "upgrading from X to Y" view;
* :func:`release_files` -> ``{docs path: bytes}``: ``releases/<product>.json``, Atom
  feeds, and ``releases/upgrade.js`` (which the engine loads on every page).

:func:`changes_by_article` gives each article page its "Changes affecting this article".
Only releases visible on ``today`` take part (published or withdrawn, past any
embargo); the date is always passed in so a build is a pure function of its inputs.

Feeds are linked from each page twice: a visible "Subscribe (Atom)" link, and a
``<link rel="alternate">`` in the page body. Material adds ``<link>`` to ``<head>``
only through theme overrides, which would tie us to one engine; browsers and most
feed readers that look for feeds scan the whole document, and the visible link serves
everyone else.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2

from helpdesk.content.kb import KnowledgeBase
from helpdesk.publish.templates import render
from helpdesk.publish.urls import category_source
from helpdesk.releases import urls
from helpdesk.releases.catalog import ReleaseView
from helpdesk.releases.export import dumps, product_json
from helpdesk.releases.feeds import FeedSpec, atom_feed, product_feed_spec
from helpdesk.releases.model import SECTION_TITLES

SCRIPT_TEMPLATE = Path("releases") / "upgrade.js"
SCRIPTS = (urls.SCRIPT,)
"""Files from :func:`release_files` the engine must load on every page (instant navigation)."""


def release_pages(kb: KnowledgeBase, env: jinja2.Environment, *, today: dt.date) -> dict[str, str]:
    """Markdown pages of the release notes, by path relative to the docs folder.

    Raises:
        ContentError: a template has a syntax error.
        BuildError: a template failed, or a note links to an article not on the site.
    """
    from helpdesk.publish.pages import rewrite_kb_links  # publish.pages imports us

    on_site = {a.id: a for a in kb.site_articles()}
    common: dict[str, Any] = {
        "titles": SECTION_TITLES,
        "platform_titles": {p.id: p.title for p in kb.taxonomy.platforms},
        "articles": on_site,
        "today": today,
    }
    pages: dict[str, str] = {}
    entries = []
    for product_id in kb.releases.products(today):
        product = kb.taxonomy.product(product_id)
        views = kb.releases.timeline(product_id, today)
        newest_first = list(reversed(views))
        # The current version is the highest one still offered, whatever the notes' dates.
        current = next((v for v in newest_first if v.release.status != "withdrawn"), None)
        entries.append({"product": product, "latest": current or newest_first[0]})
        source = urls.product_source(product_id)
        page = render(
            "releases/product.md.j2",
            env,
            product=product,
            views=newest_first,
            root="../../",
            url_root="../../",
            **common,
        )
        pages[source] = rewrite_kb_links(page, source, on_site)
        for view in views:
            source = urls.version_source(product_id, view.release.version)
            page = render(
                "releases/version.md.j2",
                env,
                product=product,
                view=view,
                is_current=view is current,
                root="../../",
                url_root="../../../",
                **common,
            )
            pages[source] = rewrite_kb_links(page, source, on_site)
        if product.versioning == "none":
            continue  # one notice, no versions: nothing to upgrade between
        pages[urls.upgrade_source(product_id)] = render(
            "releases/upgrade.md.j2",
            env,
            product=product,
            views=views,
            choices=[v for v in views if v.release.status != "withdrawn"],
            url_root="../../../",
            **common,
        )
    category = next((c for c in kb.taxonomy.categories if c.id == urls.SECTION), None)
    if category is not None:  # the taxonomy decides whether the section is in the nav
        pages[category_source(urls.SECTION)] = render(
            "releases/index.md.j2", env, category=category, products=entries, **common
        )
    return pages


def release_files(
    kb: KnowledgeBase, *, today: dt.date, site_url: str | None = None
) -> dict[str, bytes]:
    """JSON per product, Atom feeds and the upgrade view's script, by docs path.

    Args:
        site_url: the site's public root URL; links in feeds and JSON are absolute with
            it and relative to the file without it.
    """
    base = _base(site_url)
    files: dict[str, bytes] = {}
    products = kb.releases.products(today)
    if not products:
        return files  # a site without release notes gets no empty feed and no script
    every: list[ReleaseView] = []
    for product_id in products:
        views = kb.releases.timeline(product_id, today)
        every += views
        files[urls.json_file(product_id)] = dumps(
            product_json(kb, product_id, views, today=today, base=base)
        )
        spec = product_feed_spec(kb, product_id)
        files[urls.feed_file(product_id)] = atom_feed(kb, spec, views, today=today, base=base)
    all_spec = FeedSpec(
        "release-notes", "PassportScan release notes", urls.FEED_ALL, "release-notes/"
    )
    files[urls.FEED_ALL] = atom_feed(kb, all_spec, every, today=today, base=base)
    script = kb.root / "templates" / SCRIPT_TEMPLATE
    if script.is_file():
        files[urls.SCRIPT] = script.read_bytes()
    return files


def changes_by_article(kb: KnowledgeBase, *, today: dt.date) -> dict[str, list[dict[str, str]]]:
    """Per article id, the notes that list it in ``articles``, newest release first.

    Computed once per render (each timeline is built once, not once per article page).
    Each entry has ``product`` (title), ``version``, ``section`` (title), ``source``
    (the version page, relative to the docs folder) and ``anchor``.
    """
    out: dict[str, list[dict[str, str]]] = {}
    for product_id in kb.releases.products(today):
        title = kb.taxonomy.product(product_id).title
        for view in reversed(kb.releases.timeline(product_id, today)):
            for note in view.notes():
                # A known issue repeated across releases is linked where it is declared.
                if note.origin is not view.loaded:
                    continue
                for article_id in dict.fromkeys(note.note.articles):
                    out.setdefault(article_id, []).append(
                        {
                            "product": title,
                            "version": view.release.version,
                            "section": SECTION_TITLES[note.section],
                            "source": urls.version_source(product_id, view.release.version),
                            "anchor": note.anchor,
                        }
                    )
    return out


def _base(site_url: str | None) -> str:
    # Files live one folder down (releases/), so relative links climb one level.
    if not site_url:
        return "../"
    return site_url if site_url.endswith("/") else site_url + "/"
