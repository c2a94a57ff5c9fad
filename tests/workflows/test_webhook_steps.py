"""Workflows that tell the outside world: `send_webhook` owes the triggering event to one of
the tenant's endpoints, `send_notification` on the `slack` channel posts it to every active
Slack endpoint; both as ordinary deliveries, signed, ordered and retried by the sender."""

import uuid

import httpx

from app.services import Services
from tests.factories import Factory
from tests.outbound_webhooks.helpers import deliveries, endpoint
from tests.workflows.helpers import create, executions, work_through


async def test_a_workflow_sends_the_event_to_an_endpoint_and_to_slack(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    # Subscribed to nothing the trigger writes: what arrives is the workflow's doing.
    hook, _ = await endpoint(
        services, world.tenant, "https://public.example.com/hook", events=["ticket_resolved"]
    )
    chat, _ = await endpoint(
        services,
        world.tenant,
        "https://dual.example.com/slack",
        events=["ticket_resolved"],
        format="slack",
    )
    body = {
        "name": "Escalations to the outside",
        "trigger": {"event": "ticket.created", "conditions": {"title": {"contains": "outage"}}},
        "steps": [
            {"order": 1, "action": "send_webhook", "config": {"endpoint_id": f"whe_{hook.id}"}},
            {
                "order": 2,
                "action": "send_notification",
                "config": {"channel": "slack", "template": "high_priority_ticket"},
            },
        ],
        "active": True,
    }
    response = await create(client, world.token, body)
    assert response.status_code == 201, response.text
    await factory.ticket(world.tenant, world.board, title="Payments outage")
    await factory.ticket(world.tenant, world.board, title="Printer jam")
    await work_through(services, world.tenant.id)
    (run,) = await executions(services, uuid.UUID(response.json()["id"].removeprefix("wfl_")))
    assert run.status == "completed", run.log
    (owed,) = await deliveries(services, hook.id)
    (posted,) = await deliveries(services, chat.id)
    assert owed.event == posted.event == "workflow.ticket.created"
    assert owed.seq == posted.seq == run.event_seq
    assert owed.status == "pending" and owed.position != posted.position


async def test_an_unknown_endpoint_is_refused_on_save(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    body = {
        "name": "Broken",
        "trigger": {"event": "ticket.created", "conditions": {}},
        "steps": [
            {"order": 1, "action": "send_webhook", "config": {"endpoint_id": f"whe_{uuid.uuid4()}"}}
        ],
    }
    response = await create(client, world.token, body)
    assert response.status_code == 400
    assert "endpoint_id is not a webhook endpoint" in response.json()["error"]["message"]
