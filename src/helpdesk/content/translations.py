"""Loading and checking translations of articles, taxonomy labels and synonyms.

Called by the loader (``content.kb``) once the source articles are read. Every
problem lands in the run's list, located in the translation file:

* errors: a translation without a source, for the source language, in a language that
  ``languages`` does not list; an ``id`` or ``lang`` that disagrees with the file name;
  a key that comes from the source (``category``, ``tags``, ...); a structure that
  diverged from the source's (``content.divergence``); a link to an article, an image
  or a platform that does not exist; a ``source_digest`` nobody's tool wrote;
* warnings: a translation whose source changed since its ``source_digest`` (naming
  what changed and where), or that was never marked current.

A translation whose source failed to load is skipped without a word: the source's own
problem is the one message a writer needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from helpdesk.content import digest
from helpdesk.content.articles import Article, StepsBlock, TableBlock, TabsBlock
from helpdesk.content.divergence import diverged, kind_of
from helpdesk.content.problems import ProblemList, read_document, validate_document
from helpdesk.content.synonyms import Synonyms
from helpdesk.content.taxonomy import Taxonomy
from helpdesk.content.translation import (
    SOURCE_ONLY_KEYS,
    ArticleTranslation,
    TaxonomyTranslation,
)
from helpdesk.content.yaml import Loc, YamlDocument

State = Literal["current", "stale", "missing"]
"""A translation's state: ``current`` (checked against today's source), ``stale``
(the source changed since, or it was never checked) or ``missing`` (no file)."""


@dataclass(frozen=True)
class Freshness:
    """How a translation stands against its source today."""

    state: Literal["current", "stale"]
    changes: tuple[str, ...] = ()
    """When stale: what changed in the source, e.g. ``body block 3 (steps) changed``."""
    locs: tuple[Loc, ...] = ()
    """Where in the source each change is (same order as ``changes``, for lines)."""
    marked: bool = True
    """False when the translation was never marked current (no ``source_digest``)."""


@dataclass(frozen=True)
class TranslationRecord:
    """One loaded article translation."""

    translation: ArticleTranslation
    doc: YamlDocument
    freshness: Freshness

    @property
    def path(self) -> Path:
        return self.doc.path


def article_parts(article: Article) -> digest.SourceParts:
    """The translatable parts of an article: title, summary, then each body block."""
    return digest.parts_of(
        [("title", article.title), ("summary", article.summary)],
        [(f"body block {i + 1} ({kind_of(block)})", block) for i, block in enumerate(article.body)],
        [block_items(block) for block in article.body],
    )


def block_items(block: Any) -> list[digest.ItemSpec]:
    """A block's items, so that a stale warning names the step, row or tab that changed."""
    if isinstance(block, StepsBlock):
        return [(f"step {n + 1}", step, ("steps", n)) for n, step in enumerate(block.steps)]
    if isinstance(block, TableBlock):
        rows = [
            (f"row {n + 1}", row, ("table", "rows", n)) for n, row in enumerate(block.table.rows)
        ]
        return [("the column headings", block.table.columns, ("table", "columns")), *rows]
    if isinstance(block, TabsBlock):
        return [(f"the {tab.platform} tab", tab, ("tabs", n)) for n, tab in enumerate(block.tabs)]
    return []


def freshness(recorded: str | None, parts: digest.SourceParts) -> Freshness:
    """Compare a recorded ``source_digest`` with the source's parts today.

    Raises:
        digest.DigestFormatError: ``recorded`` was not written by ``mark-current``.
    """
    if recorded is None:
        return Freshness("stale", ("never marked current",), ((),), marked=False)
    changes = digest.compare(recorded, parts)
    if not changes:
        return Freshness("current")
    locs: list[Loc] = []
    for change in changes:
        if change.index is not None:
            locs.append(("body", change.index, *change.loc))
        elif change.part in ("title", "summary"):
            locs.append((change.part,))
        else:
            locs.append(("body",))
    return Freshness("stale", tuple(c.describe() for c in changes), tuple(locs))


def localized(source: Article, translation: ArticleTranslation) -> Article:
    """The article with the translation's text and the source's everything else."""
    return source.model_copy(
        update={
            "title": translation.title,
            "summary": translation.summary,
            "body": translation.body,
        }
    )


def translation_name(path: Path) -> tuple[str, str] | None:
    """``(base id, lang)`` when ``path`` is named as a translation (``<id>.<lang>.yaml``),
    else None: the one rule for telling a translation file from a source file."""
    base, dot, lang = path.stem.partition(".")
    return (base, lang) if dot else None


