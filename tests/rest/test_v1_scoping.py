"""Who sees a ticket through the v1 API: its tenant only, and with `contact_email` its requester."""

import uuid

import httpx

from tests.factories import Factory
from tests.rest.helpers import REPLY_EXAMPLE, bearer, envelope, new_ticket_id


async def test_contact_email_scopes_the_ticket(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    ticket_id = await new_ticket_id(client, world.api_key)
    url, headers = f"/v1/tickets/{ticket_id}", bearer(world.api_key)
    found = await client.get(url, params={"contact_email": "JANE@acme.com"}, headers=headers)
    assert found.status_code == 200
    other = await client.get(url, params={"contact_email": "bob@acme.com"}, headers=headers)
    assert envelope(other, 404, "NOT_FOUND") == "Ticket not found"
    blank = await client.get(url, params={"contact_email": ""}, headers=headers)
    envelope(blank, 400, "VALIDATION_ERROR")
    anonymous = await new_ticket_id(client, world.api_key, {"subject": "s", "body": "b"})
    unowned = await client.get(
        f"/v1/tickets/{anonymous}", params={"contact_email": "jane@acme.com"}, headers=headers
    )
    envelope(unowned, 404, "NOT_FOUND")


async def test_another_tenant_sees_nothing(client: httpx.AsyncClient, factory: Factory) -> None:
    mine, theirs = await factory.world(), await factory.world()
    ticket_id = await new_ticket_id(client, mine.api_key)
    for path in (ticket_id, ticket_id.removeprefix("tkt_")):
        read = await client.get(f"/v1/tickets/{path}", headers=bearer(theirs.api_key))
        envelope(read, 404, "NOT_FOUND")
        write = await client.post(
            f"/v1/tickets/{path}/messages", content=REPLY_EXAMPLE, headers=bearer(theirs.api_key)
        )
        envelope(write, 404, "NOT_FOUND")
    mine_now = await client.get(f"/v1/tickets/{ticket_id}", headers=bearer(mine.api_key))
    assert len(mine_now.json()["messages"]) == 1


async def test_ids_that_name_no_ticket_are_not_found(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    for raw in ("nope", "tkt_nope", f"usr_{world.admin.id}", str(uuid.uuid4())):
        response = await client.get(f"/v1/tickets/{raw}", headers=bearer(world.api_key))
        assert envelope(response, 404, "NOT_FOUND") == "Ticket not found"
