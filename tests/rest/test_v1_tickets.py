"""The v1 ticket endpoints, called as the API document's curl examples call them."""

import asyncio
import re

import httpx

from app.kit.actors import SYSTEM
from app.tickets.models import TicketStatus
from app.tickets.service import TicketChanges, update_ticket
from tests.factories import Factory, gid
from tests.rest.helpers import REPLY_EXAMPLE, bearer, new_ticket_id, post_ticket

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TICKET_QUERY = """query($id: ID!) { ticket(id: $id) {
  number title description priority source tags metadata requester { name email }
  board { id name } comments { body authorKind isInternal } } }"""


async def test_create_example_lands_on_the_oldest_board(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    await factory.board(world.tenant, name="A newer board")
    response = await post_ticket(client, world.api_key)
    assert response.status_code == 202
    created = response.json()
    assert set(created) == {"ticket_id", "ticket_number"}
    assert created["ticket_id"].startswith("tkt_") and created["ticket_number"] == 1
    data = await factory.gql(TICKET_QUERY, {"id": created["ticket_id"]}, api_key=world.api_key)
    assert data["data"]["ticket"] == {
        "number": 1,
        "title": "Cannot access billing portal",
        "description": "Getting a 403 error when clicking Manage Subscription.",
        "priority": "HIGH",
        "source": "API",
        "tags": [],
        "metadata": {},
        "requester": {"name": None, "email": "jane@acme.com"},
        "board": {"id": gid("brd", world.board.id), "name": world.board.name},
        "comments": [
            {
                "body": "Getting a 403 error when clicking Manage Subscription.",
                "authorKind": "CONTACT",
                "isInternal": False,
            }
        ],
    }


async def test_get_example_returns_the_documented_shape(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket_id = await new_ticket_id(client, world.api_key)
    response = await client.get(
        f"/v1/tickets/{ticket_id}?contact_email=jane@acme.com",
        headers={"Authorization": f"Bearer {world.api_key}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at")} == {
        "ticket_id": ticket_id,
        "ticket_number": 1,
        "subject": "Cannot access billing portal",
        "status": "open",
        "priority": "p2_high",
        "category": None,
        "messages": [
            {
                "id": body["messages"][0]["id"],
                "author_type": "contact",
                "body": "Getting a 403 error when clicking Manage Subscription.",
                "created_at": body["messages"][0]["created_at"],
            }
        ],
    }
    assert body["messages"][0]["id"].startswith("cmt_")
    for moment in (body["created_at"], body["updated_at"], body["messages"][0]["created_at"]):
        assert ISO_Z.match(moment)


async def test_get_accepts_a_bare_uuid(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    ticket_id = await new_ticket_id(client, world.api_key)
    response = await client.get(
        f"/v1/tickets/{ticket_id.removeprefix('tkt_')}", headers=bearer(world.api_key)
    )
    assert response.status_code == 200 and response.json()["ticket_id"] == ticket_id


async def test_messages_are_public_ones_oldest_first(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board, priority="low", category="billing")
    await factory.comment(world.tenant, ticket, body="first")
    await factory.comment(world.tenant, ticket, body="secret", is_internal=True)
    await factory.comment(world.tenant, ticket, body="third")
    body = (
        await client.get(f"/v1/tickets/{gid('tkt', ticket.id)}", headers=bearer(world.api_key))
    ).json()
    assert [(m["author_type"], m["body"]) for m in body["messages"]] == [
        ("agent", "first"),
        ("agent", "third"),
    ]
    assert (body["priority"], body["category"]) == ("p4_low", "billing")


async def test_reply_example_adds_a_contact_message(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket_id = await new_ticket_id(client, world.api_key)
    response = await client.post(
        f"/v1/tickets/{ticket_id}/messages", content=REPLY_EXAMPLE, headers=bearer(world.api_key)
    )
    assert response.status_code == 201
    assert set(response.json()) == {"message_id"}
    messages = (await client.get(f"/v1/tickets/{ticket_id}", headers=bearer(world.api_key))).json()[
        "messages"
    ]
    assert messages[-1] == {
        "id": response.json()["message_id"],
        "author_type": "contact",
        "body": "We have deployed a fix. Please try again.",
        "created_at": messages[-1]["created_at"],
    }
    assert len(messages) == 2


async def test_reply_reopens_finished_tickets(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    for status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket = await factory.ticket(world.tenant, world.board)
        async with factory.services.db.transaction() as work:
            changes = TicketChanges(status=status)
            await update_ticket(work.session, world.tenant.id, SYSTEM, ticket.id, changes)
        url = f"/v1/tickets/{gid('tkt', ticket.id)}"
        reply = await client.post(
            f"{url}/messages", json={"body": "Still broken"}, headers=bearer(world.api_key)
        )
        assert reply.status_code == 201
        assert (await client.get(url, headers=bearer(world.api_key))).json()["status"] == "open"


async def test_a_tenant_without_boards_gets_an_inbox(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    tenant = await factory.tenant()
    key = await factory.api_key(tenant)
    first = await new_ticket_id(client, key)
    second = await new_ticket_id(client, key)
    boards = await factory.gql("{ boards { name tickets { edges { node { id } } } } }", api_key=key)
    nodes = {edge["node"]["id"] for edge in boards["data"]["boards"][0]["tickets"]["edges"]}
    assert [board["name"] for board in boards["data"]["boards"]] == ["Inbox"]
    assert nodes == {first, second}


async def test_concurrent_first_tickets_share_one_inbox(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    key = await factory.api_key(await factory.tenant())
    created = await asyncio.gather(*(new_ticket_id(client, key) for _ in range(4)))
    boards = await factory.gql("{ boards { name tickets { totalCount } } }", api_key=key)
    assert boards["data"]["boards"] == [{"name": "Inbox", "tickets": {"totalCount": 4}}]
    assert len(set(created)) == 4
