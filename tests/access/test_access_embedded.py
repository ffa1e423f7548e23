"""The embedded default: an in-process API over ASGITransport, seeded, with a token."""

from __future__ import annotations

import threading
from pathlib import Path

from helpdesk.server import seed as demo
from helpdesk.server.embedded import open_embedded_client


async def test_the_embedded_client_works_without_a_server(tmp_path: Path) -> None:
    async with open_embedded_client(tmp_path / "embedded.db") as api:
        assert (await api.health()).status == "ok"
        user = await api.find_user_by_email(demo.ADMIN_MFA_NO_PIN.email)
        result = await api.set_pin(user.id, generate=True, reason="embedded", ticket="T-E")
        assert result.pin is not None


async def test_opening_twice_keeps_the_data_and_seeds_once(tmp_path: Path) -> None:
    db = tmp_path / "embedded.db"
    async with open_embedded_client(db) as api:
        await api.create_limited_user(
            email="kept@hotel-aurora.example", name="Kept", reason="persist", ticket="T-E"
        )
    async with open_embedded_client(db) as api:
        assert (await api.find_user_by_email("kept@hotel-aurora.example")).name == "Kept"
        devices = await api.list_devices()
        assert len(devices.items) == 5
    assert (tmp_path / "embedded.db.pepper").exists()


async def test_closing_the_embedded_client_stops_its_threads_and_closes_the_database(
    tmp_path: Path,
) -> None:
    # Threads themselves, not names: other tests' servers run threads of the same names.
    before = set(threading.enumerate())
    async with open_embedded_client(tmp_path / "embedded.db") as api:
        user = await api.find_user_by_email(demo.ADMIN_MFA_NO_PIN.email)
        await api.set_pin(user.id, pin="5937", reason="embedded", ticket="T-E")  # writer + KDF
        started = set(threading.enumerate()) - before
        assert any(thread.name.startswith("access-api-writer") for thread in started)

    left = set(threading.enumerate()) - before
    assert not [t for t in left if t.name.startswith(("access-api-writer", "pin-kdf"))]
    # Every connection closed: the WAL was checkpointed and removed by the last one.
    assert not (tmp_path / "embedded.db-wal").exists()
