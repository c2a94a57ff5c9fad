"""A workflow that asks the platform to act: `run_connector_action` requests the call on the
run's case exactly as a person would, and the call's own job sends it."""

import json
import uuid

import httpx
from sqlalchemy import select

from app.connectors.models import ActionExecution
from app.services import Services
from tests.connectors.action_helpers import (
    SERVICE_KEY,
    build_scene,
    receiver,
    send_next,
    sending,
)
from tests.connectors.action_receiver import Receiver
from tests.factories import Factory, gid
from tests.workflows.helpers import create, executions, work_through

__all__ = ["receiver", "sending"]  # the fixtures, used by name


async def test_a_workflow_suspends_the_reported_user_on_the_platform(
    services: Services,
    sending: Services,
    factory: Factory,
    client: httpx.AsyncClient,
    receiver: tuple[Receiver, str],
) -> None:
    platform, url = receiver
    scene = await build_scene(client, factory, url)
    world = scene.world
    body = {
        "name": "Suspend on repeated threats",
        "trigger": {"event": "ticket.created", "conditions": {"title": {"contains": "threat"}}},
        "steps": [
            {"order": 1, "action": "create_safety_case", "config": {"case_type": "threats"}},
            {
                "order": 2,
                "action": "run_connector_action",
                "config": {"action_id": scene.action, "variables": {"duration": "7d"}},
            },
        ],
        "active": True,
    }
    response = await create(client, world.token, body)
    assert response.status_code == 201, response.text
    workflow = response.json()["id"].removeprefix("wfl_")
    ticket = await factory.ticket(
        world.tenant, world.board, title="Another threat", subject_external_id="usr_bad_actor"
    )
    await work_through(services, world.tenant.id)
    (run,) = await executions(services, uuid.UUID(workflow))
    assert run.status == "completed", run.log
    async with services.db.read() as session:
        execution = await session.scalar(
            select(ActionExecution)
            .where(ActionExecution.tenant_id == world.tenant.id)
            .order_by(ActionExecution.created_at.desc())
        )
    assert execution is not None and execution.status == "requested"
    assert execution.requested_by_name == "Workflow: Suspend on repeated threats"
    await send_next(sending, gid("axn", execution.id))
    (call,) = platform.arrived
    assert call.raw_path == "/v2/users/usr_bad_actor/suspend"
    assert call.headers["x-service-key"] == SERVICE_KEY
    assert json.loads(call.body)["duration"] == "7d"
    assert ticket.id  # the ticket that set it all off


async def test_an_unknown_action_is_refused_on_save(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    body = {
        "name": "Broken",
        "trigger": {"event": "case.created", "conditions": {}},
        "steps": [{"order": 1, "action": "run_connector_action", "config": {"action_id": "act_x"}}],
    }
    response = await create(client, world.token, body)
    assert response.status_code == 400
    assert "action_id is not a connector action" in response.json()["error"]["message"]
