"""Path analytics over saved transcripts: how walks of each tree version really end.

For each tree *version* (the content hash a walk started on, so a revised tree is not
credited with its predecessor's results): how many walks, how many ended in each way —
``resolved``, ``workaround``, ``not_our_problem``, ``escalated``, ``declined`` (the
agent declined a fix on the way; never counted as resolved), ``failed`` and
``abandoned`` (no end: the walk was left, or stepped back from its end and left) —,
the drop-off per node (of the walks that reached a node, how many were abandoned
there) and the median time agents spend per node.

A walk's outcome is read from its records as the engine wrote them: the last ``end``
not undone by a later ``back``. Older transcripts, written before the engine recorded
``declined`` itself, are read with the same rule.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpdesk.diagnostics.model import WALK_OUTCOMES
from helpdesk.diagnostics.transcript import read_and_verify

ENDINGS: tuple[str, ...] = (*WALK_OUTCOMES, "failed", "abandoned")
"""Every way a walk is counted, in report order."""


@dataclass
class TreeStats:
    tree: str
    version: str = ""
    title: str = ""
    walks: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    tampered: int = 0
    ends: Counter[str] = field(default_factory=Counter)
    reached: Counter[str] = field(default_factory=Counter)
    abandoned_at: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def failed(self) -> int:
        return self.outcomes["failed"]

    @property
    def abandoned(self) -> int:
        return self.outcomes["abandoned"]

    def rate(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.walks if self.walks else 0.0

    def median_seconds(self) -> dict[str, float]:
        return {node: statistics.median(values) for node, values in sorted(self.seconds.items())}

    def drop_off(self) -> dict[str, dict[str, float | int]]:
        """Per node where walks were abandoned: reached, abandoned there, and the share."""
        return {
            node: {
                "reached": self.reached[node],
                "abandoned": count,
                "rate": round(count / self.reached[node], 4) if self.reached[node] else 1.0,
            }
            for node, count in sorted(self.abandoned_at.items())
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "tree": self.tree,
            "version": self.version,
            "title": self.title,
            "walks": self.walks,
            "outcomes": {tag: self.outcomes[tag] for tag in ENDINGS},
            "resolution_rate": {tag: round(self.rate(tag), 4) for tag in ENDINGS},
            "failed": self.failed,
            "abandoned": self.abandoned,
            "tampered": self.tampered,
            "ends": dict(self.ends),
            "drop_off": self.drop_off(),
            "median_seconds": self.median_seconds(),
        }


def walk_outcome(records: Sequence[Mapping[str, Any]]) -> tuple[str, str | None]:
    """How one walk ended, and at which node: ``(outcome, node)``.

    The last ``end`` (or ``failed``) that no later ``back`` undid; a fix declined since
    the last ``back`` makes a non-escalating end ``declined``; no end is ``abandoned`` at
    the node of the last record.
    """
    final: tuple[str, str | None] | None = None
    declined = False
    last_node: str | None = None
    for record in records:
        kind = record.get("type")
        if record.get("node") and kind != "close":
            last_node = str(record["node"])
        if kind == "back":
            final, declined = None, False
        elif kind == "declined":
            declined = True
        elif kind == "end":
            outcome = str(record.get("outcome"))
            if declined and outcome not in ("escalated", "declined"):
                outcome = "declined"
            final = (outcome, str(record.get("node")))
        elif kind == "failed":
            final = ("failed", str(record.get("node")))
    return final if final is not None else ("abandoned", last_node or "start")


def build_report(folder: Path) -> dict[tuple[str, str], TreeStats]:
    """Aggregate every ``*.jsonl`` transcript under ``folder`` by tree id and version."""
    stats: dict[tuple[str, str], TreeStats] = {}
    for path in sorted(folder.rglob("*.jsonl")):
        try:
            records, verdict = read_and_verify(path)
        except (OSError, ValueError):  # unreadable, or not UTF-8
            continue
        if not records or records[0].get("type") != "start":
            continue
        start = records[0]
        key = (str(start["tree"]), str(start.get("version", "")))
        tree = stats.setdefault(key, TreeStats(key[0], key[1]))
        tree.title = str(start.get("title", ""))
        tree.walks += 1
        if not verdict.ok:
            tree.tampered += 1
        seen: set[str] = set()
        for record in records:
            node = record.get("node")
            if node and record.get("type") not in ("close", "back"):
                seen.add(str(node))
            if isinstance(record.get("seconds"), int | float) and node:
                tree.seconds[str(node)].append(float(record["seconds"]))
        tree.reached.update(seen)
        outcome, where = walk_outcome(records)
        tree.outcomes[outcome] += 1
        if outcome == "abandoned":
            tree.abandoned_at[str(where)] += 1
            if where is not None and where not in seen:
                tree.reached[where] += 1
        else:
            tree.ends[f"{where} (failed)" if outcome == "failed" else str(where)] += 1
    return stats


_SHORT = {"not_our_problem": "not ours", "workaround": "worked around", "abandoned": "left"}


def render_table(stats: Mapping[tuple[str, str], TreeStats]) -> Any:
    """A rich table of the report (imported lazily: rich is only needed here)."""
    from rich.table import Table

    table = Table(title="Diagnostic trees: how walks end, per tree version")
    table.add_column("tree @ version", no_wrap=True)
    table.add_column("walks", justify="right")
    for tag in ENDINGS:
        table.add_column(_SHORT.get(tag, tag), justify="right")
    table.add_column("drop-off (node: abandoned/reached)")
    table.add_column("slowest nodes (median s)")
    for tree in sorted(stats.values(), key=lambda t: (t.tree, t.version)):
        drops = sorted(tree.drop_off().items(), key=lambda kv: -int(kv[1]["abandoned"]))[:3]
        slow = sorted(tree.median_seconds().items(), key=lambda kv: -kv[1])[:3]
        table.add_row(
            f"{tree.tree} @ {tree.version[:8]}",
            str(tree.walks),
            *(str(tree.outcomes[tag]) for tag in ENDINGS),
            ", ".join(f"{n}: {d['abandoned']}/{d['reached']}" for n, d in drops) or "—",
            ", ".join(f"{n} {s:.0f}" for n, s in slow),
        )
    return table
