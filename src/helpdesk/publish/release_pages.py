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
``<link rel="alternate feed" type="application/atom+xml">`` in the page body. Material
adds ``<link>`` to ``<head>`` only through theme overrides, which would tie us to one
engine; browsers and most feed readers that look for feeds scan the whole document, and
the visible link serves everyone else. ``rel`` is a set of words, ``alternate`` among
them as feed discovery asks; the second word ("feed", a registered link type) keeps the
theme's script, which selects ``link[rel=alternate]`` exactly, from taking the feed for
another language's site and fetching a ``sitemap.xml`` beside it (a 404 on every page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from helpdesk.content.kb import KnowledgeBase
from helpdesk.publish import localized
from helpdesk.publish.release_feeds import all_feed_spec, atom_feed, product_feed_spec
from helpdesk.publish.templates import render
from helpdesk.releases import urls
from helpdesk.releases.catalog import ReleaseView, releases_of
from helpdesk.releases.export import dumps, product_json
from helpdesk.releases.model import SECTION_TITLES
from helpdesk.urls import category_source

SCRIPT_TEMPLATE = Path("releases") / "upgrade.js"
SCRIPTS = (urls.SCRIPT,)
"""Files from :func:`release_files` the engine must load on every page (instant navigation)."""


def release_pages(
    kb: KnowledgeBase, env: jinja2.Environment, *, today: dt.date, lang: str | None = None
) -> dict[str, str]:
    """Markdown pages of the release notes of one language's site, by docs path.

    Args:
        env: the language's environment (its catalog translates the pages' words).
        lang: the pages' language (product names in it); default the source language.

    Raises:
        ContentError: a template has a syntax error.
        BuildError: a template failed, or a note links to an article not on the site.
    """
    from helpdesk.publish.pages import rewrite_kb_links  # pages imports this module

    lang = lang or localized.source_language(kb)
    on_site = {a.id: localized.localized_article(kb, a, lang).article for a in kb.site_articles()}
    common: dict[str, Any] = {
        "titles": SECTION_TITLES,
        "platform_titles": {
            p.id: localized.platform(kb, p.id, lang).title for p in kb.taxonomy.platforms
        },
        "articles": on_site,
        "today": today,
    }
    pages: dict[str, str] = {}
    entries = []
    for product_id in releases_of(kb).products(today):
        product = localized.product(kb, product_id, lang)
        views = releases_of(kb).timeline(product_id, today, lang)
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
        category = localized.category(kb, category.id, lang)
        pages[category_source(urls.SECTION)] = render(
            "releases/index.md.j2", env, category=category, products=entries, **common
        )
    return pages


def release_files(
    kb: KnowledgeBase,
    *,
    today: dt.date,
    site_url: str | None = None,
    lang: str | None = None,
    gettext: Callable[[str], str] | None = None,
) -> dict[str, bytes]:
    """JSON per product, Atom feeds and the upgrade view's script of one language's site.

    Args:
        site_url: the help center's public root URL (the language chooser's); links in
            feeds and JSON are absolute with it (``site_url + lang + "/" + path``) and
            relative to the file without it.
        lang: the language of the feeds' titles and links (default: the source language).
        gettext: translates the feeds' own words into ``lang``.
    """
    lang = lang or localized.source_language(kb)
    base = _base(site_url, lang)
    files: dict[str, bytes] = {}
    products = releases_of(kb).products(today)
    if not products:
        return files  # a site without release notes gets no empty feed and no script
    every: list[ReleaseView] = []
    for product_id in products:
        views = releases_of(kb).timeline(product_id, today, lang)
        every += views
        files[urls.json_file(product_id)] = dumps(
            product_json(kb, product_id, views, today=today, base=base, lang=lang)
        )
        spec = product_feed_spec(kb, product_id, lang, gettext)
        files[urls.feed_file(product_id)] = atom_feed(
            kb, spec, views, today=today, base=base, lang=lang, gettext=gettext
        )
    files[urls.FEED_ALL] = atom_feed(
        kb, all_feed_spec(lang, gettext), every, today=today, base=base, lang=lang, gettext=gettext
    )
    script = kb.root / "templates" / SCRIPT_TEMPLATE
    if script.is_file():
        files[urls.SCRIPT] = script.read_bytes()
    return files


def changes_by_article(
    kb: KnowledgeBase, *, today: dt.date, lang: str | None = None
) -> dict[str, list[dict[str, str]]]:
    """Per article id, the notes that list it in ``articles``, newest release first.

    Computed once per render (each timeline is built once, not once per article page).
    Each entry has ``product`` (title), ``version``, ``section`` (title), ``source``
    (the version page, relative to the docs folder) and ``anchor``.
    """
    lang = lang or localized.source_language(kb)
    out: dict[str, list[dict[str, str]]] = {}
    for product_id in releases_of(kb).products(today):
        title = localized.product(kb, product_id, lang).title
        for view in reversed(releases_of(kb).timeline(product_id, today, lang)):
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


def _base(site_url: str | None, lang: str) -> str:
    # Files live one folder down (releases/), so relative links climb one level.
    if not site_url:
        return "../"
    root = site_url if site_url.endswith("/") else site_url + "/"
    return f"{root}{lang}/"
