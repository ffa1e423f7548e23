"""From the KnowledgeBase to Markdown pages: ``{path in the docs folder: content}``.

Only articles that belong on the site (``Article.on_site``: customer audience, not a
draft) become pages, appear in listings or feed the engine's search index; agent-only
and draft articles never leave the knowledge base. Archived articles keep their page
(with a banner) but move to the "Archived" part of their category page.

Each language's site is rendered on its own (``lang``): the same pages at the same
paths, with the text of each article, label and release note in that language where a
translation exists (``publish.localized``), and every UI string and date in it.

Everything here is a pure function of the knowledge base, ``today`` and the language, so
the output is reproducible: the golden tests compare it verbatim and ``generate`` can
skip files whose content did not change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from helpdesk.content.articles import Article
from helpdesk.content.kb import KB_LINK_RE, KnowledgeBase
from helpdesk.content.taxonomy import Tag
from helpdesk.diagnostics.model import trees_of
from helpdesk.errors import BuildError
from helpdesk.feedback import site as feedback_site
from helpdesk.publish import chrome, localized
from helpdesk.publish import release_pages as releases
from helpdesk.publish.i18n import N_
from helpdesk.publish.localized import LocalizedArticle
from helpdesk.publish.templates import gettext_of, load_template, render, version_range
from helpdesk.urls import article_source, article_url, category_source, tag_source

RECENT_COUNT = 6
"""How many recently updated articles the home page lists."""

NEW_DAYS = 30
"""Articles updated this many days before ``today`` or less are marked "New" on the home page."""


@dataclass
class SiteContent:
    """Everything the generated docs folder holds, before it is written.

    Attributes:
        pages: Markdown pages by path relative to the docs folder.
        files: other files (images, CSS, JSON, feeds, JS) by path, as bytes.
        extra_javascript: paths (in ``files``) the engine config must load on every page.
        site_url: where the whole help center is published (ending in ``/``), if known;
            this language's site is at ``site_url + lang + "/"``.
        lang: the language of these pages.
        nav: the engine's nav, its titles in ``lang``.
    """

    pages: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)
    extra_javascript: list[str] = field(default_factory=list)
    site_url: str | None = None
    lang: str = "en"
    nav: list[object] = field(default_factory=list)

    def all_files(self) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = dict(self.files)
        out.update(self.pages)
        return out


NAV_TITLES = {"home": N_("Home"), "topics": N_("Help topics"), "tags": N_("Tags")}
LANGUAGE_SCRIPT = "assets/languages.js"
"""Keeps the header's language switcher on the page being read (see the script)."""


def collect_site(
    kb: KnowledgeBase,
    env: jinja2.Environment,
    *,
    today: dt.date,
    site_url: str | None = None,
    lang: str | None = None,
) -> SiteContent:
    """Every page and file of one language's site. Other producers add theirs here.

    Release notes, for instance, add ``content.pages.update(...)`` with their pages and
    ``content.files.update(...)`` / ``content.extra_javascript.append(...)`` with their
    JSON, feeds and scripts; a page they return under an existing path (such as
    ``release-notes/index.md``) replaces the generic one.

    Args:
        env: from ``templates.make_env`` for the same language.
        lang: the language (default: the source language).
    """
    lang = lang or localized.source_language(kb)
    gettext = gettext_of(env)
    # "Was this helpful?" (kb/templates/feedback-widget.md.j2) only with an endpoint.
    feedback_endpoint = feedback_site.feedback_endpoint(kb.root)
    env.globals["feedback_endpoint"] = feedback_endpoint
    content = SiteContent(
        pages=render_pages(kb, env, today=today, lang=lang),
        files=static_files(kb, env),
        site_url=site_url,
        lang=lang,
        nav=nav(kb, lang, gettext),
    )
    content.pages.update(releases.release_pages(kb, env, today=today, lang=lang))
    content.files.update(
        releases.release_files(kb, today=today, site_url=site_url, lang=lang, gettext=gettext)
    )
    content.extra_javascript += [p for p in releases.SCRIPTS if p in content.files]
    if LANGUAGE_SCRIPT in content.files:
        content.extra_javascript.append(LANGUAGE_SCRIPT)
    content.files.update(feedback_site.site_files(feedback_endpoint))
    if feedback_endpoint is not None:
        content.extra_javascript += list(feedback_site.SCRIPTS)
    else:
        # No endpoint: the site stays fully static, without the widget's script either.
        content.files.pop(feedback_site.WIDGET_SCRIPT, None)
    return content


