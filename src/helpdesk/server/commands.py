"""``helpdesk access-api serve|seed|token|openapi``."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from helpdesk.access.models import SCOPES
from helpdesk.cli import handle_errors
from helpdesk.errors import ConfigError, HelpdeskError
from helpdesk.server.settings import Settings

if TYPE_CHECKING:
    from helpdesk.server.store import AccessStore

OPENAPI_PATH = Path("docs/access-api.openapi.json")
DEFAULT_TOKEN_LIFETIME = "90d"
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_duration(text: str) -> timedelta | None:
    """``90d``, ``12h``, ``30m`` as a timedelta; ``never`` as None.

    Raises:
        ConfigError: anything else, or a duration of zero.
    """
    value = text.strip().lower()
    if value == "never":
        return None
    number, unit = value[:-1], value[-1:]
    if unit not in _UNITS or not number.isdigit() or int(number) == 0 or int(number) > 36500:
        raise ConfigError(
            f"--expires-in {text!r}: write a number and d, h or m (e.g. 90d, 12h), or 'never'"
        )
    return timedelta(**{_UNITS[unit]: int(number)})


def _db_option(func: click.decorators.FC) -> click.decorators.FC:
    # A plain string: click.Path would turn postgresql://h/db into postgresql:/h/db.
    return click.option(
        "--db",
        "db_path",
        metavar="PATH|URL",
        default=lambda: os.environ.get("HELPDESK_ACCESS_DB", "access-api.sqlite3"),
        show_default="./access-api.sqlite3 or $HELPDESK_ACCESS_DB",
        help="The access API's database: a SQLite file, or a postgresql:// URL.",
    )(func)


@click.group("access-api")
def access_api() -> None:
    """Run and administer the reference access API."""


@access_api.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes; more than one needs a PostgreSQL database.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Also serve the demo-only routes (recording failed logins for the lockout demo).",
)
@handle_errors
def serve(db_path: str, host: str, port: int, workers: int, demo: bool) -> None:
    """Serve the access API (loopback only unless --host says otherwise)."""
    from helpdesk.server.live import serve as run

    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(f"warning: listening on {host}, beyond this machine", err=True)
    # The workers read their settings from the environment: give them these.
    os.environ["HELPDESK_ACCESS_DB"] = db_path
    if demo:
        os.environ["HELPDESK_ACCESS_DEMO"] = "1"
    run(Settings.from_env(db_path), host=host, port=port, workers=workers)


@access_api.command()
@_db_option
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the demo token to this file (mode 0600).",
)
@handle_errors
def seed(db_path: str, token_file: Path | None) -> None:
    """Create the demo workspace (idempotent) and print a new demo token."""
    from helpdesk.server.app import create_app
    from helpdesk.server.seed import WORKSPACE_ID, WORKSPACE_NAME, create_demo_token
    from helpdesk.server.seed import seed as run_seed

    settings = Settings.from_env(db_path)
    state = create_app(settings).state.access
    now = settings.clock()
    run_seed(state.store, state.hasher, now)
    token = create_demo_token(state.store, now)
    if token_file is not None:
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
    click.echo(f"seeded {WORKSPACE_NAME} ({WORKSPACE_ID}) in {db_path}", err=True)
    click.echo(token)


@access_api.group()
def token() -> None:
    """Manage bearer tokens."""


@token.command("create")
@_db_option
@click.option("--workspace", required=True, help="Workspace id, e.g. ws_aurora.")
@click.option(
    "--scopes",
    required=True,
    help=f"Comma-separated scopes: {', '.join(SCOPES)}.",
)
@click.option("--name", default="cli", show_default=True, help="A label for the token.")
@click.option(
    "--expires-in",
    default=DEFAULT_TOKEN_LIFETIME,
    show_default=True,
    metavar="DURATION",
    help="How long the token works: e.g. 90d, 12h, 30m, or 'never'.",
)
@handle_errors
def token_create(db_path: str, workspace: str, scopes: str, name: str, expires_in: str) -> None:
    """Create a token and print it once; only its hash is stored."""
    from helpdesk.server.security import create_token

    lifetime = parse_duration(expires_in)

    wanted = [s.strip() for s in scopes.replace(" ", ",").split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(SCOPES))
    if not wanted or unknown:
        raise ConfigError(f"unknown scope(s): {', '.join(unknown) or '(none given)'}")
    store = _existing_store(db_path)
    settings = Settings.from_env(db_path)
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM workspaces WHERE id = ?", (workspace,)).fetchone() is None:
            raise HelpdeskError(f"no workspace {workspace!r} in {db_path}")
        now = settings.clock()
        expires = None if lifetime is None else now + lifetime
        token_id, secret = create_token(
            conn, workspace_id=workspace, scopes=wanted, name=name, now=now, expires_at=expires
        )
    store.close()
    until = "never expires" if expires is None else f"expires {expires:%Y-%m-%d %H:%M} UTC"
    click.echo(
        f"token {token_id} for {workspace} ({', '.join(wanted)}), {until}; shown only once:",
        err=True,
    )
    click.echo(secret)


def _existing_store(db_path: str) -> AccessStore:
    from helpdesk.server.store import open_store  # imported late: CLI start-up stays fast
    from helpdesk.storage import SqliteTarget, parse_target

    target = parse_target(db_path)
    if isinstance(target, SqliteTarget) and not target.path.is_file():
        raise HelpdeskError(
            f"no database at {db_path}; create one with `helpdesk access-api seed --db {db_path}`"
        )
    store = open_store(db_path, pool_size=2)
    store.migrate()
    return store


@token.command("list")
@_db_option
@handle_errors
def token_list(db_path: str) -> None:
    """List tokens: id, workspace, scopes, name, created, revoked (never a secret)."""
    store = _existing_store(db_path)
    with store.reading() as conn:
        rows = conn.execute(
            "SELECT id, workspace_id, name, scopes, created_at, revoked_at, expires_at"
            " FROM tokens ORDER BY created_at"
        ).fetchall()
    store.close()
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        if row["expires_at"] and not row["revoked_at"]:
            state += f", expires {row['expires_at']}"
        scopes = ",".join(json.loads(row["scopes"]))
        click.echo(
            f"{row['id']}  {row['workspace_id']}  {scopes}  {row['name']!r}"
            f"  created {row['created_at']}  {state}"
        )


@token.command("revoke")
@_db_option
@click.argument("token_id")
@handle_errors
def token_revoke(db_path: str, token_id: str) -> None:
    """Revoke a token by its id (tok_…). A running server refuses its writes from the
    next request on and its reads within a second (its token cache)."""
    store = _existing_store(db_path)
    settings = Settings.from_env(db_path)
    with store.write() as conn:
        row = conn.execute("SELECT revoked_at FROM tokens WHERE id = ?", (token_id,)).fetchone()
        if row is None:
            raise HelpdeskError(
                f"no token {token_id!r} in {db_path}; `helpdesk access-api token list` shows them"
            )
        if row["revoked_at"] is None:
            conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ?",
                (settings.clock().isoformat(), token_id),
            )
    store.close()
    if row["revoked_at"] is None:
        click.echo(
            f"revoked {token_id}: a running server refuses its writes at once and its reads"
            " within a second",
            err=True,
        )
    else:
        click.echo(f"{token_id} was already revoked at {row['revoked_at']}", err=True)


@access_api.group()
def audit() -> None:
    """Check the audit log."""


@audit.command("verify")
@_db_option
@handle_errors
def audit_verify(db_path: str) -> None:
    """Walk every workspace's audit chain; name the first record that does not fit (exit 1).

    Needs the server's PIN pepper (HELPDESK_PIN_PEPPER, or the file beside a SQLite
    database): the chain is keyed with it, so nobody without it can rewrite history.
    """
    from helpdesk.server.audit import verify_chain
    from helpdesk.server.security import PinHasher, load_pepper

    store = _existing_store(db_path)
    try:
        pepper = os.environ.get("HELPDESK_PIN_PEPPER") or None
        if store.shared and pepper is None:
            raise ConfigError("set HELPDESK_PIN_PEPPER to the server's pepper to verify the chain")
        key = PinHasher(load_pepper(pepper, store)).chain_key()
        with store.reading() as conn:
            report = verify_chain(conn, store.dialect, key)
    finally:
        store.close()
    summary = f"{report.records} record(s) in {report.workspaces} workspace(s) checked" + (
        f", {report.legacy} from before the chain not checkable" if report.legacy else ""
    )
    if report.ok:
        click.echo(f"ok: the audit log of {store.describe()} is intact; {summary}")
        return
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)
    raise HelpdeskError(f"the audit log of {store.describe()} was tampered with ({summary})")


@access_api.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=OPENAPI_PATH,
    show_default=True,
    help="Where to write the document ('-' for stdout).",
)
@handle_errors
def openapi(output: Path) -> None:
    """Regenerate the committed OpenAPI document from the code."""
    text = openapi_text()
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


def openapi_text() -> str:
    """The OpenAPI document as committed: sorted keys, two-space indent, final newline."""
    import tempfile

    from helpdesk.server.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(db_path=Path(tmp) / "openapi.db", pin_pepper="unused"))
        document = app.openapi()
        app.state.access.store.close()
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
