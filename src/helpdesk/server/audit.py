"""Proving the audit log: every record is a link in its workspace's HMAC chain.

``append_audit`` (``records.py``) stores each record with the previous record's link
(``prev_hash``) and its own (``hash``), an HMAC keyed with a secret derived from the
PIN pepper, which is kept outside the database. ``verify_chain`` walks every workspace's
records in order and names the first one that does not fit: a changed field, a record
removed or moved (the next one no longer points at its predecessor), or a record
without a link after the chain began. Records written before the chain existed (a
database migrated from schema 2) are counted, not judged.

It also checks that the append-only guards are still in place (SQLite's triggers; on
PostgreSQL its triggers), since removing them is how a rewrite at the file would begin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helpdesk.server.records import chain_hash
from helpdesk.storage import Connection

_SQLITE_GUARDS = ("audit_no_update", "audit_no_delete", "audit_insert_only")
_POSTGRES_GUARDS = ("audit_no_change", "audit_no_truncate")


@dataclass
class ChainReport:
    """What ``verify_chain`` found.

    Attributes:
        records: records checked (with a link).
        legacy: records from before the chain, not checkable.
        workspaces: workspaces seen.
        problems: what does not fit, first problem first (empty: the log is intact).
    """

    records: int = 0
    legacy: int = 0
    workspaces: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(conn: Connection, dialect: str, key: bytes) -> ChainReport:
    """Walk every workspace's audit chain; see the module docstring."""
    report = ChainReport()
    report.problems.extend(_missing_guards(conn, dialect))
    rows = conn.execute(
        "SELECT * FROM audit ORDER BY workspace_id, id",
    )
    workspace = ""
    prev = ""
    chained = False
    broken: set[str] = set()
    for row in rows:
        if report.workspaces == 0 or row["workspace_id"] != workspace:
            workspace, prev, chained = str(row["workspace_id"]), "", False
            report.workspaces += 1
        if workspace in broken:
            continue
        where = f"audit record {row['id']} (workspace {workspace}, {row['time']})"
        if row["hash"] is None:
            if chained:
                report.problems.append(f"{where} has no chain link: it was added by hand")
                broken.add(workspace)
            else:
                report.legacy += 1
            continue
        chained = True
        report.records += 1
        if row["prev_hash"] != prev:
            report.problems.append(
                f"{where} does not follow the record before it: a record was removed,"
                " moved or inserted before it"
            )
            broken.add(workspace)
        elif chain_hash(key, prev, row) != row["hash"]:
            report.problems.append(f"{where} was changed after it was written")
            broken.add(workspace)
        prev = row["hash"]
    return report


def _missing_guards(conn: Connection, dialect: str) -> list[str]:
    if dialect == "sqlite":
        found = {
            row["name"]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"
            )
        }
        expected: tuple[str, ...] = _SQLITE_GUARDS
    else:
        found = {
            row["tgname"]
            for row in conn.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit'::regclass"
                " AND tgenabled <> 'D'"
            )
        }
        expected = _POSTGRES_GUARDS
    missing = [name for name in expected if name not in found]
    if not missing:
        return []
    return [f"the audit table's append-only trigger(s) {', '.join(missing)} were removed"]
