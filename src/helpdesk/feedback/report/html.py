"""The report as one self-contained HTML page: inline CSS, SVG charts drawn at build
time, no script and no request to anywhere, so it opens from a file or an e-mail."""

from __future__ import annotations

from html import escape

from helpdesk.feedback.models import REASONS
from helpdesk.feedback.report.charts import Part, bar_chart
from helpdesk.feedback.report.health import HealthReport
from helpdesk.feedback.report.text import tree_outcomes

CHART_ROWS = 15

_CSS = """
:root { color-scheme: light dark; --fg: #1b1b1f; --bg: #fff; --muted: #555; --line: #ccc; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e6ea; --bg: #18181b; --muted: #aaa;
  --line: #444; } }
body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted, .note { color: var(--muted); font-size: .9em; }
blockquote { margin: .2rem 0; padding-left: .6rem; border-left: 3px solid var(--line); }
figure.chart { margin: 1rem 0; overflow-x: auto; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg text { fill: var(--fg); font-size: 12px; }
rect.yes, rect.resolved, rect.workaround { fill: #2e7d32; }
rect.no, rect.escalated, rect.none { fill: #c62828; } rect.left, rect.abandoned { fill: #ef8f00; }
rect.reason, rect.drop { fill: #3949ab; } rect.not_our_problem, rect.declined { fill: #6d6d6d; }
rect.failed { fill: #8e24aa; }
"""


