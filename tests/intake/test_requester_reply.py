"""A requester's reply hands a ticket that waits on them back to the team, through every way a
reply arrives (the status portal, POST /v1/tickets/:id/messages, GraphQL with authorKind
CONTACT): an assigned ticket goes back in progress with its assignee, an unassigned one back to
the open queue. The move is on the timeline as the requester's and arrives as a live event."""

from typing import Any

import httpx
import pytest

from app.auth.models import Role
from app.services import Services
from tests.factories import Factory, World, gid
from tests.intake.helpers import SUBMIT, create_form, path_of, submission

# The live server and WebSocket client of the realtime tests, in place of the board page's.
from tests.realtime.conftest import GraphQLWS, live_server  # noqa: F401

UPDATE = (
    """mutation($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }"""
)
COMMENT = """mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }"""
TICKET = """query($id: ID!) { ticket(id: $id) {
  status assignee { id } board { eventCursor } timeline { kind actorKind actorName changes } } }"""
EVENTS = """subscription($id: ID!, $after: String) {
  ticketEvents(ticketId: $id, after: $after) {
    kind actor { kind name } changes ticket { status } comment { body authorKind } }
}"""
REPLY = "Found the serial number: it is on the back, SN-4471."


async def filed(client: httpx.AsyncClient, factory: Factory, services: Services) -> tuple:
    """A ticket filed through an intake form by Jane Doe: the world, the ticket's global id and
    its status page path."""
    world = await factory.world()
    form = await create_form(factory, world)
    body = (await client.post(SUBMIT, json=submission(form["slug"]))).json()
    return world, body["ticket_id"], path_of(body["status_url"], services.settings)


async def ticket(factory: Factory, world: World, ticket_id: str) -> dict[str, Any]:
    body = await factory.gql(TICKET, {"id": ticket_id}, token=world.token)
    assert "errors" not in body, body
    return dict(body["data"]["ticket"])


async def reply_through(
    entry: str, client: httpx.AsyncClient, factory: Factory, world: World, ticket_id: str, path: str
) -> None:
    if entry == "portal":
        response = await client.post(path, data={"body": REPLY})
        assert response.status_code == 303, response.text
    elif entry == "v1":
        response = await client.post(
            f"/v1/tickets/{ticket_id}/messages",
            json={"body": REPLY},
            headers={"Authorization": f"Bearer {world.api_key}"},
        )
        assert response.status_code == 201, response.text
    else:
        variables = {"input": {"ticketId": ticket_id, "body": REPLY, "authorKind": "CONTACT"}}
        body = await factory.gql(COMMENT, variables, token=world.token)
        assert "errors" not in body, body


@pytest.mark.parametrize("entry", ["portal", "v1", "graphql"])
@pytest.mark.parametrize(("assigned", "expected"), [(True, "IN_PROGRESS"), (False, "OPEN")])
async def test_a_reply_moves_a_waiting_ticket_back_to_the_team(
    client: httpx.AsyncClient,
    factory: Factory,
    services: Services,
    live_server: str,  # noqa: F811
    entry: str,
    assigned: bool,
    expected: str,
) -> None:
    world, ticket_id, path = await filed(client, factory, services)
    agent = await factory.user(world.tenant, Role.AGENT)
    change: dict[str, Any] = {"id": ticket_id, "status": "WAITING"}
    if assigned:
        change["assigneeId"] = gid("usr", agent.id)
    assert "errors" not in await factory.gql(UPDATE, {"input": change}, token=world.token)
    before = await ticket(factory, world, ticket_id)
    assert "Waiting on you" in (await client.get(path)).text

    await reply_through(entry, client, factory, world, ticket_id, path)

    after = await ticket(factory, world, ticket_id)
    assert after["status"] == expected
    assert after["assignee"] == ({"id": gid("usr", agent.id)} if assigned else None)
    new = expected.lower()
    moved = [
        e for e in after["timeline"][len(before["timeline"]) :] if e["kind"] != "comment_added"
    ]
    assert moved == [
        {
            "kind": "status_changed",
            "actorKind": "CONTACT",
            "actorName": "Jane Doe",
            "changes": {"status": {"old": "waiting", "new": new}},
        }
    ]
    labels = {"IN_PROGRESS": "In progress", "OPEN": "Open"}
    assert f"<dd>{labels[expected]}</dd>" in (await client.get(path)).text

    # Subscribing after the cursor read before the reply replays what followed, as it went out.
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(EVENTS, {"id": ticket_id, "after": before["board"]["eventCursor"]})
        status_event, comment_event = await ws.events(op, 2)
        assert await ws.silent(op)
    assert status_event == {
        "kind": "STATUS_CHANGED",
        "actor": {"kind": "contact", "name": "Jane Doe"},
        "changes": {"status": {"old": "waiting", "new": new}},
        "ticket": {"status": expected},
        "comment": None,
    }
    assert comment_event["kind"] == "COMMENT_ADDED"
    assert comment_event["comment"] == {"body": REPLY, "authorKind": "CONTACT"}


@pytest.mark.parametrize("status", ["OPEN", "IN_PROGRESS"])
async def test_a_reply_leaves_a_ticket_the_team_already_works_where_it_is(
    client: httpx.AsyncClient, factory: Factory, services: Services, status: str
) -> None:
    world, ticket_id, path = await filed(client, factory, services)
    change = {"id": ticket_id, "status": status}
    assert "errors" not in await factory.gql(UPDATE, {"input": change}, token=world.token)
    before = await ticket(factory, world, ticket_id)
    assert (await client.post(path, data={"body": REPLY})).status_code == 303
    after = await ticket(factory, world, ticket_id)
    assert after["status"] == status
    added = after["timeline"][len(before["timeline"]) :]
    assert [entry["kind"] for entry in added] == ["comment_added"]


async def test_a_reply_still_reopens_a_closed_ticket_as_a_reopening(
    client: httpx.AsyncClient, factory: Factory, services: Services
) -> None:
    world, ticket_id, path = await filed(client, factory, services)
    change = {"id": ticket_id, "status": "CLOSED"}
    assert "errors" not in await factory.gql(UPDATE, {"input": change}, token=world.token)
    assert (await client.post(path, data={"body": REPLY})).status_code == 303
    after = await ticket(factory, world, ticket_id)
    assert after["status"] == "OPEN"
    reopened = [entry for entry in after["timeline"] if entry["kind"] == "reopened"]
    assert reopened == [
        {
            "kind": "reopened",
            "actorKind": "CONTACT",
            "actorName": "Jane Doe",
            "changes": {"status": {"old": "closed", "new": "open"}},
        }
    ]
