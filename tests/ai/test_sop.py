"""Ticket → SOP: a resolved ticket becomes a draft knowledge article, linked from its
timeline, with the agents' steps in order."""

import uuid

import httpx

from app.knowledge.models import Article, ArticleStatus
from app.services import Services
from tests.ai.helpers import timeline_kinds
from tests.factories import Factory, World, gid


async def resolved_ticket(factory: Factory, world: World, resolve: bool = True) -> str:
    ticket = await factory.ticket(
        world.tenant,
        world.board,
        title="VPN Connection Troubleshooting",
        description="Remote staff could not connect to the VPN after the overnight update.",
    )
    await factory.comment(world.tenant, ticket, body="Restarted the VPN service on the gateway.")
    await factory.comment(
        world.tenant,
        ticket,
        body="Cleared the stale sessions in the admin console.",
        is_internal=True,
    )
    await factory.comment(world.tenant, ticket, body="Asked the user to reconnect; it works now.")
    if resolve:
        await factory.gql(
            "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }",
            {"i": {"id": gid("tkt", ticket.id), "status": "RESOLVED"}},
            token=world.token,
        )
    return gid("tkt", ticket.id)


async def test_a_resolved_ticket_becomes_a_draft_procedure(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    ticket = await resolved_ticket(factory, world)
    response = await client.post(
        f"/api/v1/tickets/{ticket}/sop", headers={"Authorization": f"Bearer {world.token}"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft" and body["category"] == "procedures"
    assert "sop" in body["tags"]
    async with services.db.read() as session:
        article = await session.get(Article, uuid.UUID(body["id"].removeprefix("ka_")))
    assert article is not None and article.status == ArticleStatus.DRAFT
    content = article.content
    steps = content.split("## Steps")[1].split("## Escalation")[0]
    order = [steps.find("VPN service"), steps.find("stale sessions"), steps.find("reconnect")]
    assert -1 not in order and order == sorted(order), steps
    assert "## When this applies" in content and "## Escalation" in content
    kinds = await timeline_kinds(services, uuid.UUID(ticket.removeprefix("tkt_")))
    assert "sop_created" in kinds


async def test_an_open_ticket_cannot_become_a_procedure(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    ticket = await resolved_ticket(factory, world, resolve=False)
    response = await client.post(
        f"/api/v1/tickets/{ticket}/sop", headers={"Authorization": f"Bearer {world.token}"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "UNPROCESSABLE"
