from app.auth.models import Role
from app.tickets.models import TicketStatus
from tests.factories import Factory, error_codes, gid

CREATE = """
mutation($input: CreateTicketInput!) {
  createTicket(input: $input) {
    ticket { id number title status priority tags requester { email } }
  }
}"""
UPDATE = """
mutation($input: UpdateTicketInput!) {
  updateTicket(input: $input) { ticket { id status priority assignee { id } resolvedAt } }
}"""
TIMELINE = """query($id: ID!) { ticket(id: $id) { timeline { kind changes actorName } } }"""


class TestCreateTicket:
    async def test_tickets_are_numbered_per_tenant(self, factory: Factory) -> None:
        world, other = await factory.world(), await factory.world()
        numbers = []
        for target in (world, world, other):
            body = await factory.gql(
                CREATE,
                {"input": {"boardId": gid("brd", target.board.id), "title": "VPN down"}},
                token=target.token,
            )
            numbers.append(body["data"]["createTicket"]["ticket"]["number"])
        assert numbers == [1, 2, 1]

    async def test_new_ticket_is_open_medium_with_normalised_email(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(
            CREATE,
            {
                "input": {
                    "boardId": gid("brd", world.board.id),
                    "title": "  Billing portal 403  ",
                    "requesterEmail": "Jane@Example.COM",
                    "tags": ["billing", "billing", "urgent"],
                }
            },
            token=world.token,
        )
        ticket = body["data"]["createTicket"]["ticket"]
        assert ticket["title"] == "Billing portal 403"
        assert (ticket["status"], ticket["priority"]) == ("OPEN", "MEDIUM")
        assert ticket["requester"]["email"] == "jane@example.com"
        assert ticket["tags"] == ["billing", "urgent"]

    async def test_viewer_cannot_create(self, factory: Factory) -> None:
        world = await factory.world()
        viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
        body = await factory.gql(
            CREATE, {"input": {"boardId": gid("brd", world.board.id), "title": "x"}}, token=viewer
        )
        assert error_codes(body) == ["FORBIDDEN"]


class TestUpdateTicket:
    async def test_resolving_and_assigning_are_recorded_on_the_timeline(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        ticket = await factory.ticket(world.tenant, world.board)
        body = await factory.gql(
            UPDATE,
            {
                "input": {
                    "id": gid("tkt", ticket.id),
                    "status": "RESOLVED",
                    "assigneeId": gid("usr", agent.id),
                }
            },
            token=world.token,
        )
        updated = body["data"]["updateTicket"]["ticket"]
        assert updated["status"] == "RESOLVED" and updated["resolvedAt"]
        assert updated["assignee"]["id"] == gid("usr", agent.id)
        timeline = (await factory.gql(TIMELINE, {"id": gid("tkt", ticket.id)}, token=world.token))[
            "data"
        ]["ticket"]["timeline"]
        kinds = {entry["kind"]: entry["changes"] for entry in timeline}
        assert kinds["status_changed"] == {"status": {"old": "open", "new": "resolved"}}
        assert kinds["assigned"] == {"assignee_id": {"old": None, "new": gid("usr", agent.id)}}
        assert all(entry["actorName"] == world.admin.name for entry in timeline[1:])

    async def test_contact_reply_reopens_a_resolved_ticket(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, requester_email="a@example.com")
        await factory.gql(
            UPDATE,
            {"input": {"id": gid("tkt", ticket.id), "status": "RESOLVED"}},
            token=world.token,
        )
        body = await factory.gql(
            """mutation($input: AddCommentInput!) {
                 addComment(input: $input) { comment { authorKind authorEmail } ticket { status } }
               }""",
            {
                "input": {
                    "ticketId": gid("tkt", ticket.id),
                    "body": "Still broken",
                    "authorKind": "CONTACT",
                }
            },
            token=world.token,
        )
        result = body["data"]["addComment"]
        assert result["ticket"]["status"] == TicketStatus.OPEN.name
        assert result["comment"] == {"authorKind": "CONTACT", "authorEmail": "a@example.com"}
