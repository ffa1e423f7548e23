"""Charts as inline SVG, drawn when the report is built: the page needs no script and
no file from elsewhere, and prints as it shows.

One kind of chart serves every section: horizontal bars, one row per label, each bar
made of stacked parts (yes/no, no result/left, the outcomes of walks).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

ROW = 22
LABEL_WIDTH = 260
BAR_WIDTH = 420
VALUE_WIDTH = 70


@dataclass(frozen=True)
class Part:
    value: float
    kind: str
    """A CSS class naming the colour (``yes``, ``no``, ``none``, ``left``, ...)."""
    label: str


def bar_chart(title: str, rows: list[tuple[str, list[Part]]], *, note: str = "") -> str:
    """A horizontal stacked bar chart.

    Args:
        title: the chart's accessible name (also shown above it).
        rows: ``(label, parts)`` per bar, drawn in order.
        note: a line under the title (e.g. what the colours mean).

    Returns:
        ``<figure>`` markup holding the SVG.
    """
    top = max((sum(p.value for p in parts) for _, parts in rows), default=0) or 1
    height = ROW * max(1, len(rows)) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    out = [
        f'<figure class="chart"><figcaption>{escape(title)}'
        + (f' <span class="note">{escape(note)}</span>' if note else "")
        + "</figcaption>",
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
    ]
    for index, (label, parts) in enumerate(rows):
        y = 4 + index * ROW
        out.append(
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(_short(label))}</text>"
        )
        x = float(LABEL_WIDTH)
        for part in parts:
            if part.value <= 0:
                continue
            w = BAR_WIDTH * part.value / top
            out.append(
                f'<rect class="{escape(part.kind)}" x="{x:.1f}" y="{y + 3}" '
                f'width="{max(w, 1):.1f}" height="{ROW - 6}">'
                f"<title>{escape(label)}: {escape(part.label)} {part.value:g}</title></rect>"
            )
            x += w
        total = sum(p.value for p in parts)
        out.append(f'<text class="value" x="{x + 6:.1f}" y="{y + 15}">{total:g}</text>')
    if not rows:
        out.append(f'<text class="label" x="8" y="18">{escape("nothing to show")}</text>')
    out.append("</svg></figure>")
    return "".join(out)


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
