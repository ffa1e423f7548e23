"""Transcripts: a hash-chained JSON Lines record of a walk, and a Markdown rendering.

Each record is one JSON object on one line with ``seq``, ``type``, ``time``,
``prev`` (the previous record's hash; 64 zeros for the first) and ``hash`` (SHA-256
of the record's canonical JSON without ``hash``). Editing a line breaks its own hash;
editing it *and* fixing its hash breaks the next line's ``prev``. Either way
:func:`verify_transcript` names the line that was changed. A closed walk ends with a
``close`` record that seals the number of records before it and the last hash, so a
transcript cut after any record has no seal (or a seal that does not fit). A rewrite
with the whole chain recomputed is caught against the access API: each applied write
sent the chain head of that moment, which the server keeps in its audit record
(``transcript verify --api-url``, :func:`heads_to_prove`).

Record types, in walk order: ``start``, ``question`` (ask/input answers), ``gate``
(verify), ``fact`` (a lookup's reply), ``branch``, ``plan``, ``applied``,
``declined``, ``api_error``, ``back``, ``end``, ``failed`` and ``close`` (the seal).
Every record that closes a node carries ``seconds`` spent on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from helpdesk.diagnostics.state import dumps, redact
from helpdesk.diagnostics.templates import moment_text

GENESIS = "0" * 64


def record_hash(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(dumps(body).encode()).hexdigest()


def chain(records: list[dict[str, Any]], type: str, time: str, **fields: Any) -> dict[str, Any]:
    """Append a new record to ``records`` (secrets redacted, hash-linked) and return it."""
    record: dict[str, Any] = {
        "seq": len(records) + 1,
        "type": type,
        "time": time,
        **redact(fields),
        "prev": records[-1]["hash"] if records else GENESIS,
    }
    record["hash"] = record_hash(record)
    records.append(record)
    return record


def record_line(record: Mapping[str, Any]) -> str:
    return dumps(dict(record))


@dataclass(frozen=True)
class Verdict:
    """The result of checking a transcript file.

    ``ok`` means the hash chain is intact; ``sealed`` that it also ends with a ``close``
    record that fits it (nothing was cut off).
    """

    ok: bool
    records: int
    line: int | None = None
    message: str = ""
    sealed: bool = False
    head: str | None = None
    """The last record's hash."""


_NOT_JSON = object()


def _parsed_lines(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed value)`` of every non-blank line; ``_NOT_JSON`` for bad JSON."""
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            try:
                yield number, json.loads(raw)
            except json.JSONDecodeError:
                yield number, _NOT_JSON


def verify_transcript(path: Path) -> Verdict:
    """Check a transcript's hash chain and seal; name the first line that was changed."""
    with path.open(encoding="utf-8") as handle:
        return _verify(_parsed_lines(handle))


def read_and_verify(path: Path) -> tuple[list[dict[str, Any]], Verdict]:
    """Every record of a transcript and its verdict, reading and parsing the file once
    (the trees report reads thousands of them)."""
    parsed = list(_parsed_lines(path.read_text(encoding="utf-8").splitlines()))
    records = [value for _, value in parsed if isinstance(value, dict)]
    return records, _verify(parsed)


def _verify(parsed: Iterable[tuple[int, Any]]) -> Verdict:
    prev = GENESIS
    count = 0
    last: dict[str, Any] | None = None
    for number, record in parsed:
        if record is _NOT_JSON:
            return Verdict(False, count, number, f"line {number} is not JSON")
        if not isinstance(record, dict) or "hash" not in record or "prev" not in record:
            return Verdict(False, count, number, f"line {number} is not a transcript record")
        if record_hash(record) != record["hash"]:
            return Verdict(
                False, count, number, f"line {number} was changed (its hash does not match)"
            )
        if record["prev"] != prev:
            culprit = max(number - 1, 1)
            return Verdict(
                False,
                count,
                culprit,
                f"line {number} does not follow line {culprit}: line {culprit} was changed, "
                "or lines were removed or reordered",
            )
        if last is not None and last.get("type") == "close":
            return Verdict(
                False, count, number, f"line {number} follows the closing record (appended)"
            )
        prev = record["hash"]
        count += 1
        last = record
    if last is None or last.get("type") != "close":
        return Verdict(
            True,
            count,
            None,
            f"{count} record(s), chain intact but NOT sealed: no closing record, so the "
            f"transcript was cut after record {count} or its walk is still open",
            head=prev,
        )
    if last.get("count") != count - 1 or last.get("head") != last.get("prev"):
        return Verdict(
            False,
            count,
            count,
            f"the closing record seals {last.get('count')} record(s) but {count - 1} precede it",
        )
    return Verdict(True, count, None, f"{count} record(s), chain intact, sealed", True, prev)


