"""Merging a duplicate into another ticket, and undoing it from what the record kept."""

from sqlalchemy import select

from app.comments.models import Comment
from app.services import Services
from app.tickets.models import TicketStatus
from tests.ai.helpers import event_types, reloaded, timeline_kinds
from tests.factories import Factory, error_codes, gid

MERGE = """mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) {
  source { id status mergedIntoId } target { id metadata } } }"""
UNMERGE = """mutation($t: ID!) { unmergeTicket(input: {ticketId: $t}) {
  source { status mergedIntoId } target { metadata } } }"""
BY_NUMBER = "query($q: String!) { tickets(search: $q) { edges { node { number mergedIntoId } } } }"


async def comments_on(services: Services, ticket_id: object) -> list[str]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Comment.body).where(Comment.ticket_id == ticket_id).order_by(Comment.created_at)
        )
    return list(rows)


async def test_merge_moves_comments_and_requester_and_unmerge_restores(
    services: Services, factory: Factory
) -> None:
    world = await factory.world()
    target = await factory.ticket(
        world.tenant, world.board, title="VPN down", requester_email="ann@acme.com"
    )
    source = await factory.ticket(
        world.tenant, world.board, title="VPN broken", requester_email="bob@acme.com"
    )
    await factory.comment(world.tenant, target, body="Looking at the gateway")
    await factory.comment(world.tenant, source, body="Since 9am for me too")
    await factory.gql(
        "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }",
        {"i": {"id": gid("tkt", source.id), "status": "IN_PROGRESS"}},
        token=world.token,
    )
    body = await factory.gql(
        MERGE, {"s": gid("tkt", source.id), "t": gid("tkt", target.id)}, token=world.token
    )
    assert error_codes(body) == [], body
    merged = body["data"]["mergeTickets"]
    assert merged["source"]["status"] == "CLOSED"
    assert merged["source"]["mergedIntoId"] == gid("tkt", target.id)
    assert merged["target"]["metadata"]["merged_requesters"] == [
        {"name": None, "email": "bob@acme.com", "ticket_number": source.number}
    ]
    assert await comments_on(services, target.id) == [
        "Looking at the gateway",
        "Since 9am for me too",
    ]
    assert await comments_on(services, source.id) == []
    found = await factory.gql(BY_NUMBER, {"q": str(source.number)}, token=world.token)
    assert found["data"]["tickets"]["edges"][0]["node"] == {
        "number": source.number,
        "mergedIntoId": gid("tkt", target.id),
    }
    assert "merged" in await timeline_kinds(services, source.id)
    assert "merged_from" in await timeline_kinds(services, target.id)

    again = await factory.gql(
        MERGE, {"s": gid("tkt", source.id), "t": gid("tkt", target.id)}, token=world.token
    )
    assert error_codes(again) == ["CONFLICT"]

    undone = await factory.gql(UNMERGE, {"t": gid("tkt", source.id)}, token=world.token)
    assert error_codes(undone) == [], undone
    restored = undone["data"]["unmergeTicket"]
    assert restored["source"] == {"status": "IN_PROGRESS", "mergedIntoId": None}
    assert restored["target"]["metadata"]["merged_requesters"] == []
    assert await comments_on(services, source.id) == ["Since 9am for me too"]
    assert await comments_on(services, target.id) == ["Looking at the gateway"]
    assert (await reloaded(services, source.id)).status == TicketStatus.IN_PROGRESS
    assert "unmerged" in await timeline_kinds(services, source.id)
    twice = await factory.gql(UNMERGE, {"t": gid("tkt", source.id)}, token=world.token)
    assert error_codes(twice) == ["CONFLICT"]
    assert (await event_types(services, world.tenant.id)).count("status_changed") >= 3


async def test_a_ticket_cannot_merge_into_itself_or_into_a_merged_one(
    factory: Factory,
) -> None:
    world = await factory.world()
    one = await factory.ticket(world.tenant, world.board, title="One")
    two = await factory.ticket(world.tenant, world.board, title="Two")
    three = await factory.ticket(world.tenant, world.board, title="Three")
    itself = await factory.gql(
        MERGE, {"s": gid("tkt", one.id), "t": gid("tkt", one.id)}, token=world.token
    )
    assert error_codes(itself) == ["VALIDATION_ERROR"]
    merged = await factory.gql(
        MERGE, {"s": gid("tkt", two.id), "t": gid("tkt", one.id)}, token=world.token
    )
    assert error_codes(merged) == []
    into_merged = await factory.gql(
        MERGE, {"s": gid("tkt", three.id), "t": gid("tkt", two.id)}, token=world.token
    )
    assert error_codes(into_merged) == ["CONFLICT"]
    assert "merge into the one it joined" in into_merged["errors"][0]["message"]
