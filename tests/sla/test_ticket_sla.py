"""Ticket SLAs end to end: a tenant's policy sets the deadlines, waiting on the requester
pauses them, the first public reply meets the first, and the sweep warns and reports breaches
exactly once, even when two sweeps run at the same time."""

import asyncio
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Role
from app.events.models import Event
from app.kit.models import utcnow
from app.services import Services
from app.sla import clocks
from app.sla.models import TicketSla
from app.sla.monitor import sweep
from app.tickets.models import Ticket, TicketStatus
from tests.factories import Factory, World, error_codes, gid
from tests.notifications.helpers import NOTIFICATIONS

POLICY = """mutation($i: UpdateTicketSlaPolicyInput!) {
  updateTicketSlaPolicy(input: $i) { policy { timeZone alwaysOpen workDays holidays
    targets { priority firstResponseMinutes resolutionMinutes } } }
}"""
SLA = """query($id: ID!) { ticket(id: $id) { createdAt
  sla { firstResponseDueAt resolutionDueAt firstRespondedAt breached paused } } }"""
COMMENT = "mutation($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }"


async def tight_policy(factory: Factory, world: World) -> None:
    """Round the clock, with one and two minutes for every priority."""
    targets = [
        {"priority": p, "firstResponseMinutes": 1, "resolutionMinutes": 2}
        for p in ("CRITICAL", "HIGH", "MEDIUM", "LOW")
    ]
    body = await factory.gql(POLICY, {"i": {"targets": targets}}, token=world.token)
    assert error_codes(body) == [], body


async def sla_of(services: Services, ticket: Ticket) -> TicketSla:
    async with services.db.read() as session:
        found = await session.get(TicketSla, ticket.id)
    assert found is not None
    return found


async def sla_events(services: Services, ticket: Ticket) -> list[tuple[str, str]]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Event)
            .where(Event.tenant_id == ticket.tenant_id, Event.type.like("sla_%"))
            .where(Event.topics.contains([f"ticket:{ticket.id}"]))
            .order_by(Event.seq)
        )
        return [(row.type, row.payload["changes"]["sla"]["target"]) for row in rows]


