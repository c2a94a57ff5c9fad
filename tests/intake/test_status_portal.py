"""The private status link: public messages only, oldest first, and replies from the requester."""

from typing import Any

import httpx

from app.services import Services
from tests.factories import Factory, World
from tests.intake.helpers import SUBMIT, create_form, path_of, submission

UPDATE = (
    """mutation($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }"""
)
TICKET = """query($id: ID!) {
  ticket(id: $id) { status comments { body authorKind authorName isInternal } }
}"""


async def filed(client: httpx.AsyncClient, factory: Factory, services: Services) -> tuple:
    world = await factory.world()
    form = await create_form(factory, world)
    body = (await client.post(SUBMIT, json=submission(form["slug"]))).json()
    return world, body, path_of(body["status_url"], services.settings)


async def reply_as_agent(factory: Factory, world: World, ticket_id: str, body: str, **more: Any):
    document = (
        """mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }"""
    )
    answer = await factory.gql(
        document, {"input": {"ticketId": ticket_id, "body": body, **more}}, token=world.token
    )
    assert "errors" not in answer, answer


class TestStatusPage:
    async def test_shows_public_messages_oldest_first_and_never_internal_notes(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world, body, path = await filed(client, factory, services)
        await reply_as_agent(factory, world, body["ticket_id"], "Have you tried tray 2?")
        await reply_as_agent(
            factory, world, body["ticket_id"], "Requester is a VIP, secret", isInternal=True
        )
        await reply_as_agent(factory, world, body["ticket_id"], "A technician is on the way.")
        page = await client.get(path)
        assert page.status_code == 200
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        html = page.text
        assert "secret" not in html and "VIP" not in html
        first = html.index("The printer on the 3rd floor shows paper jam.")
        assert first < html.index("Have you tried tray 2?") < html.index("A technician is on")
        assert f"#{body['ticket_number']}" in html and "Open" in html

    async def test_reply_adds_a_contact_message_and_reopens_a_resolved_ticket(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world, body, path = await filed(client, factory, services)
        await factory.gql(
            UPDATE, {"input": {"id": body["ticket_id"], "status": "RESOLVED"}}, token=world.token
        )
        assert "Resolved" in (await client.get(path)).text
        response = await client.post(path, data={"body": "Still jammed, sorry."})
        assert response.status_code == 303
        assert response.headers["location"] == f"{path}?replied=1"
        page = await client.get(response.headers["location"])
        assert "Your reply was sent." in page.text and "Still jammed, sorry." in page.text
        found = await factory.gql(TICKET, {"id": body["ticket_id"]}, token=world.token)
        ticket = found["data"]["ticket"]
        assert ticket["status"] == "OPEN"
        assert ticket["comments"][-1] == {
            "body": "Still jammed, sorry.",
            "authorKind": "CONTACT",
            "authorName": "Jane Doe",
            "isInternal": False,
        }

    async def test_an_empty_reply_shows_the_page_again_with_an_error(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world, body, path = await filed(client, factory, services)
        response = await client.post(path, data={"body": "   "})
        assert response.status_code == 400
        assert "Write your reply" in response.text
        assert 'aria-invalid="true"' in response.text
        found = await factory.gql(TICKET, {"id": body["ticket_id"]}, token=world.token)
        assert len(found["data"]["ticket"]["comments"]) == 1

    async def test_unknown_and_altered_tokens_open_nothing(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        _, _, path = await filed(client, factory, services)
        altered = path[:-1] + ("A" if path[-1] != "A" else "B")
        for probe in (altered, "/portal/tickets/nothing"):
            page = await client.get(probe)
            assert page.status_code == 404
            assert "Printer not working" not in page.text
            reply = await client.post(probe, data={"body": "Let me in"})
            assert reply.status_code == 404
