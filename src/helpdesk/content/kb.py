"""The one loader: ``load_kb(path)`` reads ``kb/`` once into a validated ``KnowledgeBase``.

Every consumer (site, search, lint, diagnostics, terminal app) takes the object this
returns; nothing else parses the YAML. Loading goes in passes so that a writer sees
every problem of a run at once:

1. parse each file safely, keeping positions (``content.yaml``);
2. validate each document into its model (``content.articles`` and friends);
3. check what spans files: ids unique and equal to file names, taxonomy ids known,
   related articles, linked trees and images that exist; translations against their
   sources (``content.translations``);
4. load the registered sections (release notes, diagnostic trees: ``content.sections``),
   so this package imports nothing above it.

An article that fails validation is still *known* by its id to the cross-file checks:
one typo gives one message, not one more per link to that article.

Translations API (used by the site, search and the terminal app)::

    kb.languages                      # ["en", "it", "es"]: the source language first
    kb.source_language                # "en"
    kb.localized_article(id, lang)    # -> LocalizedArticle
        .article       the Article in ``text_lang``: title, summary, body translated;
                       category, tags, products, dates, related... from the source
        .lang          the language asked for
        .text_lang     the language of the text: ``lang``, or the source language
                       when the translation is missing
        .state         "current" | "stale" | "missing" ("current" for the source language)
        .source_changed  when stale: the date the source changed (its ``updated``)
        .changes       when stale: what changed, e.g. ("body block 3 (steps) changed",)
        .path          the translation file, or None
    kb.localized_taxonomy(lang)       # -> LocalizedTaxonomy
        .taxonomy      the Taxonomy with titles, descriptions, tag keywords in ``lang``
        .missing       labels that fell back to English ("categories.devices", ...)
        .title(kind, id)  one label, e.g. title("categories", "devices")
    kb.synonyms_for(lang)             # search synonyms of that language (kb/synonyms.<lang>.yaml)
    releases_of(kb).localized(release, lang)  # helpdesk.releases.catalog.releases_of:
        -> LocalizedRelease (same fields idea: .release, .state, .source_changed, .changes)
    releases_of(kb).timeline(product, today, lang)  # release views with notes in ``lang``

Every method taking ``lang`` raises ``ConfigError`` (a usage error) for a language
that ``languages`` does not list, naming the known ones.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

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
from helpdesk.content.sections import Loading, Section, registered_sections
from helpdesk.content.synonyms import Synonyms
from helpdesk.content.taxonomy import Taxonomy
from helpdesk.content.translation import TaxonomyTranslation
from helpdesk.content.translations import (
    State,
    TranslationRecord,
    load_article_translations,
    load_language_synonyms,
    load_taxonomy_labels,
    localized,
    localized_taxonomy,
    translation_name,
)
from helpdesk.content.yaml import YamlDocument
from helpdesk.errors import ConfigError, ContentError, Problem

KB_LINK_RE = re.compile(r"\]\(kb:([^)#\s]*)(#[^)\s]*)?\)")
"""Markdown links to other articles: ``[text](kb:article-id)`` or ``(kb:article-id#anchor)``."""


@dataclass(frozen=True)
class LocalizedArticle:
    """An article as a reader of one language gets it (see the module docstring)."""

    article: Article
    lang: str
    text_lang: str
    state: State
    source_changed: dt.date | None = None
    changes: tuple[str, ...] = ()
    path: Path | None = None


@dataclass(frozen=True)
class LocalizedTaxonomy:
    """The taxonomy's labels in one language, English where a label is missing."""

    taxonomy: Taxonomy
    lang: str
    missing: tuple[str, ...] = ()

    def title(self, kind: Literal["categories", "products", "platforms", "tags"], id: str) -> str:
        items: list[Any] = getattr(self.taxonomy, kind)
        return str(next(item.title for item in items if item.id == id))


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
    sections: dict[str, Any] = field(default_factory=dict, repr=False)
    """What each registered section loaded, by name (``releases``, ``trees``)."""
    translations: dict[tuple[str, str], TranslationRecord] = field(default_factory=dict, repr=False)
    """Article translations by ``(article id, lang)``."""
    taxonomy_labels: dict[str, TaxonomyTranslation] = field(default_factory=dict, repr=False)
    """``kb/taxonomy.<lang>.yaml`` by language."""
    language_synonyms: dict[str, Synonyms] = field(default_factory=dict, repr=False)
    """``kb/synonyms.<lang>.yaml`` by language."""
    loaded_at: float = 0.0
    """When ``load_kb`` started reading the files (``time.time()``); 0 for a KB built in
    code. Caches made from this object (the search index) compare file times with it."""
    _localized_taxonomies: dict[str, LocalizedTaxonomy] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def section(self, name: str) -> Any:
        """What the registered section ``name`` loaded. Each section's own package gives
        it a type (``releases.catalog.releases_of``, ``diagnostics.model.trees_of``):
        content knows none of them.

        Raises:
            RuntimeError: this KnowledgeBase was built without that section.
        """
        try:
            return self.sections[name]
        except KeyError:
            raise RuntimeError(
                f"this KnowledgeBase has no '{name}' section (loaded: "
                f"{', '.join(sorted(self.sections)) or 'none'}); build it with load_kb or "
                "pass sections={...}"
            ) from None

    @property
    def languages(self) -> list[str]:
        """The configured languages, the source language first."""
        return list(self.taxonomy.languages)

    @property
    def source_language(self) -> str:
        return self.taxonomy.languages[0]

    def check_language(self, lang: str) -> str:
        """``lang`` if configured.

        Raises:
            ConfigError: an unknown language (the message lists the known ones).
        """
        if lang not in self.taxonomy.languages:
            raise ConfigError(
                f"unknown language '{lang}' (known: {', '.join(self.taxonomy.languages)})"
            )
        return lang

    def localized_article(self, article_id: str, lang: str) -> LocalizedArticle:
        """The article in ``lang``, falling back to the source text when untranslated.

        Raises:
            KeyError: no article has this id.
            ConfigError: ``lang`` is not a configured language.
        """
        source = self.articles[article_id]
        self.check_language(lang)
        if lang == self.source_language:
            return LocalizedArticle(source, lang, lang, "current")
        record = self.translations.get((article_id, lang))
        if record is None:
            return LocalizedArticle(source, lang, self.source_language, "missing")
        fresh = record.freshness
        stale = fresh.state == "stale"
        return LocalizedArticle(
            localized(source, record.translation),
            lang,
            lang,
            fresh.state,
            source.updated if stale else None,
            fresh.changes,
            record.path,
        )

    def localized_taxonomy(self, lang: str) -> LocalizedTaxonomy:
        """The taxonomy with labels in ``lang`` (English for missing ones).

        Raises:
            ConfigError: ``lang`` is not a configured language.
        """
        self.check_language(lang)
        cached = self._localized_taxonomies.get(lang)
        if cached is None:
            if lang == self.source_language:
                cached = LocalizedTaxonomy(self.taxonomy, lang)
            else:
                taxonomy, missing = localized_taxonomy(
                    self.taxonomy, self.taxonomy_labels.get(lang)
                )
                cached = LocalizedTaxonomy(taxonomy, lang, missing)
            self._localized_taxonomies[lang] = cached
        return cached

    def synonyms_for(self, lang: str) -> Synonyms:
        """Search synonyms of ``lang``: ``kb/synonyms.yaml`` for the source language."""
        self.check_language(lang)
        if lang == self.source_language:
            return self.synonyms
        return self.language_synonyms.get(lang, Synonyms())

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


def load_kb(
    root: Path | str,
    *,
    today: dt.date | None = None,
    sections: tuple[Section, ...] | None = None,
) -> KnowledgeBase:
    """Read and check the knowledge base in ``root``.

    Args:
        root: the ``kb/`` folder.
        today: the date ``review_by`` is compared with (defaults to today).
        sections: the sections to load after the articles (defaults to every
            registered one: release notes, trees; see ``content.sections``).

    Returns:
        The validated knowledge base; its ``warnings`` list what does not fail a build.

    Raises:
        ContentError: with every problem found, when any is an error.
    """
    chosen = registered_sections() if sections is None else sections
    with paused_gc():
        return _load_kb(Path(root), today or dt.date.today(), chosen)


def _load_kb(root: Path, today: dt.date, sections: tuple[Section, ...]) -> KnowledgeBase:
    started = time.time()
    problems = ProblemList(root)
    if not root.is_dir():
        problems.file(root, "knowledge base folder not found; pass --kb DIR or set HELPDESK_KB")
        raise ContentError(problems.items)

    taxonomy = load_taxonomy(root, problems)
    articles, documents, known, translated = _load_articles(root, problems)
    synonyms = _load_synonyms(root, problems)
    languages = list(taxonomy.languages) if taxonomy else ["en"]
    translations: dict[tuple[str, str], TranslationRecord] = {}
    labels: dict[str, TaxonomyTranslation] = {}
    if taxonomy is not None:
        _check_articles(root, taxonomy, articles, documents, known, problems, today)
        _check_taxonomy_articles(root, taxonomy, articles, known, problems)
        translations = load_article_translations(
            root, languages, articles, documents, known, problems, translated
        )
        _check_translated_bodies(root, taxonomy, articles, translations, known, problems)
        labels = load_taxonomy_labels(root, taxonomy, problems)
    language_synonyms = load_language_synonyms(root, languages, problems)
    loading = Loading(root, today, problems, taxonomy, articles, documents, known)
    for section in sections:
        loading.sections[section.name] = section.load(loading)
    if problems.errors or taxonomy is None:
        raise ContentError(problems.items)
    return KnowledgeBase(
        root=root,
        taxonomy=taxonomy,
        articles=articles,
        documents=documents,
        warnings=problems.warnings,
        synonyms=synonyms or Synonyms(),
        sections=loading.sections,
        translations=translations,
        taxonomy_labels=labels,
        language_synonyms=language_synonyms,
        loaded_at=started,
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
) -> tuple[
    dict[str, Article], dict[str, YamlDocument], frozenset[str], list[tuple[Path, str, str]]
]:
    """Source articles, their documents, every source id (valid or not), translation files."""
    folder = root / "articles"
    articles: dict[str, Article] = {}
    documents: dict[str, YamlDocument] = {}
    known: set[str] = set()
    if not folder.is_dir():
        problems.file(folder, "the articles folder is missing")
        return articles, documents, frozenset(), []
    translated: list[tuple[Path, str, str]] = []
    for path in yaml_files(folder, problems):
        named = translation_name(path)
        if named is not None:
            translated.append((path, *named))
            continue
        # Known before it is read: if it fails, links to it are not errors of their own.
        known.add(path.stem)
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
    return articles, documents, frozenset(known), translated


def _check_articles(
    root: Path,
    taxonomy: Taxonomy,
    articles: dict[str, Article],
    documents: dict[str, YamlDocument],
    known: frozenset[str],
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
            elif related not in known:
                problems.at(doc, loc, f"related article '{related}' does not exist")
            elif related in articles and article.on_site and not articles[related].on_site:
                problems.at(
                    doc,
                    loc,
                    f"related article '{related}' is not on the site (draft or agent-only); "
                    "the link is left out of the page",
                    severity="warning",
                )
        _check_blocks(
            root, article.body, article.on_site, doc, articles, known, platforms, problems
        )
        if article.review_by is not None and article.review_by < today:
            problems.at(
                doc,
                ("review_by",),
                f"review date {article.review_by.isoformat()} has passed; check the article "
                "and move the date on",
                severity="warning",
            )


def _check_taxonomy_articles(
    root: Path,
    taxonomy: Taxonomy,
    articles: dict[str, Article],
    known: Collection[str],
    problems: ProblemList,
) -> None:
    """The home page's ``featured`` list and the categories' ``weights`` name real articles.

    An article that failed validation is in ``known`` but not in ``articles``: its own
    error is the one message, so nothing here reports it missing as well.
    """
    if not taxonomy.featured and not any(c.weights for c in taxonomy.categories):
        return
    doc = read_document(root / "taxonomy.yaml", problems)
    if doc is None:
        return
    for index, article_id in enumerate(taxonomy.featured):
        if article_id in known and article_id not in articles:
            continue
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
            if article_id in known and article_id not in articles:
                continue
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


def _check_translated_bodies(
    root: Path,
    taxonomy: Taxonomy,
    articles: dict[str, Article],
    translations: dict[tuple[str, str], TranslationRecord],
    known: frozenset[str],
    problems: ProblemList,
) -> None:
    """A translation's own links (and, when stale, its tabs' platforms and images) must exist.

    A current translation's tabs and images are its source's (the structure check says
    so when they differ), so a translated platform id or a missing image is reported
    once: by the structure check, or in the source.
    """
    platforms = {p.id for p in taxonomy.platforms}
    for (article_id, _), record in translations.items():
        on_site = articles[article_id].on_site
        body = record.translation.body
        # As in load_article_translations: the structure is checked unless the
        # translation is stale (made from an older source, so judged on its own).
        unchecked = record.freshness.state == "stale" and record.freshness.marked
        _check_blocks(
            root,
            body,
            on_site,
            record.doc,
            articles,
            known,
            platforms if unchecked else None,
            problems,
            images=unchecked,
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
    body: list[Any],
    on_site: bool,
    doc: YamlDocument,
    articles: dict[str, Article],
    known: frozenset[str],
    platforms: set[str] | None,
    problems: ProblemList,
    *,
    images: bool = True,
) -> None:
    """Links, images and tab platforms of ``body`` (platforms unless ``None``)."""
    for index, block in enumerate(body):
        loc: tuple[str | int, ...] = ("body", index)
        inner = [(loc, block)]
        if isinstance(block, TabsBlock):
            for tab_index, tab in enumerate(block.tabs):
                tab_loc = (*loc, "tabs", tab_index)
                if platforms is not None and tab.platform not in platforms:
                    problems.at(doc, (*tab_loc, "platform"), f"unknown platform '{tab.platform}'")
                inner += [((*tab_loc, "body", i), b) for i, b in enumerate(tab.body)]
        for block_loc, item in inner:
            if (
                images
                and isinstance(item, ImageBlock)
                and not (root / "images" / item.image.src).is_file()
            ):
                problems.at(
                    doc,
                    (*block_loc, "image", "src"),
                    f"image '{item.image.src}' not found under {problems.path(root / 'images')}",
                )
            for text_loc, text in _markdown_of(block_loc, item):
                for match in KB_LINK_RE.finditer(text):
                    target = match.group(1)
                    if target not in known:
                        problems.at(doc, text_loc, f"link to unknown article 'kb:{target}'")
                    elif target in articles and on_site and not articles[target].on_site:
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