def render_html(report: HealthReport) -> str:
    """The whole page."""
    sel = report.selection
    scope = [f"as of {report.today.isoformat()}"]
    if sel.since:
        scope.append(f"feedback since {sel.since.isoformat()}")
    scope.append(f"language {sel.lang}" if sel.lang else "all languages")
    body = [
        f"<h1>Content health</h1><p class=muted>{escape(', '.join(scope))}</p>",
        _articles(report),
        _searches(report),
        _reviews(report),
        _translations(report),
        _trees(report),
    ]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Content health report</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _articles(report: HealthReport) -> str:
    out = [f'<section id="votes"><h2>Was this helpful? ({report.votes_total} votes)</h2>']
    if not report.articles:
        return out[0] + "<p>No votes yet.</p></section>"
    rows = [
        (a.title, [Part(a.yes, "yes", "yes"), Part(a.no, "no", "no")])
        for a in report.articles[:CHART_ROWS]
    ]
    out.append(bar_chart("Votes per article, least helpful first", rows, note="green yes, red no"))
    reasons = {r: sum(a.reasons[r] for a in report.articles) for r in REASONS}
    out.append(
        bar_chart(
            "Why readers said no",
            [(r, [Part(n, "reason", "votes")]) for r, n in reasons.items()],
        )
    )
    out.append(
        "<table><thead><tr><th>article</th><th class=n>votes</th><th class=n>yes</th>"
        "<th>reasons</th><th>latest comments</th></tr></thead><tbody>"
    )
    for a in report.articles:
        reasons_text = ", ".join(f"{r} {n}" for r, n in a.reasons.most_common())
        comments = "".join(
            f"<blockquote>{escape(c.text)} <span class=muted>{c.at:%Y-%m-%d} "
            f"{escape(c.lang)}</span></blockquote>"
            for c in a.comments
        )
        out.append(
            f"<tr><td>{escape(a.title)}<br><span class=muted>{escape(a.id)}</span></td>"
            f"<td class=n>{a.votes}</td><td class=n>{a.share:.0%}</td>"
            f"<td>{escape(reasons_text)}</td><td>{comments}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _searches(report: HealthReport) -> str:
    failed = sum(g.group.count for g in report.searches)
    out = [
        f'<section id="searches"><h2>Searches that found nothing or were left '
        f"({failed} of {report.searches_total})</h2>"
    ]
    if not report.searches:
        return out[0] + "<p>None.</p></section>"
    rows = [
        (
            f"{g.group.lang} · {g.group.label}",
            [
                Part(g.group.no_results, "none", "no result"),
                Part(g.group.abandoned, "left", "left without opening a result"),
            ],
        )
        for g in report.searches[:CHART_ROWS]
    ]
    out.append(
        bar_chart(
            "Failed searches by wording",
            rows,
            note="red: no result, orange: left without opening one",
        )
    )
    out.append(
        "<table><thead><tr><th>lang</th><th>query (and similar wordings)</th>"
        "<th class=n>searches</th><th class=n>no result</th><th class=n>left</th>"
        "<th>nearest article</th></tr></thead><tbody>"
    )
    for gap in report.searches:
        g = gap.group
        others = [w for w, _ in g.wordings.most_common() if w != g.label][:4]
        similar = f"<br><span class=muted>{escape(', '.join(others))}</span>" if others else ""
        if not gap.looked_up:
            nearest = ""
        elif gap.nearest is None:
            nearest = "none <span class=muted>(a missing article?)</span>"
        else:
            nearest = (
                f"{escape(gap.nearest[1])} <span class=muted>({escape(gap.nearest[0])}: "
                "a missing synonym?)</span>"
            )
        out.append(
            f"<tr><td>{escape(g.lang)}</td><td>{escape(g.label)}{similar}</td>"
            f"<td class=n>{g.count}</td><td class=n>{g.no_results}</td>"
            f"<td class=n>{g.abandoned}</td><td>{nearest}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _reviews(report: HealthReport) -> str:
    out = [f'<section id="reviews"><h2>Past their review date ({len(report.reviews)})</h2>']
    if not report.reviews:
        return out[0] + "<p>None.</p></section>"
    out.append(
        "<table><thead><tr><th>review by</th><th class=n>days over</th><th>article</th>"
        "</tr></thead><tbody>"
    )
    for due in report.reviews:
        out.append(
            f"<tr><td>{due.review_by.isoformat()}</td><td class=n>{due.days_over}</td>"
            f"<td>{escape(due.title)} <span class=muted>{escape(due.id)}</span></td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _translations(report: HealthReport) -> str:
    if report.translations is None:
        return (
            '<section id="translations"><h2>Translations</h2>'
            "<p>The knowledge base has one language.</p></section>"
        )
    out = [
        f'<section id="translations"><h2>Stale or missing translations '
        f"({len(report.translations)})</h2>"
    ]
    if not report.translations:
        return out[0] + "<p>None: every translation is current.</p></section>"
    out.append(
        "<table><thead><tr><th>lang</th><th>state</th><th>article</th>"
        "<th>source changed</th></tr></thead><tbody>"
    )
    for gap in report.translations:
        changed = gap.source_changed.isoformat() if gap.source_changed else ""
        out.append(
            f"<tr><td>{escape(gap.lang)}</td><td>{escape(gap.state)}</td>"
            f"<td>{escape(gap.title)} <span class=muted>{escape(gap.id)}</span></td>"
            f"<td>{changed}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _trees(report: HealthReport) -> str:
    walks = sum(t.walks for t in report.trees)
    out = [f'<section id="trees"><h2>Diagnostic trees ({walks} walks)</h2>']
    if not report.trees:
        return out[0] + "<p>No transcripts.</p></section>"
    kinds = {"resolved": "resolved", "workaround": "workaround", "escalated": "escalated"}
    rows = [
        (
            t.tree,
            [
                Part(n, kinds.get(label, label.replace(" ", "_")), label)
                for label, n in tree_outcomes(t)
            ],
        )
        for t in report.trees
    ]
    out.append(
        bar_chart(
            "How walks end, per tree",
            rows,
            note="green resolved or workaround, red escalated, orange abandoned",
        )
    )
    for tree in report.trees:
        title = escape(tree.title or tree.tree)
        out.append(f"<h3>{title} <span class=muted>{escape(tree.tree)}</span></h3>")
        if tree.abandoned_at:
            drop_rows = [
                (node, [Part(n, "drop", "walks abandoned here")])
                for node, n in tree.abandoned_at.most_common(CHART_ROWS)
            ]
            out.append(bar_chart(f"{tree.tree}: where walks were abandoned", drop_rows))
        medians = tree.median_seconds()
        if medians:
            out.append(
                "<table><thead><tr><th>node</th><th class=n>median seconds</th></tr></thead><tbody>"
            )
            for node, seconds in sorted(medians.items(), key=lambda kv: (-kv[1], kv[0])):
                out.append(f"<tr><td>{escape(node)}</td><td class=n>{seconds:.0f}</td></tr>")
            out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)
