"""Several workers over one PostgreSQL database: a same-key write applies once whatever
worker each attempt reaches, a rate limit is one limit, and SQLite refuses --workers."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
from click.testing import CliRunner
from serving import PEPPER, seeded_server, start_server, stop_server

from helpdesk.cli import cli
from helpdesk.server import seed as demo
from helpdesk.server.live import free_port
from helpdesk.server.schema import MIGRATIONS
from helpdesk.storage import parse_target
from pg_support import PostgresCluster

W = {"reason": "caller verified on the phone", "ticket": "T-4001"}


@pytest.fixture
def pg_db(postgres: PostgresCluster) -> str:
    return postgres.create_database("workers")


@pytest.fixture
def three_workers(
    pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    with seeded_server(pg_db, tmp_path / "server.log", 3, monkeypatch) as (_, base, token):
        yield base, token


async def _post(base: str, token: str, path: str, body: dict[str, object], key: str) -> int:
    # A connection per request, so the attempts spread over the workers.
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post(
            path,
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        )
    return response.status_code


async def test_same_key_writes_over_several_workers_apply_once(
    three_workers: tuple[str, str],
) -> None:
    base, token = three_workers
    email = f"once-{uuid.uuid4().hex[:8]}@hotel-aurora.example"
    body = {"email": email, "name": "Once", **W}
    key = uuid.uuid4().hex
    statuses = await asyncio.gather(
        *(_post(base, token, "/v1/users", body, key) for _ in range(24))
    )
    assert statuses == [200] * 24
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers) as http:
        audit = (await http.get("/v1/audit", params={"action": "create_limited_user"})).json()
        user = (await http.get("/v1/users/lookup", params={"email": email})).json()
    outcomes = sorted(r["outcome"] for r in audit["items"] if r["idempotency_key"] == key)
    assert outcomes == ["applied"] + ["replayed"] * 23
    assert user["email"] == email


async def test_a_rate_limit_holds_across_workers(
    pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited = {"HELPDESK_ACCESS_WRITE_LIMIT": "10/0.01"}
    log = tmp_path / "server.log"
    with seeded_server(pg_db, log, 3, monkeypatch, **limited) as (_, base, token):
        path = f"/v1/users/{demo.LOCKED_USER.id}/unlock?dry_run=true"
        statuses = await asyncio.gather(
            *(_post(base, token, path, W, uuid.uuid4().hex) for _ in range(40))
        )
    assert statuses.count(200) == 10 and statuses.count(429) == 30


def _workers_by_request(log: Path, prefix: str) -> Counter[int]:
    """How many of the requests whose id starts with ``prefix`` each worker answered."""
    lines = (json.loads(line) for line in log.read_text().splitlines() if line.startswith("{"))
    return Counter(
        line["worker"]
        for line in lines
        if line.get("event") == "request" and line["request_id"].startswith(prefix)
    )


async def _healthz(base: str, request_id: str) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.get("/healthz", headers={"X-Request-Id": request_id})
    return response.status_code


async def test_connections_arriving_together_are_spread_over_the_workers(
    pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A load balancer's or wrk's 64 connections come at once. Over one shared listening
    # socket the worker that woke first accepted them all; each worker listens on a
    # socket of its own now (SO_REUSEPORT) and the kernel deals the connections out.
    log = tmp_path / "server.log"
    with seeded_server(pg_db, log, 2, monkeypatch) as (_, base, _token):
        deadline = time.monotonic() + 30
        ready = 0
        while len(_workers_by_request(log, "warm-")) < 2 and time.monotonic() < deadline:
            await _healthz(base, f"warm-{ready}")
            ready += 1
        assert len(_workers_by_request(log, "warm-")) == 2, "the second worker never answered"
        statuses = await asyncio.gather(*(_healthz(base, f"burst-{n}") for n in range(64)))
    assert statuses == [200] * 64
    answered = _workers_by_request(log, "burst-")
    assert len(answered) == 2 and min(answered.values()) >= 16, answered


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_one_clear_error(
    pg_db: str, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    monkeypatch.setenv("HELPDESK_PIN_PEPPER", PEPPER)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["access-api", "serve", "--db", pg_db, "--port", str(port), "--workers", workers]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "another --port" in result.stderr


async def test_the_log_starts_with_where_it_listens_and_is_json_lines_throughout(
    pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "server.log"
    with seeded_server(pg_db, log, 2, monkeypatch) as (_, base, _token):
        for n in range(4):
            await _healthz(base, f"line-{n}")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    first = records[0]
    assert first["event"] == "listening" and first["workers"] == 2, first
    assert first["port"] == int(base.rsplit(":", 1)[1])
    assert first["database"] == parse_target(pg_db).describe()
    assert sum(r["event"] == "request" for r in records) >= 4


async def test_a_second_server_cannot_join_a_running_one(
    pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers' SO_REUSEPORT must not let another `serve --workers` share their port.
    with seeded_server(pg_db, tmp_path / "server.log", 2, monkeypatch) as (_, base, _token):
        port = base.rsplit(":", 1)[1]
        args = ["access-api", "serve", "--db", pg_db, "--port", port, "--workers", "2"]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "cannot listen on" in result.stderr, result.output


def test_sqlite_refuses_several_workers(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["access-api", "serve", "--db", str(tmp_path / "a.db"), "--workers", "2"]
    )
    assert result.exit_code == 2
    assert "needs a PostgreSQL database" in result.stderr
    assert not (tmp_path / "a.db").exists()


def test_a_url_is_never_taken_for_a_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["access-api", "seed", "--db", "mysql://h/db"])
    assert result.exit_code == 2 and "unsupported database URL scheme 'mysql'" in result.stderr
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/none?connect_timeout=1"
    result = CliRunner().invoke(cli, ["access-api", "seed", "--db", url])
    assert result.exit_code == 3 and "cannot connect to PostgreSQL" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_four_servers_starting_together_on_an_empty_database_migrate_it_once(
    pg_db: str, tmp_path: Path
) -> None:
    # `serve --workers N` migrates once before it forks; four servers started at the
    # same moment (four containers, say) race for the migration lock instead.
    with ThreadPoolExecutor(4) as pool:
        started = list(
            pool.map(lambda n: start_server(pg_db, tmp_path / f"server{n}.log", 1), range(4))
        )
    try:
        answers = [httpx.get(f"{base}/healthz", timeout=10) for _, base in started]
    finally:
        for process, _ in started:
            stop_server(process)
    assert [a.status_code for a in answers] == [200] * 4
    for n in range(4):
        assert "Traceback" not in (tmp_path / f"server{n}.log").read_text()
    with psycopg.connect(pg_db) as conn:
        rows = conn.execute(
            "SELECT version, count(*) FROM schema_migrations WHERE component = 'access'"
            " GROUP BY version ORDER BY version"
        ).fetchall()
    assert rows == [(v, 1) for v in range(1, len(MIGRATIONS) + 1)]


async def test_a_revocation_reaches_every_worker(
    three_workers: tuple[str, str], pg_db: str
) -> None:
    base, admin = three_workers
    created = CliRunner().invoke(
        cli,
        [
            "access-api",
            "token",
            "create",
            "--db",
            pg_db,
            "--workspace",
            "ws_aurora",
            "--scopes",
            "users:read,users:write",
        ],
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    path = f"/v1/users/{demo.LOCKED_USER.id}/unlock?dry_run=true"
    # Every worker has verified (and cached) the token before it is revoked.
    assert {await _post(base, token, path, W, uuid.uuid4().hex) for _ in range(12)} == {200}
    token_id = token.split("_")[1] + "_" + token.split("_")[2]
    revoked = CliRunner().invoke(cli, ["access-api", "token", "revoke", "--db", pg_db, token_id])
    assert revoked.exit_code == 0, revoked.output
    writes = [await _post(base, token, path, W, uuid.uuid4().hex) for _ in range(12)]
    assert writes == [401] * 12  # writes ask the database again, on any worker
    await asyncio.sleep(1.5)  # the token cache's time
    reads = []
    for _ in range(12):
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            answer = await http.get("/v1/workspace", headers={"Authorization": f"Bearer {token}"})
        reads.append(answer.status_code)
    assert reads == [401] * 12
    assert admin  # the fixture's own token is untouched
