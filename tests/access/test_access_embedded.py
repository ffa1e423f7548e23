"""The embedded default: an in-process API over ASGITransport, seeded, with a token."""

from __future__ import annotations

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
