"""Internal notes are for the team that works tickets: viewers never receive them.

Checked on every way a comment is read over GraphQL: a ticket's comments through the
DataLoader (`ticket`, `node`), a page of tickets through the look-ahead prefetch (`board`,
`tickets`), and a comment by its own id. Leaving them out is part of the query, so reading as a
viewer costs the same statements as reading as an agent."""

from dataclasses import dataclass
from typing import Any

import pytest

from app.auth.models import Role
from app.comments.models import Comment
from app.tickets.models import Ticket
from tests.conftest import StatementCounter
from tests.factories import Factory, World, error_codes, gid

NOTE = "Requester matches a known chargeback ring"
REPLY = "We are looking into it"

TICKET = "query($id: ID!) { ticket(id: $id) { comments { id body isInternal } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Ticket { comments { id body isInternal } } } }"
BOARD = """query($id: ID!) { board(id: $id) { tickets(first: 50) { edges { node {
  id comments { id body isInternal author { name } } } } } } }"""
TICKETS = "query { tickets(first: 50) { edges { node { id comments { id body isInternal } } } } }"
COMMENT = "query($id: ID!) { node(id: $id) { ... on Comment { id body isInternal } } }"


@dataclass
class Desk:
    world: World
    tickets: list[Ticket]
    notes: list[Comment]
    replies: list[Comment]
    agent: str
    viewer: str
    viewer_key: str


@pytest.fixture
async def desk(factory: Factory) -> Desk:
    """Three tickets, each with a public reply and an internal note."""
    world = await factory.world()
    tickets, notes, replies = [], [], []
    for n in range(3):
        ticket = await factory.ticket(world.tenant, world.board, title=f"Ticket {n}")
        replies.append(await factory.comment(world.tenant, ticket, body=f"{REPLY} {n}"))
        notes.append(
            await factory.comment(world.tenant, ticket, body=f"{NOTE} {n}", is_internal=True)
        )
        tickets.append(ticket)
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
    viewer_key = await factory.api_key(world.tenant, Role.VIEWER)
    return Desk(world, tickets, notes, replies, agent, viewer, viewer_key)


def comments_of(body: dict[str, Any]) -> dict[str, list[str]]:
    """Comment ids per ticket from a `board` or `tickets` answer."""
    assert error_codes(body) == [], body
    data = body["data"]
    connection = data["board"]["tickets"] if "board" in data else data["tickets"]
    return {
        edge["node"]["id"]: [comment["id"] for comment in edge["node"]["comments"]]
        for edge in connection["edges"]
    }


def expected(desk: Desk, *, internal: bool) -> dict[str, list[str]]:
    return {
        gid("tkt", ticket.id): [gid("cmt", reply.id)] + ([gid("cmt", note.id)] if internal else [])
        for ticket, reply, note in zip(desk.tickets, desk.replies, desk.notes, strict=True)
    }


def viewers(desk: Desk) -> list[dict[str, str]]:
    return [{"token": desk.viewer}, {"api_key": desk.viewer_key}]


@pytest.mark.parametrize("query", [TICKET, NODE], ids=["ticket", "node"])
async def test_a_tickets_comments_leave_out_notes_for_viewers(
    factory: Factory, desk: Desk, query: str
) -> None:
    ticket, reply, note = desk.tickets[0], desk.replies[0], desk.notes[0]
    variables = {"id": gid("tkt", ticket.id)}
    root = "ticket" if query is TICKET else "node"

    body = await factory.gql(query, variables, token=desk.agent)
    assert error_codes(body) == [], body
    assert body["data"][root]["comments"] == [
        {"id": gid("cmt", reply.id), "body": reply.body, "isInternal": False},
        {"id": gid("cmt", note.id), "body": note.body, "isInternal": True},
    ]
    for credentials in viewers(desk):
        body = await factory.gql(query, variables, **credentials)
        assert error_codes(body) == [], body
        assert body["data"][root]["comments"] == [
            {"id": gid("cmt", reply.id), "body": reply.body, "isInternal": False}
        ]
        assert NOTE not in str(body)


@pytest.mark.parametrize("query", [BOARD, TICKETS], ids=["board", "tickets"])
async def test_a_page_of_tickets_leaves_out_notes_for_viewers(
    factory: Factory, desk: Desk, query: str
) -> None:
    variables = {"id": gid("brd", desk.world.board.id)} if query is BOARD else {}
    agent = await factory.gql(query, variables, token=desk.agent)
    admin = await factory.gql(query, variables, api_key=desk.world.api_key)
    assert comments_of(agent) == comments_of(admin) == expected(desk, internal=True)
    for credentials in viewers(desk):
        body = await factory.gql(query, variables, **credentials)
        assert comments_of(body) == expected(desk, internal=False)
        assert NOTE not in str(body)


async def test_a_note_by_its_own_id_is_not_there_for_viewers(factory: Factory, desk: Desk) -> None:
    note, reply = gid("cmt", desk.notes[0].id), gid("cmt", desk.replies[0].id)
    agent = await factory.gql(COMMENT, {"id": note}, token=desk.agent)
    assert agent == {"data": {"node": {"id": note, "body": desk.notes[0].body, "isInternal": True}}}
    for credentials in viewers(desk):
        assert await factory.gql(COMMENT, {"id": note}, **credentials) == {"data": {"node": None}}
        public = await factory.gql(COMMENT, {"id": reply}, **credentials)
        assert public["data"]["node"]["id"] == reply


async def test_viewers_read_a_page_with_the_same_statements_as_agents(
    factory: Factory, desk: Desk, statements: StatementCounter
) -> None:
    counts = []
    for credentials in ({"token": desk.agent}, {"token": desk.viewer}):
        statements.count = 0
        body = await factory.gql(BOARD, {"id": gid("brd", desk.world.board.id)}, **credentials)
        assert error_codes(body) == [], body
        counts.append(statements.count)
    # Sign-in check, board, ticket page, one batch of comments (written by the system, so no
    # batch of people): the same for both, whatever the number of tickets.
    assert counts == [4, 4]
