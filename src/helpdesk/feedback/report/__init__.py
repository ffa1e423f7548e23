"""The writers' content health report: ``build_health`` gathers, a renderer formats.

report = build_health(kb, store, selection=..., today=..., transcripts_dir=..., nearest=...)
render_text(report) · render_html(report) · json.dumps(report.to_dict())
"""

from helpdesk.feedback.report.health import HealthReport, build_health, search_nearest
from helpdesk.feedback.report.html import render_html
from helpdesk.feedback.report.text import render_text

__all__ = ["HealthReport", "build_health", "render_html", "render_text", "search_nearest"]
