import asyncio
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.events.models import Event
from app.kit.actors import Actor, ActorKind
from app.services import Services
from app.tenants.models import Tenant
from app.tickets.models import Ticket
from app.tickets.service import NewTicket, TicketChanges, create_ticket, update_ticket
from tests.factories import Factory, World, gid

SYSTEM = Actor(ActorKind.SYSTEM, None, "tests")


async def events_of(services: Services, tenant: Tenant) -> list[Event]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Event).where(Event.tenant_id == tenant.id).order_by(Event.seq)
        )
        return list(rows)


class Announcements:
    """Collects what the database announces after commit."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.seen: list[Any] = []

    async def __call__(self, committed: list[Any]) -> None:
        self.seen.extend(committed)

    def __enter__(self) -> "Announcements":
        self.services.db.event_listeners.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.services.db.event_listeners.remove(self)


class TestEventLog:
    async def test_each_change_writes_its_events_in_order(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant)
        body = await factory.gql(
            """mutation($b: ID!) { createTicket(input: {boardId: $b, title: "VPN"}) {
                 ticket { id } } }""",
            {"b": gid("brd", world.board.id)},
            token=world.token,
        )
        ticket_id = body["data"]["createTicket"]["ticket"]["id"]
        await factory.gql(
            """mutation($t: ID!, $a: ID!) { updateTicket(input: {id: $t, status: RESOLVED,
                 assigneeId: $a, priority: HIGH}) { ticket { id } } }""",
            {"t": ticket_id, "a": gid("usr", agent.id)},
            token=world.token,
        )
        await factory.gql(
            """mutation($t: ID!) { addComment(input: {ticketId: $t, body: "Still down",
                 authorKind: CONTACT}) { comment { id } } }""",
            {"t": ticket_id},
            token=world.token,
        )
        log = await events_of(services, world.tenant)
        assert [event.seq for event in log] == list(range(1, len(log) + 1))
        assert [event.type for event in log] == [
            "ticket_created",
            "status_changed",
            "ticket_resolved",
            "assigned",
            "ticket_updated",
            "notification_created",  # the new assignee is told, on their own topic
            "status_changed",
            "comment_added",
        ]
        assert log[1].payload["changes"] == {"status": {"old": "open", "new": "resolved"}}
        assert log[4].payload["changes"] == {"priority": {"old": "medium", "new": "high"}}
        assert log[5].topics == [f"user:{agent.id}"] and log[5].internal
        assert log[6].actor["kind"] == "contact"
        assert log[7].payload["ticket"]["status"] == "open"
        admin = world.admin
        assert log[0].actor == {"kind": "user", "id": gid("usr", admin.id), "name": admin.name}
        ticket_pk = ticket_id.removeprefix("tkt_")
        assert all(
            event.topics == [f"board:{world.board.id}", f"ticket:{ticket_pk}"]
            for event in log
            if event.type != "notification_created"
        )

    async def test_a_rolled_back_change_leaves_no_event_and_announces_nothing(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        with Announcements(services) as heard, pytest.raises(RuntimeError):
            async with services.db.transaction() as work:
                await create_ticket(
                    work.session, world.tenant.id, SYSTEM, NewTicket(world.board.id, "Lost")
                )
                raise RuntimeError("crash before commit")
        assert await events_of(services, world.tenant) == []
        assert heard.seen == []

    async def test_announcements_follow_the_commit(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        with Announcements(services) as heard:
            ticket = await factory.ticket(world.tenant, world.board)
        assert [(c.tenant_id, c.seq) for c in heard.seen] == [(world.tenant.id, 1)]
        assert ticket.number == 1

    async def test_concurrent_writers_get_gapless_seq_in_commit_order(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        tickets = [await factory.ticket(world.tenant, world.board) for _ in range(5)]

        async def bump(ticket: Ticket, n: int) -> None:
            async with services.db.transaction() as work:
                await update_ticket(
                    work.session,
                    world.tenant.id,
                    SYSTEM,
                    ticket.id,
                    TicketChanges(title=f"Edit {n}"),
                )

        await asyncio.gather(*(bump(tickets[n % 5], n) for n in range(40)))
        log = await events_of(services, world.tenant)
        assert [event.seq for event in log] == list(range(1, 46))

    async def test_history_cannot_be_rewritten(self, factory: Factory, services: Services) -> None:
        world: World = await factory.world()
        await factory.ticket(world.tenant, world.board)
        with pytest.raises(DBAPIError, match="append-only"):
            async with services.db.transaction() as work:
                await work.session.execute(
                    text("UPDATE events SET type = 'forged' WHERE tenant_id = :t"),
                    {"t": world.tenant.id},
                )
        assert [event.type for event in await events_of(services, world.tenant)] == [
            "ticket_created"
        ]
