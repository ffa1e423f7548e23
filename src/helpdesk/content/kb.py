"""The one loader: ``load_kb(path)`` reads ``kb/`` once into a validated ``KnowledgeBase``.

Every consumer (site, search, lint, diagnostics, terminal app) takes the object this
returns; nothing else parses the YAML. Loading goes in three passes so that a writer
sees every problem of a run at once:

1. parse each file safely, keeping positions (``content.yaml``);
2. validate each document into its model (``content.articles`` and friends);
3. check what spans files: ids unique and equal to file names, taxonomy ids known,
   related articles, linked trees and images that exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from helpdesk._gc import paused_gc
from helpdesk.content.articles import (
    BLOCK_KINDS,
    AdmonitionBlock,
    Article,
    ImageBlock,
    ParagraphBlock,
    StepsBlock,
    TableBlock,
    TabsBlock,
)
from helpdesk.content.problems import (
    ProblemList,
    read_document,
    validate_document,
    yaml_files,
)
from helpdesk.content.synonyms import Synonyms
from helpdesk.content.taxonomy import Taxonomy
from helpdesk.content.yaml import YamlDocument
from helpdesk.diagnostics.loader import check_tree_links, load_trees
from helpdesk.diagnostics.model import Tree
from helpdesk.errors import ContentError, Problem
from helpdesk.releases.catalog import Releases
from helpdesk.releases.load import load_releases

KB_LINK_RE = re.compile(r"\]\(kb:([^)#\s]*)(#[^)\s]*)?\)")
"""Markdown links to other articles: ``[text](kb:article-id)`` or ``(kb:article-id#anchor)``."""


@dataclass
class KnowledgeBase:
    """Everything in ``kb/``, validated and cross-checked."""

    root: Path
    taxonomy: Taxonomy
    articles: dict[str, Article]
    documents: dict[str, YamlDocument] = field(default_factory=dict, repr=False)
    """Parsed source of each article by id, to locate later problems in the file."""
    warnings: list[Problem] = field(default_factory=list)
    synonyms: Synonyms = field(default_factory=Synonyms)
    """Search synonym groups from ``kb/synonyms.yaml`` (empty when the file is absent)."""
    releases: Releases = field(default_factory=Releases)
    """Release notes from ``kb/releases/`` (drafts and embargoed ones too; see ``timeline``)."""
    trees: dict[str, Tree] = field(default_factory=dict)
    """Diagnostic trees from ``kb/trees/`` by id, each proven by the tree checker."""

    def site_articles(self) -> list[Article]:
        """Articles that belong on the public site, by title."""
        return sorted(
            (a for a in self.articles.values() if a.on_site), key=lambda a: a.title.lower()
        )

    def agent_articles(self) -> list[Article]:
        """Articles an agent may search: everything except drafts."""
        return sorted(
            (a for a in self.articles.values() if a.status != "draft"),
            key=lambda a: a.title.lower(),
        )

    def source_path(self, article_id: str) -> Path:
        return self.documents[article_id].path


def load_kb(root: Path | str, *, today: dt.date | None = None) -> KnowledgeBase:
    """Read and check the knowledge base in ``root``.

    Args:
        root: the ``kb/`` folder.
        today: the date ``review_by`` is compared with (defaults to today).

    Returns:
        The validated knowledge base; its ``warnings`` list what does not fail a build.

    Raises:
        ContentError: with every problem found, when any is an error.
    """
    with paused_gc():
        return _load_kb(Path(root), today or dt.date.today())


def _load_kb(root: Path, today: dt.date) -> KnowledgeBase:
    problems = ProblemList(root)
    if not root.is_dir():
        problems.file(root, "knowledge base folder not found; pass --kb DIR or set HELPDESK_KB")
        raise ContentError(problems.items)

    taxonomy = load_taxonomy(root, problems)
    articles, documents = _load_articles(root, problems)
    synonyms = _load_synonyms(root, problems)
    if taxonomy is not None:
        _check_articles(root, taxonomy, articles, documents, problems, today)
        _check_taxonomy_articles(root, taxonomy, articles, problems)
    releases = (
        load_releases(root, taxonomy, articles, problems, today=today) if taxonomy else Releases()
    )
    trees, _ = load_trees(root, problems, articles)
    check_tree_links(articles, documents, trees, problems)
    if problems.errors or taxonomy is None:
        raise ContentError(problems.items)
    return KnowledgeBase(
        root=root,
        taxonomy=taxonomy,
        articles=articles,
        documents=documents,
        warnings=problems.warnings,
        synonyms=synonyms or Synonyms(),
        releases=releases,
        trees=trees,
    )


def _load_synonyms(root: Path, problems: ProblemList) -> Synonyms | None:
    path = root / "synonyms.yaml"
    if not path.is_file():  # optional: search simply expands nothing
        return None
    doc = read_document(path, problems)
    return validate_document(doc, Synonyms, problems) if doc else None


def load_taxonomy(root: Path, problems: ProblemList) -> Taxonomy | None:
    """``root/taxonomy.yaml`` validated, or None with the reason added to ``problems``."""
    path = root / "taxonomy.yaml"
    if not path.is_file():
        problems.file(path, "taxonomy.yaml is missing; it lists categories, products and tags")
        return None
    doc = read_document(path, problems)
    return validate_document(doc, Taxonomy, problems) if doc else None


def _load_articles(
    root: Path, problems: ProblemList
) -> tuple[dict[str, Article], dict[str, YamlDocument]]:
    folder = root / "articles"
    articles: dict[str, Article] = {}
    documents: dict[str, YamlDocument] = {}
    if not folder.is_dir():
        problems.file(folder, "the articles folder is missing")
        return articles, documents
    for path in yaml_files(folder, problems):
        doc = read_document(path, problems)
        if doc is None:
            continue
        article = validate_document(doc, Article, problems, tags=BLOCK_KINDS)
        if article is None:
            continue
        if article.id != path.stem:
            problems.at(
                doc,
                ("id",),
                f"id '{article.id}' does not match the file name; rename the file to "
                f"'{article.id}.yaml' or set id: {path.stem}",
            )
            continue
        articles[article.id] = article
        documents[article.id] = doc
    return articles, documents


def _check_articles(
    root: Path,
    taxonomy: Taxonomy,
    articles: dict[str, Article],
    documents: dict[str, YamlDocument],
    problems: ProblemList,
    today: dt.date,
) -> None:
    categories = {c.id for c in taxonomy.categories}
    products = {p.id for p in taxonomy.products}
    platforms = {p.id for p in taxonomy.platforms}
    tags = {t.id for t in taxonomy.tags}
    for article in articles.values():
        doc = documents[article.id]
        if article.category not in categories:
            problems.at(
                doc,
                ("category",),
                f"unknown category '{article.category}' (known: {', '.join(sorted(categories))})",
            )
        _unknown_ids(problems, doc, "tags", article.tags, tags, "tag")
        _unknown_ids(problems, doc, "products", article.products, products, "product")
        _unknown_ids(problems, doc, "platforms", article.platforms, platforms, "platform")
        for product in article.applies_to:
            if product not in products:
                problems.at(doc, ("applies_to", product), f"unknown product '{product}'", key=True)
        for index, related in enumerate(article.related):
            loc = ("related", index)
            if related == article.id:
                problems.at(doc, loc, "an article cannot be related to itself")
            elif related not in articles:
                problems.at(doc, loc, f"related article '{related}' does not exist")
            elif article.on_site and not articles[related].on_site:
                problems.at(
                    doc,
                    loc,
                    f"related article '{related}' is not on the site (draft or agent-only); "
                    "the link is left out of the page",
                    severity="warning",
                )
        _check_blocks(root, article, doc, articles, platforms, problems)
        if article.review_by is not None and article.review_by < today:
            problems.at(
                doc,
                ("review_by",),
                f"review date {article.review_by.isoformat()} has passed; check the article "
                "and move the date on",
                severity="warning",
            )


def _check_taxonomy_articles(
    root: Path, taxonomy: Taxonomy, articles: dict[str, Article], problems: ProblemList
) -> None:
    """The home page's ``featured`` list and the categories' ``weights`` name real articles."""
    if not taxonomy.featured and not any(c.weights for c in taxonomy.categories):
        return
    doc = read_document(root / "taxonomy.yaml", problems)
    if doc is None:
        return
    for index, article_id in enumerate(taxonomy.featured):
        if article_id not in articles:
            problems.at(doc, ("featured", index), f"featured article '{article_id}' does not exist")
        elif not articles[article_id].on_site:
            problems.at(
                doc,
                ("featured", index),
                f"featured article '{article_id}' is not on the site (draft or agent-only)",
            )
    for c_index, category in enumerate(taxonomy.categories):
        for article_id in category.weights:
            loc = ("categories", c_index, "weights", article_id)
            if article_id not in articles:
                problems.at(doc, loc, f"weighted article '{article_id}' does not exist", key=True)
            elif articles[article_id].category != category.id:
                problems.at(
                    doc,
                    loc,
                    f"article '{article_id}' is in category "
                    f"'{articles[article_id].category}', not '{category.id}'",
                    key=True,
                )


def _unknown_ids(
    problems: ProblemList,
    doc: YamlDocument,
    key: str,
    values: list[str],
    known: set[str],
    what: str,
) -> None:
    for index, value in enumerate(values):
        if value not in known:
            problems.at(
                doc, (key, index), f"unknown {what} '{value}' (known: {', '.join(sorted(known))})"
            )


def _check_blocks(
    root: Path,
    article: Article,
    doc: YamlDocument,
    articles: dict[str, Article],
    platforms: set[str],
    problems: ProblemList,
) -> None:
    for index, block in enumerate(article.body):
        loc: tuple[str | int, ...] = ("body", index)
        inner = [(loc, block)]
        if isinstance(block, TabsBlock):
            for tab_index, tab in enumerate(block.tabs):
                tab_loc = (*loc, "tabs", tab_index)
                if tab.platform not in platforms:
                    problems.at(doc, (*tab_loc, "platform"), f"unknown platform '{tab.platform}'")
                inner += [((*tab_loc, "body", i), b) for i, b in enumerate(tab.body)]
        for block_loc, item in inner:
            if isinstance(item, ImageBlock) and not (root / "images" / item.image.src).is_file():
                problems.at(
                    doc,
                    (*block_loc, "image", "src"),
                    f"image '{item.image.src}' not found under {problems.path(root / 'images')}",
                )
            for text_loc, text in _markdown_of(block_loc, item):
                for match in KB_LINK_RE.finditer(text):
                    target = match.group(1)
                    if target not in articles:
                        problems.at(doc, text_loc, f"link to unknown article 'kb:{target}'")
                    elif article.on_site and not articles[target].on_site:
                        problems.at(
                            doc,
                            text_loc,
                            f"link to 'kb:{target}', which is not on the site (draft or "
                            "agent-only)",
                        )


def _markdown_of(
    loc: tuple[str | int, ...], block: object
) -> list[tuple[tuple[str | int, ...], str]]:
    """The Markdown strings inside a block, with their locations, for link checks."""
    if isinstance(block, ParagraphBlock):
        return [((*loc, "paragraph"), block.paragraph)]
    out: list[tuple[tuple[str | int, ...], str]] = []
    # isinstance, not getattr: a missing attribute on a pydantic model takes a slow path.
    if isinstance(block, StepsBlock):
        for i, step in enumerate(block.steps):
            out.append(((*loc, "steps", i), step.text))
            if step.note:
                out.append(((*loc, "steps", i, "note"), step.note))
    elif isinstance(block, AdmonitionBlock):
        out.append(((*loc, "admonition", "text"), block.admonition.text))
    elif isinstance(block, TableBlock):
        for r, row in enumerate(block.table.rows):
            out += [((*loc, "table", "rows", r, c), str(cell)) for c, cell in enumerate(row)]
    return out
