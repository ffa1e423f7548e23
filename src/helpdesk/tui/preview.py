"""An article as plain CommonMark, for the terminal's Markdown pane.

The site's templates (``kb/templates``) write Material-flavoured Markdown (``===``
tabs, ``!!!`` admonitions) that Textual's Markdown widget would show as raw
markers, so the preview renders the article's blocks itself: tabs become headed
sections, admonitions become block quotes. ``kb:`` links stay as text; the agent
sends the public URL, shown at the top.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.content.articles import Article

_KB_LINK = re.compile(r"\[([^\]]+)\]\(kb:[^)]*\)")


def article_markdown(article: Article, *, url: str | None = None) -> str:
    """The article's title, summary and body as CommonMark."""
    lines = [f"# {article.title}", "", f"*{article.summary}*", ""]
    if url:
        lines += [f"Link for the customer: `{url}`", ""]
    if article.audience == "agent":
        lines += ["> **Agent only** - do not send this article to a customer.", ""]
    for block in article.body:
        lines += _block(block)
    return "\n".join(lines).rstrip() + "\n"


def article_url(article: Article, site_url: str | None = None, lang: str = "en") -> str | None:
    """The public page of a customer article in ``lang`` (None for agent-only ones): a
    full address under ``site_url`` (where the help center is published), else its path
    on the site. Every language lives under its prefix: ``/<lang>/<category>/<id>/``."""
    if not article.on_site:
        return None
    base = (site_url or "/").rstrip("/") + "/"
    return f"{base}{lang}/{article.category}/{article.id}/"


def _text(markdown: str) -> str:
    return _KB_LINK.sub(r"\1", markdown)


def _block(block: object) -> list[str]:
    from helpdesk.content import articles as a

    if isinstance(block, a.HeadingBlock):
        return [f"## {block.heading}", ""]
    if isinstance(block, a.ParagraphBlock):
        return [_text(block.paragraph), ""]
    if isinstance(block, a.StepsBlock):
        out: list[str] = []
        for number, step in enumerate(block.steps, start=1):
            out.append(f"{number}. {_text(step.text)}")
            if step.note:
                out.append(f"   *{_text(step.note)}*")
        return [*out, ""]
    if isinstance(block, a.AdmonitionBlock):
        box = block.admonition
        title = box.title or box.kind.capitalize()
        body = _text(box.text).splitlines() or [""]
        return [f"> **{title}:** {body[0]}", *(f"> {line}" for line in body[1:]), ""]
    if isinstance(block, a.TableBlock):
        table = block.table
        out = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        out += ["| " + " | ".join(_text(str(cell)) for cell in row) + " |" for row in table.rows]
        return [*out, ""]
    if isinstance(block, a.ImageBlock):
        return [f"*[image: {block.image.alt}]*", ""]
    if isinstance(block, a.TreeBlock):
        return [f"*Guided diagnosis: {block.tree.label or block.tree.id}*", ""]
    if isinstance(block, a.TabsBlock):
        out = []
        for tab in block.tabs:
            out += [f"### {tab.label or tab.platform}", ""]
            for inner in tab.body:
                out += _block(inner)
        return out
    return []
