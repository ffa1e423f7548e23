"""Settings of the feedback service and of the report that reads its database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from helpdesk.errors import ConfigError
from helpdesk.feedback.limits import RateLimit
from helpdesk.feedback.models import MAX_BODY_BYTES

DB_VARIABLE = "HELPDESK_FEEDBACK_DB"
LIMIT_VARIABLE = "HELPDESK_FEEDBACK_LIMIT"
ORIGINS_VARIABLE = "HELPDESK_FEEDBACK_ORIGINS"
DEFAULT_LIMIT = RateLimit(burst=20, per_second=0.5)
"""A reader votes once per article and searches a few times a minute; 20 at once, then
one every two seconds, leaves them room and stops a script."""


def default_db() -> str:
    """``$HELPDESK_FEEDBACK_DB``, else ``feedback.sqlite3`` in the state folder (the one
    that holds the agents' transcripts: ``$HELPDESK_STATE_DIR`` or the user data folder)."""
    configured = os.environ.get(DB_VARIABLE, "").strip()
    if configured:
        return configured
    from helpdesk.diagnostics.state import default_state_dir

    return str(default_state_dir() / "feedback.sqlite3")


@dataclass(frozen=True)
class FeedbackSettings:
    """What the service needs.

    Attributes:
        db: a SQLite file path or a ``postgresql://`` URL.
        kb_dir: the knowledge base whose articles and languages are accepted.
        limit: per anonymous client (see ``limits.py``).
        origins: browser origins allowed to read the answers (CORS); ``*`` for any.
        max_body_bytes: larger bodies are refused with 413.
    """

    db: str
    kb_dir: Path
    limit: RateLimit = DEFAULT_LIMIT
    origins: tuple[str, ...] = ("*",)
    max_body_bytes: int = MAX_BODY_BYTES

    @classmethod
    def from_env(
        cls, *, db: str | None = None, kb_dir: Path, origins: tuple[str, ...] = ()
    ) -> FeedbackSettings:
        """Settings from the options given and the environment.

        Raises:
            ConfigError: a variable holds a value that cannot be used (names it).
        """
        raw_limit = os.environ.get(LIMIT_VARIABLE, "").strip()
        limit = DEFAULT_LIMIT
        if raw_limit:
            try:
                limit = RateLimit.parse(raw_limit)
            except ValueError:
                raise ConfigError(
                    f"${LIMIT_VARIABLE} is {raw_limit!r}; give BURST/PER_SECOND, e.g. 20/0.5"
                ) from None
        if not origins:
            raw = os.environ.get(ORIGINS_VARIABLE, "").strip()
            origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip()) or ("*",)
        for origin in origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ConfigError(
                    f"allowed origin {origin!r} is not '*' or an http(s) origin such as "
                    "https://help.example.com"
                )
        return cls(db=db or default_db(), kb_dir=kb_dir, limit=limit, origins=origins)
