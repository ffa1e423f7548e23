"""`helpdesk access-api …`: seed, token create, openapi; clean errors and exit codes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpdesk.cli import cli
from helpdesk.server import seed as demo


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_access_api_command_has_help() -> None:
    for command in (
        ["serve"],
        ["seed"],
        ["token", "create"],
        ["token", "list"],
        ["token", "revoke"],
        ["openapi"],
    ):
        code, out, _ = run("access-api", *command, "--help")
        assert code == 0 and "Usage:" in out


def test_seed_prints_a_token_once_and_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    token_file = tmp_path / "token"
    code, out, err = run("access-api", "seed", "--db", str(db), "--token-file", str(token_file))
    assert code == 0 and out.startswith("hdk_tok_") and "Hotel Aurora (demo)" in err
    assert token_file.read_text().strip() == out.strip()
    assert token_file.stat().st_mode & 0o077 == 0
    assert run("access-api", "seed", "--db", str(db))[0] == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == len(demo.USERS)
        stored = [row[0] for row in conn.execute("SELECT secret_hash FROM tokens")]
    conn.close()
    assert out.strip().split("_")[-1] not in stored, "tokens are stored only as hashes"


def test_token_create_checks_scopes_and_workspace(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    run("access-api", "seed", "--db", str(db))
    code, out, _ = run(
        "access-api", "token", "create", "--db", str(db), "--workspace", "ws_aurora",
        "--scopes", "users:read,audit:read",
    )  # fmt: skip
    assert code == 0 and out.startswith("hdk_tok_")
    code, _, err = run(
        "access-api", "token", "create", "--db", str(db), "--workspace", "ws_aurora",
        "--scopes", "users:read,root",
    )  # fmt: skip
    assert code == 2 and "root" in err and "Traceback" not in err
    code, _, err = run(
        "access-api", "token", "create", "--db", str(db), "--workspace", "ws_nowhere",
        "--scopes", "users:read",
    )  # fmt: skip
    assert code == 1 and "ws_nowhere" in err


def test_openapi_prints_the_document() -> None:
    code, out, _ = run("access-api", "openapi", "--output", "-")
    assert code == 0 and '"operationId": "access_check"' in out


def test_the_scrypt_cost_is_configurable_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "cli.db"
    for bad in ("3", "0", "abc", str(2**21)):
        monkeypatch.setenv("HELPDESK_PIN_SCRYPT_N", bad)
        code, _, err = run("access-api", "seed", "--db", str(db))
        assert code == 2
        assert f"HELPDESK_PIN_SCRYPT_N={bad!r} must be a power of two" in err
        assert not db.exists(), "nothing is written when the configuration is wrong"

    monkeypatch.setenv("HELPDESK_PIN_SCRYPT_N", "1024")
    assert run("access-api", "seed", "--db", str(db))[0] == 0
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT pin_hash FROM users") if row[0]}
    conn.close()
    # Each hash names its own cost, so raising it later keeps old PINs verifiable.
    assert stored and all(value.startswith("scrypt$1024$") for value in stored)


def test_tokens_are_listed_without_secrets_and_revoked_at_once(tmp_path: Path) -> None:
    from helpdesk.server.security import verify_token

    db = tmp_path / "cli.db"
    code, token, _ = run("access-api", "seed", "--db", str(db))
    assert code == 0
    token = token.strip()
    token_id = token[len("hdk_") :].rsplit("_", 1)[0]

    code, listed, _ = run("access-api", "token", "list", "--db", str(db))
    assert code == 0
    assert token_id in listed and "active" in listed
    assert token.rsplit("_", 1)[1] not in listed

    code, _, err = run("access-api", "token", "revoke", "--db", str(db), token_id)
    assert code == 0 and f"revoked {token_id}" in err
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        assert verify_token(conn, token) is None
    conn.close()
    assert "revoked" in run("access-api", "token", "list", "--db", str(db))[1]
    assert "already revoked" in run("access-api", "token", "revoke", "--db", str(db), token_id)[2]


def test_token_commands_name_what_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    code, _, err = run("access-api", "token", "list", "--db", str(missing))
    assert code == 1 and "no database at" in err and "seed" in err
    assert not missing.exists()

    db = tmp_path / "cli.db"
    assert run("access-api", "seed", "--db", str(db))[0] == 0
    code, _, err = run("access-api", "token", "revoke", "--db", str(db), "tok_000000000000")
    assert code == 1 and "no token 'tok_000000000000'" in err and "token list" in err


def test_token_create_needs_an_existing_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    code, _, err = run(
        "access-api", "token", "create", "--db", str(missing), "--workspace", "ws_aurora",
        "--scopes", "users:read",
    )  # fmt: skip
    assert code == 1 and "no database at" in err
    assert not missing.exists(), "no empty database is left behind"


@pytest.mark.parametrize("command", [["audit", "verify"], ["token", "list"], ["seed"]])
def test_a_postgresql_that_refuses_is_one_line_in_libpqs_words(command: list[str]) -> None:
    """Said at once and once: no retries of a refused connection, no pool log lines."""
    import subprocess
    import sys

    from helpdesk.server.live import free_port

    url = f"postgresql://app:topsecret@127.0.0.1:{free_port()}/nothing"
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk", "access-api", *command, "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(
        "error: cannot connect to PostgreSQL at postgresql://app:***@127.0.0.1:"
    )
    assert "Connection refused" in lines[0] and "topsecret" not in done.stderr