def nav(kb: KnowledgeBase, lang: str, gettext: Callable[[str], str]) -> list[object]:
    """Home and one entry per category (its index page) in taxonomy order.

    Never every article: Material renders the whole nav into every page, so a nav of N
    articles makes the build O(N²). Tags are not a top-level section of a help center:
    each article links its tags, and the tags index stays reachable from every tag page.
    """
    topics = [
        {localized.category(kb, c.id, lang).title: category_source(c.id)}
        for c in kb.taxonomy.categories
    ]
    return [
        {(gettext(NAV_TITLES["home"])): "index.md"},
        {(gettext(NAV_TITLES["topics"])): topics},
    ]


def render_pages(
    kb: KnowledgeBase, env: jinja2.Environment, *, today: dt.date, lang: str | None = None
) -> dict[str, str]:
    """Render the article, category, tag and home pages of one language's site.

    Args:
        kb: the validated knowledge base.
        env: from ``templates.make_env`` for the same language.
        today: the rendering date (marks recently updated articles on the home page);
            passed in so the same inputs always give the same pages.
        lang: the language (default: the source language).

    Returns:
        Markdown by path relative to the docs folder (``<category>/<id>.md``, ...).

    Raises:
        ContentError: a template has a syntax error.
        BuildError: a template failed, or a page links to an article not on the site.
    """
    lang = lang or localized.source_language(kb)
    gettext = gettext_of(env)
    local = {
        a.id: localized.localized_article(kb, a, lang)
        for a in kb.site_articles()  # by English title: the order of the source's site
    }
    # Listings sort by the title the reader sees.
    site = sorted((t.article for t in local.values()), key=lambda a: a.title.lower())
    on_site = {a.id: a for a in site}
    taxonomy = kb.taxonomy
    common = {"today": today, "site_description": (gettext("Answers for PassportScan users."))}
    platform_titles = {p.id: localized.platform(kb, p.id, lang).title for p in taxonomy.platforms}
    tree_titles = {tree_id: tree.title for tree_id, tree in trees_of(kb).items()}
    products = {p.id: localized.product(kb, p.id, lang).title for p in taxonomy.products}
    tags = {t.id: localized.tag(kb, t.id, lang) for t in taxonomy.tags}
    categories = {c.id: localized.category(kb, c.id, lang) for c in taxonomy.categories}
    article_template = load_template(env, "article.md.j2")
    release_changes = releases.changes_by_article(kb, today=today, lang=lang)
    ordered = {
        c.id: chrome.category_order(c, [a for a in site if a.category == c.id])
        for c in taxonomy.categories
    }
    side_navs = {c: chrome.SideNav(members) for c, members in ordered.items()}
    pages: dict[str, str] = {}

    for article in site:
        source = article_source(article)
        root = _root_of(source)
        markdown = render(
            article_template,
            env,
            article=article,
            translation=_translation(
                local[article.id], localized.source_language(kb), written_in(kb, article)
            ),
            root=root,
            page={"root": root, "platform_titles": platform_titles, "tree_titles": tree_titles},
            category=categories[article.category],
            badges=[
                f"{products[product]} {version_range(spec)}"
                for product, spec in article.applies_to.items()
            ],
            chrome=chrome.article_meta(
                article,
                categories[article.category].title,
                side_navs[article.category],
                platforms=platform_titles,
                products=products,
                tags=tags,
                # An untranslated fallback (English text) stays out of this language's search.
                search=local[article.id].state != "missing",
            ),
            release_changes=release_changes.get(article.id, []),
            related=[on_site[r] for r in article.related if r in on_site],
            tags=[tags[t] for t in article.tags],
            **common,
        )
        pages[source] = rewrite_kb_links(markdown, source, on_site)

    for category in taxonomy.categories:
        members = ordered[category.id]
        source = category_source(category.id)
        pages[source] = render(
            "category.md.j2",
            env,
            category=categories[category.id],
            current=[a for a in members if a.status != "archived"],
            archived=[a for a in members if a.status == "archived"],
            root=_root_of(source),
            **common,
        )

    pages.update(_tag_pages(env, site, tags, on_site, common))
    current = [a for a in site if a.status != "archived"]
    recent = sorted(current, key=lambda a: (-a.updated.toordinal(), a.title.lower()))
    home = render(
        "home.md.j2",
        env,
        categories=[
            {"category": categories[c.id], "count": sum(1 for a in current if a.category == c.id)}
            for c in taxonomy.categories
        ],
        recent=recent[:RECENT_COUNT],
        featured=chrome.featured(kb, on_site),
        root="",
        **common,
    )
    pages["index.md"] = rewrite_kb_links(home, "index.md", on_site)
    return pages


