"""Workflows at work: the mandatory CSEA workflow from a signed platform event to a critical
case with evidence and a lead, with nobody lifting a finger; tenant workflows matching their
conditions, running each step once per event, and never triggering themselves."""

import uuid

import httpx
from sqlalchemy import select

from app.auth.models import Role
from app.cases.models import CaseTicket, SafetyCase
from app.evidence.models import EvidenceItem
from app.notifications.models import Notification
from app.services import Services
from app.tickets.models import Ticket
from app.workflows.dispatch import dispatch
from app.workflows.runner import run_execution
from tests.factories import Factory, World
from tests.webhooks.helpers import event, new_connector, post_event
from tests.workflows.helpers import BASE, bearer, create, executions, work_through


async def _case_of(services: Services, ticket_id: uuid.UUID) -> list[SafetyCase]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(SafetyCase)
            .join(CaseTicket, CaseTicket.case_id == SafetyCase.id)
            .where(CaseTicket.ticket_id == ticket_id)
        )
    return list(rows)


async def _ticket_of(services: Services, world: World, ticket_gid: str) -> uuid.UUID:
    return uuid.UUID(ticket_gid.removeprefix("tkt_"))


class TestMandatoryCseaWorkflow:
    async def test_a_signed_hash_match_becomes_a_critical_case_with_evidence_and_a_lead(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        secret = await new_connector(services, world.tenant)
        sent = event("csam_hash_match")
        response = await post_event(client, secret, world.api_key, sent)
        assert response.status_code in (200, 201, 202), response.text
        ticket_id = await _ticket_of(services, world, response.json()["id"])
        await work_through(services, world.tenant.id)
        (case,) = await _case_of(services, ticket_id)
        assert (case.case_type, case.priority, case.assignee_id) == ("csea", "critical", lead.id)
        assert case.created_by_name and case.created_by_name.startswith("Workflow: ")
        async with services.db.read() as session:
            evidence = list(
                await session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id))
            )
            notices = list(
                await session.scalars(
                    select(Notification).where(Notification.recipient_id == lead.id)
                )
            )
        assert [item.source_event_id for item in evidence] == [sent["event_id"]]
        assert any(notice.kind == "urgent" for notice in notices)

    async def test_with_no_lead_the_administrators_are_told(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        secret = await new_connector(services, world.tenant)
        response = await post_event(client, secret, world.api_key, event("csam_hash_match"))
        ticket_id = await _ticket_of(services, world, response.json()["id"])
        await work_through(services, world.tenant.id)
        (case,) = await _case_of(services, ticket_id)
        assert case.assignee_id is None
        async with services.db.read() as session:
            told = list(
                await session.scalars(
                    select(Notification).where(Notification.recipient_id == world.admin.id)
                )
            )
        assert any("No active member holds the role safeguarding_lead" in n.title for n in told)

    async def test_a_ticket_reported_as_csea_opens_one_case_however_often_it_is_matched(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        ticket = await factory.ticket(world.tenant, world.board, category="csea_concern")
        await work_through(services, world.tenant.id)
        # Dispatching the same events again (a retried job) makes no second run.
        assert await dispatch(services, world.tenant.id) == 0
        cases = await _case_of(services, ticket.id)
        assert [(c.case_type, c.priority) for c in cases] == [("csea", "critical")]


class TestTenantWorkflows:
    async def _workflow(
        self, client: httpx.AsyncClient, world: World, trigger: dict, steps: list
    ) -> uuid.UUID:
        body = {"name": "Under test", "trigger": trigger, "steps": steps, "active": True}
        response = await create(client, world.token, body)
        assert response.status_code == 201, response.text
        return uuid.UUID(response.json()["id"].removeprefix("wfl_"))

    async def test_conditions_pick_the_tickets_and_steps_run_once(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        wanted = {"priority": {"in": ["high", "critical"]}, "title": {"contains": "refund"}}
        trigger = {"event": "ticket.created", "conditions": wanted}
        steps = [
            {"order": 1, "action": "add_tag", "config": {"tag": "refunds"}},
            {"order": 2, "action": "set_priority", "config": {"priority": "critical"}},
            {"order": 3, "action": "add_internal_note", "config": {"body": "Refund desk, please."}},
        ]
        pk = await self._workflow(client, world, trigger, steps)
        hit = await factory.ticket(
            world.tenant, world.board, title="Refund please", priority="high"
        )
        missed = await factory.ticket(
            world.tenant, world.board, title="Refund please", priority="low"
        )
        await work_through(services, world.tenant.id)
        async with services.db.read() as session:
            hit_now = await session.get(Ticket, hit.id, populate_existing=True)
            missed_now = await session.get(Ticket, missed.id, populate_existing=True)
        assert hit_now and missed_now
        assert (hit_now.tags, hit_now.priority) == (["refunds"], "critical")
        assert (missed_now.tags, missed_now.priority) == ([], "low")
        (run,) = await executions(services, pk)
        assert run.status == "completed"
        assert [line["outcome"] for line in run.log] == ["done", "done", "done"]
        # Running the finished run again (a redelivered job) does nothing more.
        await run_execution(services, run.id)
        assert len((await executions(services, pk))[0].log) == 3

    async def test_a_workflow_never_triggers_itself(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        steps = [{"order": 1, "action": "add_tag", "config": {"tag": "seen"}}]
        first = await self._workflow(client, world, {"event": "ticket.updated"}, steps)
        steps = [{"order": 1, "action": "add_tag", "config": {"tag": "seen-too"}}]
        second = await self._workflow(client, world, {"event": "ticket.updated"}, steps)
        ticket = await factory.ticket(world.tenant, world.board)
        headers = bearer(world.token)
        query = (
            'mutation($id: ID!) { updateTicket(input: {id: $id, title: "Changed"}) '
            "{ ticket { id } } }"
        )
        body = await factory.gql(query, {"id": f"tkt_{ticket.id}"}, token=world.token)
        assert not body.get("errors"), body
        await work_through(services, world.tenant.id)
        # Each ran for the person's change and for the other's tag, never for its own.
        assert len(await executions(services, first)) == 2
        assert len(await executions(services, second)) == 2
        async with services.db.read() as session:
            now = await session.get(Ticket, ticket.id, populate_existing=True)
        assert now and sorted(now.tags) == ["seen", "seen-too"]
        listed = await client.get(f"{BASE}/wfl_{first}/executions", headers=headers)
        assert listed.status_code == 200, listed.text
        assert listed.json()["data"][0]["steps"][0]["action"] == "add_tag"

    async def test_a_failing_step_is_retried_from_where_it_failed(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        steps = [
            {"order": 1, "action": "add_tag", "config": {"tag": "first"}},
            {"order": 2, "action": "assign_to_role", "config": {"role": "senior_agent"}},
        ]
        pk = await self._workflow(client, world, {"event": "ticket.created"}, steps)
        await factory.ticket(world.tenant, world.board)
        await work_through(services, world.tenant.id)
        (run,) = await executions(services, pk)
        assert (run.status, run.attempts, run.next_step) == ("retrying", 1, 1)
        assert run.log[-1]["outcome"] == "failed"
        assert "senior_agent" in run.log[-1]["detail"]
        for _ in range(3):
            await run_execution(services, run.id)
        (run,) = await executions(services, pk)
        assert (run.status, run.attempts) == ("failed", 4)
        assert [line["action"] for line in run.log].count("add_tag") == 1
