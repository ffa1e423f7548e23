"""Where each page lives on the site. Search results and cross-links use the same rules.

Pages are written as ``<category>/<article-id>.md`` in the generated docs folder; the
engine serves them at ``<category>/<article-id>/`` (directory URLs).
"""

from __future__ import annotations

from helpdesk.content.articles import Article


def article_source(article: Article) -> str:
    """The article's Markdown file, relative to the generated docs folder."""
    return f"{article.category}/{article.id}.md"


def article_url(article: Article) -> str:
    """The article's URL path, relative to the site root (no leading slash)."""
    return f"{article.category}/{article.id}/"


def category_source(category_id: str) -> str:
    return f"{category_id}/index.md"


def category_url(category_id: str) -> str:
    return f"{category_id}/"


def tag_source(tag_id: str) -> str:
    return f"tags/{tag_id}.md"


def tag_url(tag_id: str) -> str:
    return f"tags/{tag_id}/"
