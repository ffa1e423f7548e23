"""The server suite runs against both backends: every test that takes ``server`` or
``database`` runs once on a SQLite file and once on the session's throwaway PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.server.testing import DemoServer, demo_server
from pg_support import PostgresCluster

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _new_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return str(folder / "access.db")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database("access")


@pytest.fixture(scope="session")
def server(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoServer]:
    """One seeded server per backend for the session (shadows the SQLite-only one)."""
    db = _new_database(request, backend, tmp_path_factory.mktemp(f"access-{backend}"))
    with demo_server(db) as running:
        yield running


@pytest.fixture
def database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A fresh, empty database of the backend: a SQLite file path or a PostgreSQL URL."""
    return _new_database(request, backend, tmp_path)
