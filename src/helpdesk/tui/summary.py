"""The escalation summary: what tier 2 needs, packed from a walk in one key.

Built only from the saved session state (answers, facts, changes applied, the end's
handover list), which the engine has already redacted, so a PIN or an activation
code cannot leak into it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpdesk.tui.widgets.walk_parts import summarize

if TYPE_CHECKING:
    from helpdesk.diagnostics.state import SessionState
    from helpdesk.tui.catalog import Catalog


def escalation_summary(state: SessionState, catalog: Catalog | None) -> str:
    """Markdown for the ticket: the symptom, where the walk stopped, facts and changes."""
    tree = catalog.trees.get(state.tree_id) if catalog is not None else None
    where = tree.label(state.current) if tree is not None else state.current
    lines = [
        f"## Escalation: {state.tree_title}",
        "",
        f"- Session: `{state.id}` (tree `{state.tree_id}` version `{state.tree_version}`)",
        f"- Status: {state.status}"
        + (f", outcome {state.outcome}" if state.outcome else f", stopped at {where}"),
    ]
    if state.message:
        lines.append(f"- Stopped because: {state.message}")
    end = end_record(state.records)
    if end is not None and end.get("to"):
        lines.append(f"- Hand to: {end['to']}")
    lines += ["", "### What the caller told us", ""]
    answers = state.answers()
    if not answers:
        lines.append("- (no answers yet)")
    for node_id, answer in answers.items():
        label = tree.label(node_id) if tree is not None else node_id
        lines.append(f"- {label}: {answer}")
    lines += ["", "### What the access API showed", ""]
    facts = state.facts()
    if not facts:
        lines.append("- (nothing looked up)")
    for fact in facts.values():
        lines.append(
            f"- **{fact.name}** ({fact.source}, {fact.time}): " + "; ".join(summarize(fact.value))
        )
    lines += ["", "### Changes applied", ""]
    lines += [f"- {a['summary']} (audit #{a.get('audit_id')})" for a in state.applied] or ["- none"]
    if end is not None and end.get("handover"):
        lines += ["", "### Hand over", ""]
        lines += [f"- {item}" for item in end["handover"]]
    return "\n".join(lines).rstrip() + "\n"


def end_record(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The walk's ``end`` transcript record (outcome, text, articles, handover), if any."""
    return next((r for r in reversed(records) if r.get("type") == "end"), None)


def save_text(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder/name`` (creating the folder) and return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