def translation_files(folder: Path) -> list[tuple[Path, str, str]]:
    """``(path, base id, lang)`` of every ``<id>.<lang>.yaml`` directly in ``folder``."""
    out: list[tuple[Path, str, str]] = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        if path.suffix != ".yaml" or path.name.startswith(".") or not path.is_file():
            continue
        named = translation_name(path)
        if named is not None:
            out.append((path, *named))
    return out


def check_language(
    path: Path, lang: str, languages: list[str], problems: ProblemList, source_name: str
) -> bool:
    """Whether ``lang`` (from a file name) is a translation language; else a problem."""
    if lang == languages[0]:
        problems.file(
            path,
            f"'{lang}' is the source language: its text belongs in {source_name}, "
            "not in a translation file",
        )
        return False
    if lang not in languages:
        known = ", ".join(languages)
        problems.file(
            path,
            f"unknown language '{lang}' in the file name (languages: {known}); add it to "
            "'languages' in kb/taxonomy.yaml or rename the file",
        )
        return False
    return True


def load_article_translations(
    root: Path,
    languages: list[str],
    articles: dict[str, Article],
    documents: dict[str, YamlDocument],
    known_articles: frozenset[str],
    problems: ProblemList,
    files: list[tuple[Path, str, str]],
) -> dict[tuple[str, str], TranslationRecord]:
    """Read and check ``kb/articles/<id>.<lang>.yaml`` files (``files``)."""
    records: dict[tuple[str, str], TranslationRecord] = {}
    parts: dict[str, digest.SourceParts] = {}
    for path, base, lang in files:
        if not check_language(path, lang, languages, problems, f"articles/{base}.yaml"):
            continue
        if base not in known_articles:
            problems.file(
                path,
                f"translation of '{base}', but there is no article "
                f"{problems.path(root / 'articles' / f'{base}.yaml')}; rename the file to "
                "<source id>.<lang>.yaml or remove it",
            )
            continue
        source = articles.get(base)
        doc = read_document(path, problems)
        if doc is None or source is None:
            continue  # a broken source has its own message; one mistake, one message
        translation = _validate(doc, problems)
        if translation is None:
            continue
        if translation.id != base:
            problems.at(
                doc,
                ("id",),
                f"id '{translation.id}' is not the source's id '{base}' (the file name "
                f"without .{lang}.yaml); translations keep the source's id",
            )
            continue
        if translation.lang != lang:
            problems.at(
                doc,
                ("lang",),
                f"lang '{translation.lang}' but the file name says '{lang}'",
            )
            continue
        if base not in parts:
            parts[base] = article_parts(source)
        fresh = _freshness(doc, translation, parts[base], source, documents[base], problems)
        if fresh is None:
            continue
        if not source.on_site:
            problems.at(
                doc,
                ("id",),
                f"'{base}' is not on the site (agent-only or draft); only customer "
                "articles are translated, so this file is not published",
                severity="warning",
            )
        if fresh.state == "current" or not fresh.marked:
            # A stale translation was made from an older source: its structure is
            # judged again when it is marked current, not against today's source.
            for loc, message, key in diverged(source, translation):
                problems.at(doc, loc, message, key=key)
        records[(base, lang)] = TranslationRecord(translation, doc, fresh)
    return records


def _validate(doc: YamlDocument, problems: ProblemList) -> ArticleTranslation | None:
    data: Any = doc.data
    if isinstance(data, dict):
        repeated = [key for key in data if key in SOURCE_ONLY_KEYS]
        for key in repeated:
            problems.at(
                doc,
                (key,),
                f"'{key}' comes from the source article; remove it from the translation",
                key=True,
            )
        if repeated:
            # Validate the rest as if the keys were not there, so each gets one message.
            trimmed = {k: v for k, v in data.items() if k not in SOURCE_ONLY_KEYS}
            doc = YamlDocument(doc.path, trimmed, doc.positions, doc.key_positions)
        translation = validate_document(doc, ArticleTranslation, problems)
        return None if repeated else translation
    return validate_document(doc, ArticleTranslation, problems)