class TestPolicy:
    async def test_an_admin_sets_business_hours_and_holidays(self, factory: Factory) -> None:
        world = await factory.world()
        changes = {
            "timeZone": "Europe/London",
            "alwaysOpen": False,
            "workDays": [1, 2, 3, 4, 5],
            "holidays": ["2026-12-25"],
            "targets": [
                {"priority": "HIGH", "firstResponseMinutes": 120, "resolutionMinutes": 960}
            ],
        }
        body = await factory.gql(POLICY, {"i": changes}, token=world.token)
        policy = body["data"]["updateTicketSlaPolicy"]["policy"]
        assert (policy["timeZone"], policy["alwaysOpen"], policy["holidays"]) == (
            "Europe/London",
            False,
            ["2026-12-25"],
        )
        high = next(t for t in policy["targets"] if t["priority"] == "HIGH")
        assert (high["firstResponseMinutes"], high["resolutionMinutes"]) == (120, 960)
        audit = await factory.gql(
            "query { auditLog(first: 10) { edges { node { action details } } } }",
            token=world.token,
        )
        (entry,) = [
            edge["node"]
            for edge in audit["data"]["auditLog"]["edges"]
            if edge["node"]["action"] == "sla_policy.updated"
        ]
        assert entry["details"]["time_zone"] == "Europe/London"
        assert entry["details"]["holidays"] == ["2026-12-25"]

    async def test_a_calendar_without_working_days_is_refused(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(
            POLICY, {"i": {"workDays": [], "alwaysOpen": False}}, token=world.token
        )
        assert error_codes(body) == ["VALIDATION_ERROR"]
        again = await factory.gql("query { ticketSlaPolicy { alwaysOpen } }", token=world.token)
        assert again["data"]["ticketSlaPolicy"]["alwaysOpen"] is True

    async def test_an_unknown_time_zone_is_refused(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(POLICY, {"i": {"timeZone": "Mars/Olympus"}}, token=world.token)
        assert error_codes(body) == ["VALIDATION_ERROR"]


class TestDeadlines:
    async def test_a_new_ticket_gets_deadlines_from_its_priority(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, priority="critical")
        body = await factory.gql(SLA, {"id": gid("tkt", ticket.id)}, token=world.token)
        sla = body["data"]["ticket"]["sla"]
        due = ticket.created_at + timedelta(hours=1)
        assert sla["firstResponseDueAt"] == due.isoformat()
        assert sla["resolutionDueAt"] == (ticket.created_at + timedelta(hours=4)).isoformat()
        assert (sla["breached"], sla["paused"], sla["firstRespondedAt"]) == (False, False, None)

    async def test_waiting_on_the_requester_pushes_deadlines_back_by_the_wait(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, priority="high")
        before = await sla_of(services, ticket)
        async with services.db.transaction() as work:
            held = await work.session.get(Ticket, ticket.id)
            assert held is not None
            held.status = TicketStatus.WAITING
            await clocks.follow(work.session, held, now=ticket.created_at + timedelta(minutes=10))
            held.status = TicketStatus.IN_PROGRESS
            await clocks.follow(work.session, held, now=ticket.created_at + timedelta(minutes=70))
        after = await sla_of(services, ticket)
        assert after.resolution_due_at - before.resolution_due_at == timedelta(hours=1)
        assert after.first_response_due_at - before.first_response_due_at == timedelta(hours=1)

    async def test_a_waiting_ticket_shows_its_clocks_paused(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        await factory.gql(
            "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }",
            {"i": {"id": gid("tkt", ticket.id), "status": "WAITING"}},
            token=world.token,
        )
        body = await factory.gql(SLA, {"id": gid("tkt", ticket.id)}, token=world.token)
        assert body["data"]["ticket"]["sla"]["paused"] is True

    async def test_the_first_public_reply_meets_the_first_response_target(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        note = {"ticketId": gid("tkt", ticket.id), "body": "Checking logs", "isInternal": True}
        await factory.gql(COMMENT, {"i": note}, token=world.token)
        body = await factory.gql(SLA, {"id": gid("tkt", ticket.id)}, token=world.token)
        assert body["data"]["ticket"]["sla"]["firstRespondedAt"] is None
        reply = {"ticketId": gid("tkt", ticket.id), "body": "Looking into it now."}
        await factory.gql(COMMENT, {"i": reply}, token=world.token)
        body = await factory.gql(SLA, {"id": gid("tkt", ticket.id)}, token=world.token)
        assert body["data"]["ticket"]["sla"]["firstRespondedAt"] is not None


class TestSweep:
    async def test_warnings_and_breaches_are_announced_once_by_concurrent_sweeps(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        await tight_policy(factory, world)
        ticket = await factory.ticket(world.tenant, world.board)
        later = utcnow() + timedelta(minutes=5)
        await asyncio.gather(sweep(services, later), sweep(services, later))
        await sweep(services, later + timedelta(minutes=1))
        assert sorted(await sla_events(services, ticket)) == [
            ("sla_breached", "first_response"),
            ("sla_breached", "resolution"),
            ("sla_warning", "first_response"),
            ("sla_warning", "resolution"),
        ]

    async def test_an_unassigned_breach_notifies_the_admins_and_an_assigned_one_its_agent(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        await tight_policy(factory, world)
        agent = await factory.user(world.tenant, Role.AGENT)
        unassigned = await factory.ticket(world.tenant, world.board, title="Nobody's")
        await factory.ticket(world.tenant, world.board, title="Agent's", assignee_id=agent.id)
        await sweep(services, utcnow() + timedelta(minutes=5))
        admin = await factory.gql(NOTIFICATIONS, token=world.token)
        titles = [e["node"]["title"] for e in admin["data"]["notifications"]["edges"]]
        assert any("Nobody's" in title and "missed" in title for title in titles)
        assert not any("Agent's" in title for title in titles)
        mine = await factory.gql(NOTIFICATIONS, token=await factory.token(agent))
        kinds = {e["node"]["kind"] for e in mine["data"]["notifications"]["edges"]}
        assert {"SLA_WARNING", "SLA_BREACHED"} <= kinds
        assert unassigned.assignee_id is None

    async def test_a_paused_ticket_is_not_reported(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        await tight_policy(factory, world)
        ticket = await factory.ticket(world.tenant, world.board)
        await factory.gql(
            "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }",
            {"i": {"id": gid("tkt", ticket.id), "status": "WAITING"}},
            token=world.token,
        )
        await sweep(services, utcnow() + timedelta(minutes=5))
        assert await sla_events(services, ticket) == []
