"""Reading ``kb/trees/`` for the one loader (``helpdesk.content.kb.load_kb``).

The loader runs ``SECTION`` (registered under ``helpdesk.kb_sections``) after the
articles are read: :func:`load_trees`, then :func:`check_tree_links` so that an
article's ``tree`` block names a tree that exists. Each tree is parsed with the
positional YAML reader, validated into
:class:`~helpdesk.diagnostics.model.Tree`, and proven by the checker; all problems
land in the run's ``ProblemList`` with ``path:line:column``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from helpdesk.content.problems import ProblemList, read_document, validate_document, yaml_files
from helpdesk.content.sections import Loading
from helpdesk.content.yaml import YamlDocument
from helpdesk.diagnostics.model import NODE_KINDS, Tree
from helpdesk.diagnostics.operations import Registry, default_operations
from helpdesk.diagnostics.validate import check_tree


def load_trees(
    root: Path,
    problems: ProblemList,
    articles: Iterable[str],
    *,
    operations: Registry | None = None,
) -> tuple[dict[str, Tree], dict[str, YamlDocument]]:
    """Read and check every ``kb/trees/*.yaml``; a missing folder means no trees.

    Returns:
        Trees and their parsed documents, by id; trees with problems are left out.
    """
    folder = root / "trees"
    trees: dict[str, Tree] = {}
    documents: dict[str, YamlDocument] = {}
    if not folder.is_dir():
        return trees, documents
    article_ids = set(articles)
    registry = operations if operations is not None else default_operations()
    for path in yaml_files(folder, problems):
        tree, doc = load_tree_file(path, problems, article_ids, registry)
        if tree is not None and doc is not None:
            trees[tree.id] = tree
            documents[tree.id] = doc
    return trees, documents


def load_tree_file(
    path: Path, problems: ProblemList, articles: Iterable[str], operations: Registry
) -> tuple[Tree | None, YamlDocument | None]:
    """Read, validate and check one tree file; ``(None, None)`` when it has errors."""
    doc = read_document(path, problems)
    if doc is None:
        return None, None
    if not _kinds_known(doc, problems):
        return None, None
    tree = validate_document(doc, Tree, problems)
    if tree is None:
        return None, None
    before = len(problems.errors)
    if tree.id != path.stem:
        problems.at(
            doc,
            ("id",),
            f"id '{tree.id}' does not match the file name; rename the file to "
            f"'{tree.id}.yaml' or set id: {path.stem}",
        )

    def report(loc: tuple[str | int, ...], message: str) -> None:
        # A problem with a whole node is shown on the line of its id, where a writer looks.
        problems.at(doc, loc, message, key=len(loc) == 2 and loc[0] == "nodes")

    check_tree(tree, report, articles=articles, operations=operations)
    if len(problems.errors) > before:
        return None, None
    return tree, doc


def _kinds_known(doc: YamlDocument, problems: ProblemList) -> bool:
    """Name an unknown node kind plainly before pydantic reports every node kind's fields."""
    data: Any = doc.data
    nodes = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(nodes, dict):
        return True
    ok = True
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            continue
        kind = node.get("kind")
        if kind is None:
            problems.at(
                doc,
                ("nodes", node_id),
                f"node '{node_id}' has no 'kind' (one of: {', '.join(NODE_KINDS)})",
                key=True,
            )
            ok = False
        elif kind not in NODE_KINDS:
            hint = difflib.get_close_matches(str(kind), NODE_KINDS, n=1)
            suffix = f"; did you mean '{hint[0]}'?" if hint else ""
            problems.at(
                doc,
                ("nodes", node_id, "kind"),
                f"unknown node kind '{kind}'{suffix} (one of: {', '.join(NODE_KINDS)})",
            )
            ok = False
    return ok


def check_tree_links(
    articles: Mapping[str, Any],
    documents: Mapping[str, YamlDocument],
    trees: Mapping[str, Tree],
    problems: ProblemList,
    *,
    files: Iterable[str] = (),
) -> None:
    """Every article ``tree`` block must name a tree in ``kb/trees/``.

    ``files`` are the stems of every tree file: a tree that failed its own checks is
    still known, so its one problem is not repeated by every article linking it.
    """
    ids = {*trees, *files}
    for article_id, article in articles.items():
        doc = documents.get(article_id)
        if doc is None:
            continue
        for loc, tree_id in _tree_blocks(article):
            if tree_id not in ids:
                known = ", ".join(sorted(trees)) or "none yet"
                problems.at(doc, loc, f"tree '{tree_id}' does not exist (known trees: {known})")


def _tree_blocks(article: Any) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    for index, block in enumerate(getattr(article, "body", [])):
        link = getattr(block, "tree", None)
        if link is not None:
            out.append((("body", index, "tree", "id"), link.id))
        for tab_index, tab in enumerate(getattr(block, "tabs", None) or []):
            for inner_index, inner in enumerate(tab.body):
                inner_link = getattr(inner, "tree", None)
                if inner_link is not None:
                    loc = ("body", index, "tabs", tab_index, "body", inner_index, "tree", "id")
                    out.append((loc, inner_link.id))
    return out


class _TreesSection:
    """``kb/trees/`` as a section of the one loader (registered in ``pyproject.toml``)."""

    name = "trees"
    order = 20

    def load(self, loading: Loading) -> dict[str, Tree]:
        trees, _ = load_trees(loading.root, loading.problems, loading.known_articles)
        folder = loading.root / "trees"
        files = [p.stem for p in folder.glob("*.yaml")] if folder.is_dir() else []
        check_tree_links(loading.articles, loading.documents, trees, loading.problems, files=files)
        return trees


SECTION = _TreesSection()
