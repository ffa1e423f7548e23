"""Where each page lives on the site. Search results and cross-links use the same rules.

Every language has a site of its own under its prefix, English too: ``/en/``, ``/it/``,
``/es/``; ``/`` is the language chooser. Inside a language's site pages are written as
``<category>/<article-id>.md`` in its generated docs folder and the engine serves them at
``<category>/<article-id>/`` (directory URLs), so a page has the same path in every
language: ``/it/access-security/pin-login/`` is the Italian ``/en/access-security/pin-login/``.
``article_url`` is that path inside a language's site; ``site_path`` adds the prefix
(what a customer link needs, e.g. ``en/access-security/pin-login/``).
"""

from __future__ import annotations

from helpdesk.content.articles import Article


def article_source(article: Article) -> str:
    """The article's Markdown file, relative to the generated docs folder."""
    return f"{article.category}/{article.id}.md"


def article_url(article: Article) -> str:
    """The article's URL path inside a language's site (no leading slash, no language)."""
    return f"{article.category}/{article.id}/"


def site_path(path: str, lang: str) -> str:
    """A path inside a language's site as seen from the site's root: ``it/`` + ``path``."""
    return f"{lang}/{path}"


def article_site_path(article: Article, lang: str = "en") -> str:
    """The article's page from the site's root, e.g. ``it/access-security/pin-login/``."""
    return site_path(article_url(article), lang)


def category_source(category_id: str) -> str:
    return f"{category_id}/index.md"


def category_url(category_id: str) -> str:
    return f"{category_id}/"


def tag_source(tag_id: str) -> str:
    return f"tags/{tag_id}.md"


def tag_url(tag_id: str) -> str:
    return f"tags/{tag_id}/"
