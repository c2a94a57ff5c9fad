"""A tenant whose platform's action endpoint is a local receiver, a case about one reported
user, and running the queued sending job as the worker would."""

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.auth.models import Role
from app.connectors.delivery import run_send_job
from app.connectors.models import ActionType, OutboundAction
from app.kit.destinations import Allowed
from app.kit.ids import expect_global_id
from app.kit.outbound import Outbound
from app.services import Services
from tests.connectors.action_receiver import Receiver
from tests.connectors.helpers import bearer, create
from tests.factories import Factory, World, gid
from tests.realtime.conftest import serving

SERVICE_KEY = "sk_live_platform_9f3a"
TEMPLATE = '{ "reason": "{{reason}}", "duration": "{{duration}}" }'


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    found = Receiver()
    async with serving(found.app(), lifespan="off") as url:
        yield found, url


@pytest.fixture
async def sending(services: Services) -> AsyncIterator[Services]:
    """The app's services, with an outbound client allowed to reach the local receiver."""
    outbound = Outbound(allowed=Allowed.of(["127.0.0.1"]))
    yield dataclasses.replace(services, outbound=outbound)
    await outbound.close()


@dataclass
class Scene:
    world: World
    connector: str
    action: str
    case: str
    agent_token: str


async def add_action(
    services: Services, world: World, connector: str, endpoint: str, **overrides: Any
) -> str:
    """An action calling the local receiver; saved directly, as the API refuses loopback
    endpoints on save (the allowance applies to calls only)."""
    row = OutboundAction(
        id=uuid.uuid4(),
        tenant_id=world.tenant.id,
        connector_id=expect_global_id(connector, "Connector"),
        action_type=ActionType.SUSPEND_USER,
        endpoint=endpoint,
        method="POST",
        headers=overrides.pop("headers", {"X-Service-Key": "{{service_key}}"}),
        payload_template=overrides.pop("payload_template", TEMPLATE),
        requires_approval=overrides.pop("requires_approval", False),
    )
    async with services.db.transaction() as work:
        work.session.add(row)
    return gid("act", row.id)


async def build_scene(
    client: httpx.AsyncClient,
    factory: Factory,
    url: str,
    *,
    subject: str = "usr_e5f6g7h8",
    case_type: str = "HARASSMENT",
    **action: Any,
) -> Scene:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    secret = {"name": "service_key", "value": SERVICE_KEY}
    saved = await client.post(
        f"/api/v1/connectors/{connector}/secrets", json=secret, headers=bearer(world.token)
    )
    assert saved.status_code == 201, saved.text
    endpoint = f"{url}/v2/users/{{{{user_id}}}}/suspend"
    action_id = await add_action(factory.services, world, connector, endpoint, **action)
    ticket = await factory.ticket(world.tenant, world.board, subject_external_id=subject)
    made = await factory.gql(
        "mutation($i: CreateCaseInput!) { createCase(input: $i) { case { id } } }",
        {
            "i": {
                "caseType": case_type,
                "priority": "HIGH",
                "subject": "Threats",
                "ticketIds": [gid("tkt", ticket.id)],
            }
        },
        token=world.token,
    )
    case = made["data"]["createCase"]["case"]["id"]
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    return Scene(world, connector, action_id, case, agent)


async def run(
    client: httpx.AsyncClient, token: str, case: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"/api/v1/cases/{case}/actions", json=body, headers=bearer(token))


async def listed(client: httpx.AsyncClient, token: str, case: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/cases/{case}/actions", headers=bearer(token))
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


async def queued(services: Services, execution: str) -> list[datetime]:
    """When each queued sending job of the call is due."""
    pk = str(expect_global_id(execution, "ActionExecution"))
    async with services.db.read() as session:
        rows = await session.execute(
            text(
                "SELECT payload, execute_after FROM pgqueuer "
                "WHERE entrypoint = 'connector_action' AND status = 'queued'"
            )
        )
        return [due for payload, due in rows if json.loads(payload)["execution_id"] == pk]


async def send_next(services: Services, execution: str) -> None:
    """Run the call's queued sending job now, as a worker would once it is due."""
    pk = str(expect_global_id(execution, "ActionExecution"))
    async with services.db.transaction() as work:
        found = await work.session.execute(
            text(
                "DELETE FROM pgqueuer WHERE id = (SELECT id FROM pgqueuer "
                "WHERE entrypoint = 'connector_action' AND status = 'queued' "
                "AND convert_from(payload, 'UTF8')::jsonb ->> 'execution_id' = :pk LIMIT 1) "
                "RETURNING payload"
            ),
            {"pk": pk},
        )
        (payload,) = found.one()
    await run_send_job(services, json.loads(payload))
