"""Path analytics over saved transcripts: how walks of each tree end.

For each tree: how many walks, the share of each outcome tag (resolution rate),
how many failed or were abandoned (no end record), the end nodes walks reach, the
nodes where abandoned walks stopped, and the median time agents spend per node.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpdesk.diagnostics.model import OUTCOMES
from helpdesk.diagnostics.transcript import read_records, verify_transcript


@dataclass
class TreeStats:
    tree: str
    title: str = ""
    walks: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    abandoned: int = 0
    tampered: int = 0
    ends: Counter[str] = field(default_factory=Counter)
    abandoned_at: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def rate(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.walks if self.walks else 0.0

    def median_seconds(self) -> dict[str, float]:
        return {node: statistics.median(values) for node, values in sorted(self.seconds.items())}

    def to_dict(self) -> dict[str, Any]:
        return {
            "tree": self.tree,
            "title": self.title,
            "walks": self.walks,
            "outcomes": {tag: self.outcomes[tag] for tag in OUTCOMES},
            "resolution_rate": {tag: round(self.rate(tag), 4) for tag in OUTCOMES},
            "failed": self.failed,
            "abandoned": self.abandoned,
            "tampered": self.tampered,
            "ends": dict(self.ends),
            "abandoned_at": dict(self.abandoned_at),
            "median_seconds": self.median_seconds(),
        }


def build_report(folder: Path) -> dict[str, TreeStats]:
    """Aggregate every ``*.jsonl`` transcript under ``folder`` by tree id."""
    stats: dict[str, TreeStats] = {}
    for path in sorted(folder.rglob("*.jsonl")):
        try:
            records = read_records(path)
        except (OSError, ValueError):
            continue
        if not records or records[0].get("type") != "start":
            continue
        start = records[0]
        tree = stats.setdefault(str(start["tree"]), TreeStats(str(start["tree"])))
        tree.title = str(start.get("title", ""))
        tree.walks += 1
        if not verify_transcript(path).ok:
            tree.tampered += 1
        last = records[-1]
        for record in records:
            if isinstance(record.get("seconds"), int | float) and record.get("node"):
                tree.seconds[str(record["node"])].append(float(record["seconds"]))
        if last["type"] == "end":
            tree.outcomes[str(last["outcome"])] += 1
            tree.ends[str(last["node"])] += 1
        elif last["type"] == "failed":
            tree.failed += 1
            tree.ends[f"{last['node']} (failed)"] += 1
        else:
            tree.abandoned += 1
            tree.abandoned_at[str(last.get("node", "start"))] += 1
    return stats


def render_table(stats: dict[str, TreeStats]) -> Any:
    """A rich table of the report (imported lazily: rich is only needed here)."""
    from rich.table import Table

    table = Table(title="Diagnostic trees: how walks end")
    table.add_column("tree")
    table.add_column("walks", justify="right")
    for tag in OUTCOMES:
        table.add_column(tag.replace("_", " "), justify="right")
    table.add_column("failed", justify="right")
    table.add_column("abandoned (at)")
    table.add_column("slowest nodes (median s)")
    for tree in sorted(stats.values(), key=lambda t: t.tree):
        abandoned = f"{tree.abandoned}"
        if tree.abandoned_at:
            abandoned += (
                " (" + ", ".join(f"{n}×{c}" for n, c in tree.abandoned_at.most_common(3)) + ")"
            )
        slow = sorted(tree.median_seconds().items(), key=lambda kv: -kv[1])[:3]
        table.add_row(
            tree.tree,
            str(tree.walks),
            *(f"{tree.rate(tag):.0%}" for tag in OUTCOMES),
            str(tree.failed),
            abandoned,
            ", ".join(f"{n} {s:.0f}" for n, s in slow),
        )
    return table