def _freshness(
    doc: YamlDocument,
    translation: ArticleTranslation,
    parts: digest.SourceParts,
    source: Article,
    source_doc: YamlDocument,
    problems: ProblemList,
) -> Freshness | None:
    def mark() -> str:  # only when a problem is reported: display paths cost a resolve()
        # A command to paste, so the path is from where the writer is (not from kb/'s
        # parent, as problem locations are): relative to the cwd, else absolute.
        return f"`helpdesk translations mark-current {_from_cwd(doc.path)}`"

    try:
        fresh = freshness(translation.source_digest, parts)
    except digest.DigestFormatError:
        problems.at(
            doc,
            ("source_digest",),
            "source_digest was not written by mark-current (never copy or edit it); "
            f"check the text against the source, then run {mark()}",
        )
        return None
    if not fresh.marked:
        problems.at(
            doc,
            ("id",),
            "translation was never marked current; check it against the source, then run " + mark(),
            severity="warning",
        )
    elif fresh.state == "stale":
        where = [
            f"{change} ({problems.path(source_doc.path)}:{source_doc.position(loc).line})"
            for change, loc in zip(fresh.changes, fresh.locs, strict=True)
        ]
        problems.at(
            doc,
            ("source_digest",),
            f"stale: the source changed since this translation was checked: "
            f"{'; '.join(where)}; the source's `updated` date is "
            f"{source.updated.isoformat()} (its writer's date for the change, which the "
            f"page's notice shows); update the translation, then run {mark()}",
            severity="warning",
        )
    return fresh


def _from_cwd(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def load_taxonomy_labels(
    root: Path, taxonomy: Taxonomy, problems: ProblemList
) -> dict[str, TaxonomyTranslation]:
    """Read and check ``kb/taxonomy.<lang>.yaml`` files."""
    labels: dict[str, TaxonomyTranslation] = {}
    languages = list(taxonomy.languages)
    known = {
        "categories": {c.id for c in taxonomy.categories},
        "products": {p.id for p in taxonomy.products},
        "platforms": {p.id for p in taxonomy.platforms},
        "tags": {t.id for t in taxonomy.tags},
    }
    for path, base, lang in translation_files(root):
        if base != "taxonomy":
            continue
        if not check_language(path, lang, languages, problems, "taxonomy.yaml"):
            continue
        doc = read_document(path, problems)
        translation = validate_document(doc, TaxonomyTranslation, problems) if doc else None
        if doc is None or translation is None:
            continue
        if translation.lang != lang:
            problems.at(
                doc, ("lang",), f"lang '{translation.lang}' but the file name says '{lang}'"
            )
            continue
        for kind, ids in known.items():
            for item_id in getattr(translation, kind):
                if item_id not in ids:
                    problems.at(
                        doc,
                        (kind, item_id),
                        f"unknown {kind} id '{item_id}' (not in kb/taxonomy.yaml)",
                        key=True,
                    )
        labels[lang] = translation
    return labels


def load_language_synonyms(
    root: Path, languages: list[str], problems: ProblemList
) -> dict[str, Synonyms]:
    """Read ``kb/synonyms.<lang>.yaml`` files (search synonyms per language)."""
    out: dict[str, Synonyms] = {}
    for path, base, lang in translation_files(root):
        if base != "synonyms":
            continue
        if not check_language(path, lang, languages, problems, "synonyms.yaml"):
            continue
        doc = read_document(path, problems)
        synonyms = validate_document(doc, Synonyms, problems) if doc else None
        if synonyms is not None:
            out[lang] = synonyms
    return out


def localized_taxonomy(
    taxonomy: Taxonomy, labels: TaxonomyTranslation | None
) -> tuple[Taxonomy, tuple[str, ...]]:
    """The taxonomy with ``labels`` applied, and the labels that fell back to English."""
    missing: list[str] = []

    def apply(kind: str, items: list[Any], given: dict[str, Any]) -> list[Any]:
        out = []
        for item in items:
            label = given.get(item.id)
            if label is None:
                missing.append(f"{kind}.{item.id}")
                out.append(item)
                continue
            update: dict[str, Any] = {"title": label.title}
            if kind == "categories":
                if label.description is not None:
                    update["description"] = label.description
                else:
                    missing.append(f"{kind}.{item.id}.description")
            if kind == "tags":
                update["keywords"] = list(label.keywords)
            out.append(item.model_copy(update=update))
        return out

    given = labels or TaxonomyTranslation(lang="xx")
    result = taxonomy.model_copy(
        update={
            "categories": apply("categories", taxonomy.categories, given.categories),
            "products": apply("products", taxonomy.products, given.products),
            "platforms": apply("platforms", taxonomy.platforms, given.platforms),
            "tags": apply("tags", taxonomy.tags, given.tags),
        }
    )
    return result, tuple(missing)


def source_changed(article: Article) -> dt.date:
    """The date a stale translation's notice names: the source's last real change."""
    return article.updated
