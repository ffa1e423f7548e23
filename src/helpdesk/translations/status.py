"""``helpdesk translations status``: per language, what is current, stale and missing.

Counted over what readers can see: customer articles that are published or archived
(never drafts or agent-only ones), the taxonomy's labels, and releases that are not
drafts. A stale item names the date its source changed and what changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from helpdesk.content.kb import KnowledgeBase
from helpdesk.errors import ConfigError, display_path
from helpdesk.releases.catalog import releases_of


@dataclass
class Item:
    """One article or release in one language."""

    id: str
    state: str
    """``current``, ``stale`` or ``missing``."""
    path: str | None = None
    source_changed: str | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class LanguageStatus:
    lang: str
    articles: list[Item] = field(default_factory=list)
    releases: list[Item] = field(default_factory=list)
    labels_missing: list[str] = field(default_factory=list)
    """Taxonomy labels shown in English (``categories.devices``, ``tags.mfa``, ...)."""

    def count(self, items: list[Item], state: str) -> int:
        return sum(1 for item in items if item.state == state)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = {
            kind: {s: self.count(items, s) for s in ("current", "stale", "missing")}
            for kind, items in (("articles", self.articles), ("releases", self.releases))
        }
        return data


def translation_status(
    kb: KnowledgeBase, languages: list[str] | None = None
) -> list[LanguageStatus]:
    """The status of every translation language (or of ``languages``).

    Raises:
        ConfigError: a language in ``languages`` is not configured.
    """
    wanted = [kb.check_language(lang) for lang in languages] if languages else kb.languages[1:]
    if kb.source_language in wanted:
        # Asking for it is a slip for a translation language, not a request for "0/0".
        raise ConfigError(
            f"'{kb.source_language}' is the source language, it has no translations "
            f"(translation languages: {', '.join(kb.languages[1:]) or 'none configured'})"
        )
    out: list[LanguageStatus] = []
    base = kb.root.resolve().parent
    for lang in wanted:
        status = LanguageStatus(lang)
        if lang == kb.source_language:
            out.append(status)
            continue
        for article in sorted(kb.site_articles(), key=lambda a: a.id):
            local = kb.localized_article(article.id, lang)
            status.articles.append(
                Item(
                    article.id,
                    local.state,
                    display_path(local.path, base) if local.path else None,
                    local.source_changed.isoformat() if local.source_changed else None,
                    list(local.changes),
                )
            )
        for item in releases_of(kb).all():
            if item.release.status == "draft":
                continue
            local_release = releases_of(kb).localized(item, lang)
            changed = local_release.source_changed
            status.releases.append(
                Item(
                    f"{item.product} {item.release.version}",
                    local_release.state,
                    display_path(local_release.path, base) if local_release.path else None,
                    changed.isoformat() if changed else None,
                    list(local_release.changes),
                )
            )
        status.labels_missing = list(kb.localized_taxonomy(lang).missing)
        out.append(status)
    return out


def render_text(statuses: list[LanguageStatus]) -> str:
    """The report as a writer reads it: one summary line per language, then what to do."""
    lines: list[str] = []
    for status in statuses:
        parts = []
        for kind, items in (("articles", status.articles), ("releases", status.releases)):
            total = len(items)
            current = status.count(items, "current")
            stale = status.count(items, "stale")
            missing = status.count(items, "missing")
            parts.append(f"{current}/{total} {kind} current, {stale} stale, {missing} missing")
        labels = len(status.labels_missing)
        parts.append(f"{labels} taxonomy label(s) missing")
        lines.append(f"{status.lang}: " + "; ".join(parts))
        for item in (*status.articles, *status.releases):
            if item.state == "stale":
                since = f"source changed {item.source_changed}" if item.source_changed else ""
                what = "; ".join(item.changes)
                lines.append(f"  stale    {item.id}  {since}: {what}  ({item.path})")
            elif item.state == "missing":
                lines.append(f"  missing  {item.id}")
        for label in status.labels_missing:
            lines.append(f"  missing  label {label}")
    return "\n".join(lines)
