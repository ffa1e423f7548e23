"""The storage seam: one SQL text on SQLite and on a real PostgreSQL, migrations applied
once under a lock, URLs never taken for file names, private SQLite files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from helpdesk.errors import ConfigError, StorageError
from helpdesk.storage import (
    Database,
    Migration,
    PostgresTarget,
    SqliteTarget,
    fetch_one,
    open_database,
    parse_target,
)
from pg_support import PostgresCluster

MIGRATIONS = (
    Migration(
        1,
        "notes",
        sql="CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, n INTEGER NOT NULL)",
    ),
    Migration(
        2,
        "a serial and a start-up count",
        sqlite="""
            CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL);
            INSERT INTO events (what) VALUES ('migrated');
        """,
        postgresql="""
            CREATE TABLE events (id BIGSERIAL PRIMARY KEY, what TEXT NOT NULL);
            INSERT INTO events (what) VALUES ('migrated');
        """,
    ),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite3")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database("storage")


@pytest.fixture
def database(target: str) -> Iterator[Database]:
    db = open_database(target)
    yield db
    db.close()


def test_a_path_a_sqlite_url_and_a_postgresql_url_name_their_backends(tmp_path: Path) -> None:
    assert parse_target(str(tmp_path / "a.db")) == SqliteTarget(tmp_path / "a.db")
    assert parse_target(f"sqlite://{tmp_path}/b.db") == SqliteTarget(tmp_path / "b.db")
    url = "postgresql://app:s3cret@127.0.0.1:5432/helpdesk"
    assert parse_target(url) == PostgresTarget(url)
    assert parse_target("postgres://h/db") == PostgresTarget("postgres://h/db")
    # What click.Path would have made of the URL is still not a file name.
    assert isinstance(parse_target(Path("postgresql://h/db")), PostgresTarget)
    assert PostgresTarget(url).describe() == "postgresql://app:***@127.0.0.1:5432/helpdesk"


@pytest.mark.parametrize("value", ["mysql://h/db", "postgresq://h/db", "", "sqlite://", "  "])
def test_anything_else_is_refused_without_creating_files(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError):
        open_database(value)
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_postgresql_is_a_storage_error_naming_it_without_its_password() -> None:
    from helpdesk.server.live import free_port

    url = f"postgresql://app:topsecret@127.0.0.1:{free_port()}/nothing?connect_timeout=1"
    with pytest.raises(StorageError) as caught:
        open_database(url)
    assert "127.0.0.1" in str(caught.value) and "topsecret" not in str(caught.value)


def test_one_sql_text_reads_and_writes_on_both_backends(database: Database) -> None:
    assert database.migrate("test", MIGRATIONS) == 2
    with database.transaction() as conn:
        conn.execute("INSERT INTO notes (id, body, n) VALUES (?, ?, ?)", ("a", "100% sure?", 1))
        conn.execute(
            "INSERT INTO notes (id, body, n) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
            ("a", "ignored", 9),
        )
        new = conn.execute("INSERT INTO events (what) VALUES (?) RETURNING id", ("x",)).fetchone()
    assert new["id"] == 2
    with database.connection() as conn:
        row = conn.execute(
            "SELECT body, n, 'literal ? and %' AS text FROM notes WHERE id = ?", ("a",)
        ).fetchone()
    assert (row["body"], row["n"], row["text"]) == ("100% sure?", 1, "literal ? and %")


def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    database.migrate("test", MIGRATIONS)
    with pytest.raises(ZeroDivisionError), database.transaction() as conn:
        conn.execute("INSERT INTO notes (id, body, n) VALUES (?, ?, ?)", ("b", "gone", 1))
        _ = 1 / 0
    with database.connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM notes").fetchone()["n"] == 0


def test_migrations_are_recorded_per_component_and_never_run_twice(database: Database) -> None:
    assert database.migrate("test", MIGRATIONS) == 2
    assert database.migrate("test", MIGRATIONS) == 2
    assert database.migrate("other", MIGRATIONS[:1][:0]) == 0
    with database.connection() as conn:
        events = conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"]
        versions = conn.execute(
            "SELECT component, version FROM schema_migrations ORDER BY version"
        ).fetchall()
    assert events == 1
    assert [(r["component"], r["version"]) for r in versions] == [("test", 1), ("test", 2)]


def test_misnumbered_migrations_are_a_bug(database: Database) -> None:
    with pytest.raises(ValueError, match="numbered"):
        database.migrate("test", (MIGRATIONS[1],))


_START = """
import sys
from helpdesk.storage import Migration, open_database
sys.path.insert(0, {tests!r})
from storage.test_storage import MIGRATIONS
db = open_database(sys.argv[1])
print(db.migrate("test", MIGRATIONS))
db.close()
"""


def test_four_processes_starting_together_migrate_once(target: str) -> None:
    code = _START.format(tests=str(Path(__file__).parents[1]))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, target], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, [err for _, err in results]
    assert [out.strip() for out, _ in results] == [b"2"] * 4
    db = open_database(target)
    with db.connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"] == 1
    db.close()


def test_sqlite_files_are_private(tmp_path: Path) -> None:
    db = open_database(tmp_path / "private.sqlite3")
    db.migrate("test", MIGRATIONS)
    with db.transaction() as conn:
        conn.execute("INSERT INTO notes (id, body, n) VALUES ('c', 'x', 1)")
    files = sorted(tmp_path.iterdir())
    assert {f.name for f in files} >= {"private.sqlite3", "private.sqlite3-wal"}
    assert all(f.stat().st_mode & 0o077 == 0 for f in files), [oct(f.stat().st_mode) for f in files]
    db.close()


def test_a_sqlite_file_from_before_schema_migrations_keeps_its_version(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, n INTEGER)")
        conn.execute("PRAGMA user_version=1")
    conn.close()
    db = open_database(path)
    assert db.migrate("test", MIGRATIONS, adopt_user_version=True) == 2
    with db.connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"] == 1
    db.close()


def test_fetch_one_reads_the_first_row_on_either_backend_and_stays_right_across_calls(
    database: Database,
) -> None:
    database.migrate("notes", MIGRATIONS)
    with database.transaction() as conn:
        for i in range(3):
            conn.execute("INSERT INTO notes (id, body, n) VALUES (?, ?, ?)", (f"n{i}", "x", i))
    with database.connection() as conn:
        # Alternating statements on the one cursor PostgreSQL keeps for fetch_one: each
        # answer is its own statement's, whatever ran on that cursor before it.
        for i in (2, 0, 1, 2):
            assert fetch_one(conn, "SELECT n FROM notes WHERE id = ?", (f"n{i}",))["n"] == i
            assert fetch_one(conn, "SELECT count(*) AS c FROM notes WHERE n >= ?", (i,))["c"] == (
                3 - i
            )
        assert fetch_one(conn, "SELECT n FROM notes WHERE id = ?", ("missing",)) is None
        # A failed statement leaves the kept cursor usable for the next read.
        with pytest.raises((sqlite3.Error, psycopg.Error), match="no_such_table"):
            fetch_one(conn, "SELECT * FROM no_such_table WHERE id = ?", ("x",))
        assert fetch_one(conn, "SELECT body FROM notes WHERE id = ?", ("n1",))["body"] == "x"
        # A cursor held by execute's caller is not disturbed by fetch_one.
        held = conn.execute("SELECT id FROM notes WHERE n >= ? ORDER BY id", (0,))
        assert fetch_one(conn, "SELECT n FROM notes WHERE id = ?", ("n2",))["n"] == 2
        assert [row["id"] for row in held] == ["n0", "n1", "n2"]


def test_a_new_sqlite_file_opened_by_many_at_once_opens_for_each(tmp_path: Path) -> None:
    """Putting a new file in WAL mode needs it alone, and SQLite refuses a racing opener at
    once ("database is locked", without waiting); unhandled, one of four processes
    starting together failed now and then. Eight openers at once, many times over."""
    import threading

    from helpdesk.storage.sqlite import connect

    for round_ in range(300):
        path = tmp_path / f"new-{round_}.sqlite3"
        barrier = threading.Barrier(8)
        failed: list[StorageError] = []

        def open_it(
            path: Path = path,
            barrier: threading.Barrier = barrier,
            failed: list[StorageError] = failed,
        ) -> None:
            barrier.wait()
            try:
                connect(path).close()
            except StorageError as exc:
                failed.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failed, f"round {round_}: {failed[0]}"