def heads_to_prove(records: Iterable[Mapping[str, Any]]) -> list[tuple[int, int, str]]:
    """``(line, audit id, chain head)`` for every applied write: the head the write sent
    to the access API (the hash of the record before it), which the server's audit
    record must hold."""
    out: list[tuple[int, int, str]] = []
    previous: str = GENESIS
    for line, record in enumerate(records, start=1):
        if record.get("type") == "applied" and isinstance(record.get("audit_id"), int):
            out.append((line, int(record["audit_id"]), previous))
        previous = str(record.get("hash", ""))
    return out


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a transcript file (unverified)."""
    out: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            if raw.strip():
                record = json.loads(raw)
                if isinstance(record, dict):
                    out.append(record)
    return out


def _value(value: Any) -> str:
    if isinstance(value, dict | list):
        return "`" + json.dumps(value, ensure_ascii=False, default=str) + "`"
    return str(value)


OUTCOME_TITLES = {
    "resolved": "Resolved",
    "workaround": "Worked around",
    "not_our_problem": "Outside support's hands (the customer must act)",
    "escalated": "Escalated",
    "declined": "Fix declined",
    "abandoned": "Abandoned",
}
"""How each outcome tag reads to a person (the tag stays beside it for searches)."""


def _when(value: Any) -> str:
    """``2025-09-15 09:30:12 UTC`` from a record's ISO time (as given when it is not one)."""
    try:
        return moment_text(datetime.fromisoformat(str(value)), seconds=True)
    except ValueError:
        return str(value)


def render_markdown(records: Iterable[Mapping[str, Any]]) -> str:
    """The transcript as Markdown, to paste into the ticket."""
    lines: list[str] = []
    for r in records:
        kind = r.get("type")
        secs = f" ({r['seconds']:.0f}s)" if isinstance(r.get("seconds"), int | float) else ""
        if kind == "start":
            lines += [
                f"## Diagnosis: {r['title']}",
                "",
                f"- Tree: `{r['tree']}` version `{r['version']}`",
                f"- Session: `{r['session']}`, started {_when(r['time'])}",
                "",
                "### Walk",
                "",
            ]
        elif kind == "question":
            lines.append(f"- **{r['prompt']}** — {r['label']}{secs}")
        elif kind == "gate":
            verdict = "confirmed" if r["confirmed"] else "NOT confirmed"
            lines.append(f"- Check: {r['prompt']} — **{verdict}**{secs}")
        elif kind == "fact":
            looked = f"- Looked up `{r['source']}` at {_when(r['time'])}"
            lines.append(f"{looked}: {_value(r['summary'])}")
        elif kind == "branch":
            lines.append(f"- Decided: {r['reason']} → {r['target']}")
        elif kind == "plan":
            lines.append(f"- Proposed change: {r['summary']} (request {_value(r['request'])})")
        elif kind == "applied":
            replay = ", replayed" if r.get("replayed") else ""
            lines.append(f"- **Applied**: {r['summary']} (audit #{r['audit_id']}{replay}){secs}")
        elif kind == "declined":
            lines.append(f"- Declined by the agent: {r['summary']}{secs}")
        elif kind == "api_error":
            lines.append(f"- Access API refused `{r['operation']}`: {r['status']} {r['detail']}")
        elif kind == "back":
            lines.append(f"- Went back to {r['to']}. {r['note']}")
        elif kind == "end":
            lines += _end_lines(r)
        elif kind == "failed":
            lines += ["", f"### Stopped: {r['message']}"]
        elif kind == "close":
            lines += ["", f"Closed {_when(r['time'])}; {r['count']} record(s) sealed."]
    return "\n".join(lines).rstrip() + "\n"


def _end_lines(r: Mapping[str, Any]) -> list[str]:
    tag = str(r["outcome"])
    out = ["", f"### Outcome: {OUTCOME_TITLES.get(tag, tag)} — `{tag}`", "", str(r["text"]), ""]
    if r.get("to"):
        out.append(f"Escalated to **{r['to']}**. Hand over:")
        out += [f"- {item}" for item in r.get("handover", [])]
        out.append("")
    if r.get("articles"):
        out.append("Articles: " + ", ".join(f"`{a}`" for a in r["articles"]))
    if r.get("applied"):
        out.append("Changes applied: " + "; ".join(r["applied"]))
    return out
