"""Endpoints, events and waiting, for the outbound webhook tests."""

import asyncio
import uuid
from typing import Any

from sqlalchemy import select

from app.kit.actors import Actor, ActorKind
from app.outbound_webhooks import service
from app.outbound_webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.outbound_webhooks.sender import WebhookSender
from app.services import Services
from app.tenants.models import Tenant
from app.tickets.models import Ticket
from app.tickets.service import TicketChanges, update_ticket

TICKET_EVENTS = [
    "ticket_created",
    "status_changed",
    "ticket_status_changed",
    "assigned",
    "ticket_assigned",
    "comment_added",
    "ticket_replied",
    "ticket_resolved",
]
AGENT = Actor(ActorKind.SYSTEM, None, "tests")


async def endpoint(
    services: Services, tenant: Tenant, url: str, **data: Any
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of `tenant` and its secret; every ticket event unless `events` is given."""
    async with services.db.transaction() as work:
        return await service.create_endpoint(
            work.session,
            tenant.id,
            services.sealer,
            services.outbound.allowed,
            {"url": url, "events": TICKET_EVENTS, **data},
            actor=AGENT,
        )


async def change_ticket(services: Services, ticket: Ticket, **changes: Any) -> None:
    async with services.db.transaction() as work:
        await update_ticket(
            work.session, ticket.tenant_id, AGENT, ticket.id, TicketChanges(**changes)
        )


async def deliveries(services: Services, endpoint_id: uuid.UUID) -> list[WebhookDelivery]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.seq, WebhookDelivery.position)
        )
        return list(rows)


async def attempts(services: Services, delivery_id: uuid.UUID) -> list[WebhookAttempt]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
        return list(rows)


async def reread(services: Services, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    async with services.db.read() as session:
        found = await session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        return found


async def settled(services: Services, endpoint_id: uuid.UUID) -> bool:
    return all(row.status != "pending" for row in await deliveries(services, endpoint_id))


async def drain(
    services: Services, sender: WebhookSender, endpoint_id: uuid.UUID, seconds: float = 20
) -> None:
    """Run the sender until nothing is pending (waiting out retry pauses), as jobs would."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        await sender.deliver(endpoint_id)
        if await settled(services, endpoint_id):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("deliveries still pending")


CREATE = """mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) { signingSecret endpoint { id } }
}"""
DELIVERIES = """query($id: ID!) {
  webhookDeliveries(endpointId: $id) { edges { node { id event } } }
}"""


async def endpoint_with_delivery(factory: Any, world: Any) -> tuple[str, str]:
    """Global ids of a new endpoint at a public address and of the delivery a new ticket made
    for it (through GraphQL, as an administrator)."""
    made = await factory.gql(
        CREATE,
        {"i": {"url": "https://public.example.com/hook", "events": ["ticket_created"]}},
        token=world.token,
    )
    endpoint_id = made["data"]["createWebhookEndpoint"]["endpoint"]["id"]
    await factory.ticket(world.tenant, world.board, title="Announced")
    listed = await factory.gql(DELIVERIES, {"id": endpoint_id}, token=world.token)
    (edge,) = listed["data"]["webhookDeliveries"]["edges"]
    return endpoint_id, edge["node"]["id"]
