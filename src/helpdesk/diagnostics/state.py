"""What a walk remembers, and how it is kept on disk so an interrupted walk resumes.

After every step the engine writes the whole :class:`SessionState` to
``<state dir>/<session id>.json`` (atomically: a temporary file, fsync, rename), then
appends the transcript records that file does not hold yet to
``<session id>.jsonl``. The state file is the source of truth: if the process dies
between the two writes, the next save or resume appends the missing records, so the
transcript never loses a step and never holds one twice.

Secrets (a generated PIN, an activation code) are handed to the agent in memory and
are redacted from everything that reaches this module.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from helpdesk._files import atomic_write
from helpdesk.errors import DiagnosticError

SECRET_KEYS = frozenset({"pin", "activation_code", "token"})
"""Keys whose values are shown once and never stored."""
REDACTED = "[shown once, not stored]"
_SESSION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{5,63}$")

Status = Literal["active", "finished", "failed"]


def default_state_dir() -> Path:
    """``$HELPDESK_STATE_DIR``, else the user's data folder ``helpdesk/sessions``."""
    override = os.environ.get("HELPDESK_STATE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("helpdesk")) / "sessions"


def redact(value: Any) -> Any:
    """A copy of ``value`` with every secret-named field replaced by a placeholder."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if k in SECRET_KEYS and v is not None else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class _Stored(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fact(_Stored):
    """A value learned from the access API, with where and when it came from."""

    name: str
    value: Any
    source: str
    """The call that produced it, e.g. ``find_user_by_email(email='a@b.example')``."""
    node: str
    time: str
    """ISO 8601 time of the call, from the session's clock."""


class Plan(_Stored):
    """A change the engine will make once the agent confirms it (from the API's dry run)."""

    node: str
    operation: str
    prompt: str
    """The tree's own words for the change."""
    summary: str
    """The API's one-sentence description of the change."""
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request: dict[str, Any]
    """The exact request: operation, parameters and idempotency key."""
    idempotency_key: str


class Step(_Stored):
    """One visit to one node."""

    node: str
    kind: str
    entered_at: str
    left_at: str | None = None
    answer: Any = None
    """The choice, input or gate decision (``confirmed``/``refused``/``declined``)."""
    facts: dict[str, Fact] = Field(default_factory=dict)
    """Facts this step set (lookups, action results, errors)."""


class SessionState(_Stored):
    """Everything needed to resume a walk exactly where it stopped."""

    id: str
    tree_id: str
    tree_version: str
    tree_title: str
    status: Status = "active"
    current: str
    steps: list[Step] = Field(default_factory=list)
    """Completed steps in walk order (``back`` removes the ones after the target)."""
    entered_at: str
    """When the current node was entered."""
    plan: Plan | None = None
    plans_made: dict[str, int] = Field(default_factory=dict)
    """Per action node, how many plans were made (part of the idempotency key)."""
    applied: list[dict[str, Any]] = Field(default_factory=list)
    """Every change applied in this session, even ones ``back`` walked past."""
    outcome: str | None = None
    message: str | None = None
    """Why a failed walk stopped."""
    records: list[dict[str, Any]] = Field(default_factory=list)
    """The hash-chained transcript records (the .jsonl file mirrors them)."""
    closed: bool = False
    """Sealed by a ``close`` record: no step back, nothing more is recorded."""
    context: dict[str, str] = Field(default_factory=dict)
    """The call the walk belongs to: ``ticket``, ``caller`` (email), ``language``."""

    def answers(self) -> dict[str, Any]:
        return {
            s.node: s.answer
            for s in self.steps
            if s.kind in ("ask", "input") and s.answer is not None
        }

    def facts(self) -> dict[str, Fact]:
        out: dict[str, Fact] = {}
        for step in self.steps:
            out.update(step.facts)
        return out


class SessionStore:
    """A folder of saved sessions: ``<id>.json`` (state) and ``<id>.jsonl`` (transcript)."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_state_dir()

    def state_path(self, session_id: str) -> Path:
        if not _SESSION_ID.match(session_id):
            raise DiagnosticError(f"'{session_id}' is not a session id")
        return self.folder / f"{session_id}.json"

    def transcript_path(self, session_id: str) -> Path:
        return self.state_path(session_id).with_suffix(".jsonl")

    def save(self, state: SessionState) -> None:
        """Write the state atomically, then bring the transcript file up to date."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.state_path(state.id)
        atomic_write(path, state.model_dump_json(indent=1))
        self.sync_transcript(state)

    def sync_transcript(self, state: SessionState) -> None:
        from helpdesk.diagnostics.transcript import record_line

        path = self.transcript_path(state.id)
        existing = _count_lines(path)
        missing = state.records[existing:]
        if not missing:
            return
        with path.open("a", encoding="utf-8") as handle:
            for record in missing:
                handle.write(record_line(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def load(self, session_id: str) -> SessionState:
        """Read a saved session.

        Raises:
            DiagnosticError: no such session, or the file cannot be read.
        """
        path = self.state_path(session_id)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DiagnosticError(f"no saved session '{session_id}' in {self.folder}") from None
        try:
            return SessionState.model_validate_json(raw)
        except ValueError as exc:
            raise DiagnosticError(f"saved session {path} cannot be read: {exc}") from None

    def sessions(self) -> Iterator[SessionState]:
        """Every readable saved session, newest file first."""
        if not self.folder.is_dir():
            return
        paths = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in paths:
            try:
                yield SessionState.model_validate_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
