"""Proving a transcript against the access API's audit log.

A transcript's hash chain shows that no line was changed by itself, but whoever holds
the file can rewrite it and recompute every hash. Each applied write, though, sent the
chain head of that moment (``transcript_head``) to the access API, which keeps it in
the audit record of the write. A rewritten transcript cannot reproduce those heads:
every ``applied`` record's predecessor must hash to what the server recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpdesk.diagnostics.transcript import heads_to_prove

AUDIT_PAGE = 200


@dataclass(frozen=True)
class Proof:
    """What the server confirmed: ``proven`` writes, and a problem per line that failed."""

    proven: int
    problems: list[tuple[int, str]]

    @property
    def ok(self) -> bool:
        return not self.problems


async def prove(records: Sequence[Mapping[str, Any]], client: Any) -> Proof:
    """Check every applied write of ``records`` against the server's audit record.

    Raises:
        AccessError: the access API could not be asked (unreachable, token refused).
    """
    wanted = heads_to_prove(records)
    subjects = {str(records[line - 1].get("subject") or "") for line, _, _ in wanted}
    audit: dict[int, Any] = {}
    for subject in sorted(subjects):
        page = await client.list_audit(subject=subject or None, limit=AUDIT_PAGE)
        audit.update({item.id: item for item in page.items})
    problems: list[tuple[int, str]] = []
    proven = 0
    for line, audit_id, head in wanted:
        item = audit.get(audit_id)
        if item is None:
            problems.append((line, f"audit record #{audit_id} is not in this workspace's log"))
            continue
        recorded = getattr(item, "transcript_head", None)
        if recorded is None:
            problems.append(
                (line, f"audit record #{audit_id} holds no transcript head to prove it with")
            )
        elif recorded != head:
            problems.append(
                (
                    line,
                    f"rewritten: the write of line {line} (audit #{audit_id}) was sent chain "
                    f"head {recorded[:12]}…, the transcript now leads to {head[:12]}…",
                )
            )
        else:
            proven += 1
    return Proof(proven, problems)
