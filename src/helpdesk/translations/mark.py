"""``helpdesk translations mark-current FILE...``: record what the source says today.

A translator updates a translation, checks it against its source, and runs this; it
writes the source's digest into the file's ``source_digest`` line (added after ``lang``
when absent) and changes nothing else in the file. It refuses a file that does not
validate or whose structure differs from its source: marking it current would hide
the difference from lint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpdesk._files import atomic_write
from helpdesk.content.articles import BLOCK_KINDS, Article
from helpdesk.content.digest import SourceParts
from helpdesk.content.divergence import diverged
from helpdesk.content.problems import ProblemList, read_document, validate_document
from helpdesk.content.translation import ArticleTranslation
from helpdesk.content.translations import article_parts
from helpdesk.content.yaml import YamlDocument
from helpdesk.errors import ConfigError, ContentError, Problem
from helpdesk.releases.model import Release
from helpdesk.releases.translation import ReleaseTranslation, release_parts, split_release_name


@dataclass(frozen=True)
class Marked:
    """What happened to one file."""

    path: Path
    digest: str
    changed: bool
    """False when the file already recorded this digest."""


def mark_current(paths: list[Path]) -> list[Marked]:
    """Write today's source digest into each translation file in ``paths``.

    The knowledge base of each file is the folder holding its ``articles/`` or
    ``releases/``. Every file is checked before any is written, so a refused file
    leaves all of them as they were.

    Raises:
        ConfigError: a path is not a translation file.
        ContentError: a file (or its source) has problems; nothing was written.
    """
    items: list[Problem] = []
    planned: list[tuple[Path, YamlDocument, str]] = []
    for path in paths:
        kind, kb_root = _kind(path)
        problems = ProblemList(kb_root)
        found = _check(path, kind, problems)
        items += problems.items
        if found is not None:
            planned.append((path, *found))
    if any(problem.severity == "error" for problem in items):
        raise ContentError(items)
    out: list[Marked] = []
    for path, doc, value in planned:
        text = path.read_text(encoding="utf-8")
        updated = _with_digest(text, doc, value)
        if updated != text:
            atomic_write(path, updated)
        out.append(Marked(path, value, updated != text))
    return out


def _kind(path: Path) -> tuple[str, Path]:
    """``("article" | "release", the KB folder)`` of a translation file."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    folder = path.resolve().parent
    if path.suffix == ".yaml" and folder.name == "articles" and path.stem.count(".") == 1:
        return "article", folder.parent
    if (
        path.suffix == ".yaml"
        and folder.parent.name == "releases"
        and split_release_name(path.stem)[1]
    ):
        return "release", folder.parent.parent
    raise ConfigError(
        f"{path} is not a translation file (kb/articles/<id>.<lang>.yaml or "
        "kb/releases/<product>/<version>.<lang>.yaml)"
    )


def _check(path: Path, kind: str, problems: ProblemList) -> tuple[YamlDocument, str] | None:
    if kind == "article":
        base = path.stem.split(".", 1)[0]
        source_path = path.with_name(f"{base}.yaml")
    else:
        source_path = path.with_name(f"{split_release_name(path.stem)[0]}.yaml")
    if not source_path.is_file():
        problems.file(path, f"its source {problems.path(source_path)} does not exist")
        return None
    source_doc = read_document(source_path, problems)
    doc = read_document(path, problems)
    if source_doc is None or doc is None:
        return None
    parts: SourceParts
    if kind == "article":
        source = validate_document(source_doc, Article, problems, tags=BLOCK_KINDS)
        translation = validate_document(doc, ArticleTranslation, problems, tags=BLOCK_KINDS)
        if source is None or translation is None:
            return None
        findings = diverged(source, translation)
        for loc, message, key in findings:
            problems.at(doc, loc, message, key=key)
        if findings:
            return None
        parts = article_parts(source)
    else:
        release = validate_document(source_doc, Release, problems)
        release_translation = validate_document(doc, ReleaseTranslation, problems)
        if release is None or release_translation is None:
            return None
        parts = release_parts(release)
    return doc, parts.digest()


def _with_digest(text: str, doc: YamlDocument, value: str) -> str:
    """``text`` with its top-level ``source_digest`` set to ``value``, nothing else touched."""
    lines = text.splitlines(keepends=True)
    line = f"source_digest: {value}\n"
    if ("source_digest",) in doc.key_positions:
        index = doc.key_positions[("source_digest",)][0] - 1
        lines[index] = line
    else:
        after = doc.key_positions.get(("lang",), doc.key_positions.get(("id",), (0, 0)))[0]
        if after and not lines[after - 1].endswith("\n"):
            lines[after - 1] += "\n"
        lines.insert(after, line)
    return "".join(lines)
