"""The report as plain text for a terminal: sections a writer reads top to bottom, the
most urgent first in each, at most 100 columns wide."""

from __future__ import annotations

import textwrap

from helpdesk.diagnostics.model import OUTCOMES
from helpdesk.diagnostics.report import TreeStats
from helpdesk.feedback.report.health import HealthReport

WIDTH = 100
SHOWN = 20
"""Rows per section; the JSON and HTML forms hold everything."""


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _heading(title: str) -> list[str]:
    return ["", title, "=" * len(title)]


def render_text(report: HealthReport) -> str:
    """The whole report as text (ends with a newline)."""
    sel = report.selection
    scope = [f"as of {report.today.isoformat()}"]
    if sel.since:
        scope.append(f"feedback since {sel.since.isoformat()}")
    scope.append(f"language {sel.lang}" if sel.lang else "all languages")
    lines = [f"Content health ({', '.join(scope)})"]
    lines += _articles(report)
    lines += _searches(report)
    lines += _reviews(report)
    lines += _translations(report)
    lines += _trees(report)
    return "\n".join(line.rstrip() for line in lines).rstrip() + "\n"


def _more(total: int) -> list[str]:
    return [f"  … and {total - SHOWN} more (see --format json or html)"] if total > SHOWN else []


def _articles(report: HealthReport) -> list[str]:
    lines = _heading(f"Was this helpful? ({_plural(report.votes_total, 'vote')})")
    if not report.articles:
        return [*lines, "No votes yet."]
    lines.append(f"{'yes':>5} {'votes':>6}  {'article':<40} reasons")
    for entry in report.articles[:SHOWN]:
        reasons = ", ".join(f"{r} {n}" for r, n in entry.reasons.most_common())
        lines.append(
            f"{entry.share:>5.0%} {entry.votes:>6}  {_cut(entry.id, 40):<40} {_cut(reasons, 45)}"
        )
        for comment in entry.comments:
            head = f"{comment.at:%Y-%m-%d} {comment.lang}: "
            body = textwrap.wrap(f'"{" ".join(comment.text.split())}"', WIDTH - 16 - len(head))[:2]
            lines.append(f"{'':14}{head}{body[0] if body else ''}")
            lines += [f"{'':14}{'':{len(head)}}{rest}" for rest in body[1:]]
    return lines + _more(len(report.articles))


def _searches(report: HealthReport) -> list[str]:
    failed = sum(g.group.count for g in report.searches)
    lines = _heading(
        f"Searches that found nothing or were left ({failed} of {report.searches_total})"
    )
    if not report.searches:
        return [*lines, "None."]
    lines.append(f"{'lang':<4} {'count':>5} {'none':>5} {'left':>5}  {'query':<34} nearest article")
    for gap in report.searches[:SHOWN]:
        g = gap.group
        if not gap.looked_up:
            nearest = ""
        elif gap.nearest is None:
            nearest = "none (missing article?)"
        else:
            nearest = f"{gap.nearest[0]} (missing synonym?)"
        variants = len(g.wordings) - 1
        label = g.label + (f" (+{variants} similar)" if variants else "")
        lines.append(
            f"{g.lang:<4} {g.count:>5} {g.no_results:>5} {g.abandoned:>5}  "
            f"{_cut(label, 34):<34} {_cut(nearest, 40)}"
        )
    return lines + _more(len(report.searches))


def _reviews(report: HealthReport) -> list[str]:
    lines = _heading(f"Past their review date ({len(report.reviews)})")
    if not report.reviews:
        return [*lines, "None."]
    for due in report.reviews[:SHOWN]:
        lines.append(
            f"{due.review_by.isoformat()}  {due.days_over:>4} days over  "
            f"{_cut(due.id, 30):<30} {_cut(due.title, 40)}"
        )
    return lines + _more(len(report.reviews))


def _translations(report: HealthReport) -> list[str]:
    if report.translations is None:
        return [*_heading("Translations"), "The knowledge base has one language."]
    lines = _heading(f"Stale or missing translations ({len(report.translations)})")
    if not report.translations:
        return [*lines, "None: every translation is current."]
    for gap in report.translations[:SHOWN]:
        since = f" (source changed {gap.source_changed.isoformat()})" if gap.source_changed else ""
        lines.append(f"{gap.lang:<4} {gap.state:<8} {_cut(gap.id, 36):<36}{since}")
    return lines + _more(len(report.translations))


def _trees(report: HealthReport) -> list[str]:
    lines = _heading(f"Diagnostic trees ({_plural(sum(t.walks for t in report.trees), 'walk')})")
    if not report.trees:
        where = f" in {report.transcripts_dir}" if report.transcripts_dir else ""
        return [*lines, f"No transcripts{where}."]
    for tree in report.trees:
        lines += ["", f"{tree.tree} ({_plural(tree.walks, 'walk')})"]
        lines.append("  " + ", ".join(f"{label} {n}" for label, n in tree_outcomes(tree)))
        if tree.abandoned_at:
            drops = ", ".join(f"{node} {n}" for node, n in tree.abandoned_at.most_common(5))
            lines.append(f"  lost at: {_cut(drops, WIDTH - 11)}")
        medians = sorted(tree.median_seconds().items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        if medians:
            slow = ", ".join(f"{node} {seconds:.0f}s" for node, seconds in medians)
            lines.append(f"  median time: {_cut(slow, WIDTH - 15)}")
    return lines


def tree_outcomes(tree: TreeStats) -> list[tuple[str, int]]:
    """How walks ended: each outcome tag, then declined, failed and abandoned walks."""
    counts = [(tag.replace("_", " "), tree.outcomes[tag]) for tag in OUTCOMES]
    declined = getattr(tree, "declined", None)
    if isinstance(declined, int):
        counts.append(("declined", declined))
    counts += [("failed", tree.failed), ("abandoned", tree.abandoned)]
    return counts