def written_in(kb: KnowledgeBase, article: Article) -> list[str]:
    """The languages an article is really written in: the source, and every translation."""
    # Only whether a translation exists (``localized_article``'s "missing"), without
    # building the localized article: this runs for every article of every language.
    return [
        lang
        for lang in localized.site_languages(kb)
        if lang == kb.source_language or (article.id, lang) in kb.translations
    ]


def _translation(
    local: LocalizedArticle, source_lang: str, languages: list[str]
) -> dict[str, object]:
    """What the article template needs to say about the translation (notices, noindex).

    ``source_url`` is the English page, relative to this page's URL: one more level up
    than the page's own depth leaves the language's site (``../../../en/<category>/<id>/``).
    Raw HTML, not a Markdown link, because the engine checks Markdown links against its
    own language's pages only.
    """
    depth = article_url(local.article).count("/") + 1
    return {
        "state": local.state,
        "source_changed": local.source_changed,
        "text_lang": local.text_lang,
        "written_in": languages,
        "source_url": "../" * depth + f"{source_lang}/{article_url(local.article)}",
    }


def _tag_pages(
    env: jinja2.Environment,
    site: list[Article],
    tags: dict[str, Tag],
    on_site: dict[str, Article],
    common: dict[str, object],
) -> dict[str, str]:
    """One page per tag that at least one published article carries, and the tags index."""
    pages: dict[str, str] = {}
    used: list[dict[str, object]] = []
    for tag in tags.values():
        tagged = [a for a in site if tag.id in a.tags]
        if not tagged:
            continue
        tagged.sort(key=lambda a: a.status == "archived")  # stable: by title within each
        source = tag_source(tag.id)
        page = render("tag.md.j2", env, tag=tag, articles=tagged, root=_root_of(source), **common)
        pages[source] = rewrite_kb_links(page, source, on_site)
        used.append({"tag": tag, "count": len(tagged)})
    used.sort(key=lambda entry: str(getattr(entry["tag"], "title", "")).lower())
    pages["tags/index.md"] = render("tags.md.j2", env, tags=used, root="../", **common)
    return pages


def static_files(kb: KnowledgeBase, env: jinja2.Environment) -> dict[str, bytes]:
    """Images (``kb/images/`` -> ``images/``) and theme additions (``<templates>/assets/``)."""
    folders = [(kb.root / "images", "images")]
    if isinstance(env.loader, jinja2.FileSystemLoader):
        folders += [(Path(path) / "assets", "assets") for path in env.loader.searchpath]
    files: dict[str, bytes] = {}
    for folder, prefix in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    return files


def rewrite_kb_links(markdown: str, source: str, on_site: dict[str, Article]) -> str:
    """``[text](kb:id#anchor)`` -> ``[text](../<category>/<id>.md#anchor)``.

    Links point at the target's Markdown file, relative to the page, so the engine
    checks every one of them (``strict`` fails the build on a broken link).

    Raises:
        BuildError: the target is not a published article.
    """
    if "kb:" not in markdown:
        return markdown
    root = _root_of(source)

    def replace(match: re.Match[str]) -> str:
        target = on_site.get(match.group(1))
        if target is None:
            raise BuildError(f"{source}: link to 'kb:{match.group(1)}', which is not on the site")
        return f"]({root}{article_source(target)}{match.group(2) or ''})"

    return KB_LINK_RE.sub(replace, markdown)


def _root_of(source: str) -> str:
    """The relative path from a page back to the docs folder (``a/b.md`` -> ``../``)."""
    return "../" * source.count("/")
