"""Wire fields other parts build on: the user's language, the workspace's time zone and
the transcript head an agent's write carries into the audit log."""

from __future__ import annotations

import uuid

import httpx
import pytest

from helpdesk.access.client import AccessClient
from helpdesk.access.operations import OPERATIONS
from helpdesk.errors import ValidationFailed
from helpdesk.server import seed as demo
from helpdesk.server.testing import DemoServer

W = {"reason": "caller verified on the phone", "ticket": "T-2001"}
HEAD = "9f2c4e1ab3d5f7091827364554637281"


async def test_users_carry_their_language(api: AccessClient) -> None:
    assert (await api.get_user(demo.ADMIN_MFA_NO_PIN.id)).language == "it"
    assert (await api.get_user(demo.MANAGER_DEVICES.id)).language == "en"
    spanish = await api.find_user_by_email(demo.SPANISH_RECEPTIONIST.email)
    assert spanish.language == "es"


async def test_the_workspace_serves_its_time_zone(api: AccessClient, server: DemoServer) -> None:
    aurora = await api.get_workspace()
    assert (aurora.id, aurora.timezone) == (demo.WORKSPACE_ID, "Europe/Rome")
    # The Spanish sister hotel, through a token of its own.
    from helpdesk.server.seed import create_demo_token

    state = server.live.app.state.access
    token = create_demo_token(
        state.store, server.settings.clock(), workspace_id=demo.SPANISH_WORKSPACE_ID
    )
    async with AccessClient(server.base_url, token=token) as sol:
        workspace = await sol.get_workspace()
        carmen = await sol.find_user_by_email(demo.SOL_ADMIN.email)
    assert (workspace.name, workspace.timezone) == (demo.SPANISH_WORKSPACE_NAME, "Europe/Madrid")
    assert carmen.language == "es" and carmen.mfa.state == "enabled" and not carmen.pin_set


async def test_a_new_limited_user_gets_the_language_asked_for(api: AccessClient) -> None:
    email = f"temp-{uuid.uuid4().hex[:10]}@hotel-aurora.example"
    done = await api.create_limited_user(email=email, name="Nuevo", language="es", **W)
    assert done.user is not None and done.user.language == "es"
    assert done.after is not None and done.after["language"] == "es"
    with pytest.raises(ValidationFailed) as caught:
        await api.create_limited_user(email="x" + email, name="Neu", language="de", **W)
    assert caught.value.field == "language"


async def test_the_transcript_head_of_a_write_is_kept_in_its_audit_record(
    api: AccessClient,
) -> None:
    email = f"temp-{uuid.uuid4().hex[:10]}@hotel-aurora.example"
    created = await api.create_limited_user(email=email, name="Temp", transcript_head=HEAD, **W)
    assert created.user is not None
    user_id = created.user.id
    await api.set_pin(user_id, pin="5937", transcript_head="sha256:" + HEAD, **W)
    with pytest.raises(ValidationFailed):  # a weak PIN: refused, and audited with its head
        await api.set_pin(user_id, pin="1111", transcript_head=HEAD, **W)
    await api.set_pin(user_id, pin="5938", **W)  # the head is optional
    items = (await api.list_audit(subject=f"user:{user_id}")).items
    heads = [(r.action, r.outcome, r.transcript_head) for r in reversed(items)]
    assert heads == [
        ("create_limited_user", "applied", HEAD),
        ("set_pin", "applied", "sha256:" + HEAD),
        ("set_pin", "refused", HEAD),
        ("set_pin", "applied", None),
    ]


async def test_the_registry_passes_the_transcript_head_with_a_write(api: AccessClient) -> None:
    code = await OPERATIONS["create_activation_code"](
        api,
        {"name": "Reception", "platform": "tablet", **W},
        transcript_head=HEAD,
    )
    assert code.audit_id is not None
    record = (await api.list_audit(subject=code.subject)).items[0]
    assert record.transcript_head == HEAD


@pytest.mark.parametrize("head", ["", "x" * 129, "has space", "ünï", "a\nb", "<script>"])
async def test_a_transcript_head_is_short_and_plain(server: DemoServer, head: str) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            f"/v1/users/{demo.RECEPTIONIST.id}/pin",
            json={**W, "generate": True, "transcript_head": head},
            headers={"Authorization": f"Bearer {server.tokens['agent']}"},
            params={"dry_run": "true"},
        )
    assert response.status_code == 422
    assert response.json()["field"] == "transcript_head"
