"""A team member's public reply reaches a requester who wrote in from outside, by mail with a
private link that opens the ticket; an internal note never does. The requester's answer through
that link hands the ticket back to the team and restarts its clocks."""

import httpx

from app.notifications.requesters import REPLY_MAIL_JOB
from app.services import Services
from tests.factories import Factory, gid
from tests.intake.helpers import (
    SUBMIT,
    create_form,
    link_in,
    mail_text,
    outbox,
    path_of,
    submission,
)
from tests.notifications.helpers import queued, run_mail_jobs

COMMENT = "mutation($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }"
UPDATE = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }"
TICKET = "query($id: ID!) { ticket(id: $id) { status sla { paused } } }"


async def filed(client: httpx.AsyncClient, factory: Factory) -> tuple:
    world = await factory.world()
    form = await create_form(factory, world)
    entry = submission(form["slug"])
    body = (await client.post(SUBMIT, json=entry)).json()
    return world, body["ticket_id"], entry["email"]


class TestReplyMail:
    async def test_a_public_reply_is_mailed_with_a_working_status_link(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world, ticket_id, email = await filed(client, factory)
        await run_mail_jobs(services)  # nothing queued for the receipt, which is sent directly
        reply = {"ticketId": ticket_id, "body": "Please power-cycle the printer."}
        await factory.gql(COMMENT, {"i": reply}, token=world.token)
        await run_mail_jobs(services)
        mail = outbox(services.settings, email)[-1]
        assert mail["Subject"].startswith("Re: [#") and "power-cycle" in mail_text(mail)
        page = await client.get(path_of(link_in(mail, "tickets"), services.settings))
        assert page.status_code == 200 and "power-cycle" in page.text

    async def test_an_internal_note_is_never_mailed(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world, ticket_id, email = await filed(client, factory)
        before = len(outbox(services.settings, email))
        note = {"ticketId": ticket_id, "body": "Requester seems confused", "isInternal": True}
        await factory.gql(COMMENT, {"i": note}, token=world.token)
        assert await queued(services, REPLY_MAIL_JOB) == []
        await run_mail_jobs(services)
        assert len(outbox(services.settings, email)) == before

    async def test_a_ticket_made_by_the_team_mails_nobody(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, requester_email="x@example.com")
        await factory.gql(
            COMMENT, {"i": {"ticketId": gid("tkt", ticket.id), "body": "Hi"}}, token=world.token
        )
        assert await queued(services, REPLY_MAIL_JOB) == []

    async def test_the_requesters_answer_hands_the_ticket_back_and_restarts_the_clock(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world, ticket_id, email = await filed(client, factory)
        await factory.gql(
            COMMENT, {"i": {"ticketId": ticket_id, "body": "Which floor?"}}, token=world.token
        )
        await factory.gql(UPDATE, {"i": {"id": ticket_id, "status": "WAITING"}}, token=world.token)
        waiting = await factory.gql(TICKET, {"id": ticket_id}, token=world.token)
        assert waiting["data"]["ticket"] == {"status": "WAITING", "sla": {"paused": True}}
        await run_mail_jobs(services)
        path = path_of(link_in(outbox(services.settings, email)[-1], "tickets"), services.settings)
        answered = await client.post(path, data={"body": "Third floor."})
        assert answered.status_code in (200, 303), answered.text
        back = await factory.gql(TICKET, {"id": ticket_id}, token=world.token)
        assert back["data"]["ticket"] == {"status": "OPEN", "sla": {"paused": False}}
