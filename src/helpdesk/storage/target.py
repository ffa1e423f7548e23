"""Where a database lives: a file path (SQLite) or a ``postgresql://`` URL.

A value that looks like a URL is never taken for a file name: ``postgresql://…`` and
``postgres://…`` open PostgreSQL, ``sqlite:///path`` names a file explicitly, and any
other scheme (``mysql://…``, a mistyped ``postgresq://…``) is refused with a message,
instead of creating folders called ``mysql:`` beside the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from helpdesk.errors import ConfigError

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):/")
_POSTGRES = ("postgresql", "postgres")


@dataclass(frozen=True)
class SqliteTarget:
    """A SQLite database file."""

    path: Path

    def describe(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class PostgresTarget:
    """A PostgreSQL database, by libpq connection URL."""

    url: str

    def describe(self) -> str:
        """The URL without its password, for messages and logs."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))


Target = SqliteTarget | PostgresTarget


def parse_target(value: str | Path) -> Target:
    """The database named by ``value``: a path, ``sqlite:///path`` or a PostgreSQL URL.

    Raises:
        ConfigError: an empty value, or a URL of a scheme other than postgresql/sqlite.
    """
    if isinstance(value, Path):
        text = str(value)
        # Path("postgresql://h/db") reads as "postgresql:/h/db": still a URL, not a file.
        if _SCHEME.match(text):
            return _from_url(text.replace(":/", "://", 1) if "://" not in text else text)
        return SqliteTarget(value)
    text = value.strip()
    if not text:
        raise ConfigError("the database is empty: give a file path or a postgresql:// URL")
    if _SCHEME.match(text):
        return _from_url(text)
    return SqliteTarget(Path(text))


def _from_url(text: str) -> Target:
    match = _SCHEME.match(text)
    assert match is not None
    scheme = match["scheme"].lower()
    if scheme in _POSTGRES:
        return PostgresTarget(text)
    if scheme == "sqlite":
        path = text[len("sqlite://") :] if text.startswith("sqlite://") else text[len("sqlite:") :]
        if not path or path == "/":
            raise ConfigError(f"{text!r} names no file; write sqlite:///path/to/file.sqlite3")
        return SqliteTarget(Path(path))
    raise ConfigError(
        f"unsupported database URL scheme {scheme!r} in {text.split('@')[-1]!r}: give a file "
        "path (SQLite) or a postgresql:// URL"
    )
