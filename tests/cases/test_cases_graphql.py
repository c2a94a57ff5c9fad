"""Safety cases through GraphQL: opening, linking, assigning, moving them on, who sees CSEA
cases, the timeline and audit chain every change leaves, live events and batched loading."""

from typing import Any

import pytest
from sqlalchemy import select

from app.audit.service import verify_chain
from app.auth.models import Role, User
from app.cases.models import CaseType
from app.events.models import Event
from app.services import Services
from app.tickets.models import Priority
from tests.cases.helpers import CASE_FIELDS, add_referral, open_case, staff
from tests.conftest import StatementCounter
from tests.factories import Factory, World, error_codes, gid

CREATE = (
    f"""mutation($i: CreateCaseInput!) {{ createCase(input: $i) {{ case {{ {CASE_FIELDS} }} }} }}"""
)
CASE = f"query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on SafetyCase { subject } } }"
LIST = """query($status: CaseStatus, $type: CaseType, $first: Int, $after: String) {
  cases(status: $status, caseType: $type, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id number caseType } }
  }
}"""
TRANSITION = """mutation($i: TransitionCaseInput!) {
  transitionCase(input: $i) { previousStatus case { status closedAt timeline { type reason } } }
}"""
ASSIGN = "mutation($i: AssignCaseInput!) { assignCase(input: $i) { case { assignee { id } } } }"
LINK = """mutation($i: LinkTicketToCaseInput!) {
  linkTicketToCase(input: $i) { case { tickets { id } } }
}"""


async def create(factory: Factory, token: str, **fields: Any) -> dict[str, Any]:
    variables = {"caseType": "HARASSMENT", "priority": "HIGH", "subject": "Pile-on", **fields}
    return await factory.gql(CREATE, {"i": variables}, token=token)


async def tokens_by_role(factory: Factory, world: World) -> dict[str, str]:
    people = await staff(factory, world)
    return {role: await factory.token(user) for role, user in people.items()}


class TestCreate:
    async def test_a_case_opens_with_its_tickets_timeline_and_audit_entry(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        body = await create(
            factory,
            world.token,
            caseType="CSEA",
            priority="CRITICAL",
            subject="Hash match",
            description="PhotoDNA match on an upload",
            ticketIds=[gid("tkt", ticket.id)],
            assigneeId=gid("usr", lead.id),
        )
        assert error_codes(body) == [], body
        case = body["data"]["createCase"]["case"]
        assert case["number"] == 1
        assert (case["caseType"], case["status"], case["priority"]) == ("CSEA", "OPEN", "CRITICAL")
        assert case["tickets"] == [{"id": gid("tkt", ticket.id)}]
        assert case["assignee"] == {"id": gid("usr", lead.id)}
        assert case["referral"] is None and case["closedAt"] is None
        assert case["createdBy"] == world.admin.name
        (created,) = case["timeline"]
        assert (created["type"], created["actorName"]) == ("case_created", world.admin.name)
        async with services.db.read() as session:
            report = await verify_chain(session, world.tenant.id)
        assert report.ok and report.checked_rows == 1
        second = await create(factory, world.token)
        assert second["data"]["createCase"]["case"]["number"] == 2

    @pytest.mark.parametrize("role", [Role.AGENT])
    async def test_only_leads_and_admins_open_csea_cases(
        self, factory: Factory, role: Role
    ) -> None:
        world = await factory.world()
        token = await factory.token(await factory.user(world.tenant, role))
        body = await create(factory, token, caseType="CSEA")
        assert error_codes(body) == ["FORBIDDEN"]
        listed = await factory.gql(LIST, {}, token=world.token)
        assert listed["data"]["cases"]["totalCount"] == 0

    async def test_a_csea_case_cannot_go_to_someone_who_may_not_see_it(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        body = await create(factory, world.token, caseType="CSEA", assigneeId=gid("usr", agent.id))
        assert error_codes(body) == ["VALIDATION_ERROR"]

    async def test_a_blank_subject_and_unknown_ticket_are_refused(self, factory: Factory) -> None:
        world = await factory.world()
        assert error_codes(await create(factory, world.token, subject="  ")) == ["VALIDATION_ERROR"]
        missing = "tkt_00000000-0000-0000-0000-000000000000"
        assert error_codes(await create(factory, world.token, ticketIds=[missing])) == ["NOT_FOUND"]
        listed = await factory.gql(LIST, {}, token=world.token)
        assert listed["data"]["cases"]["totalCount"] == 0


class TestVisibility:
    @pytest.mark.parametrize(
        ("role", "sees"),
        [("admin", True), ("safeguarding_lead", True), ("agent", False), ("viewer", False)],
    )
    async def test_csea_cases_exist_only_for_leads_and_admins(
        self, services: Services, factory: Factory, role: str, sees: bool
    ) -> None:
        world = await factory.world()
        csea = await open_case(services, world.admin, CaseType.CSEA, Priority.CRITICAL)
        other = await open_case(services, world.admin, CaseType.FRAUD)
        token = (await tokens_by_role(factory, world))[role]
        listed = (await factory.gql(LIST, {}, token=token))["data"]["cases"]
        ids = [edge["node"]["id"] for edge in listed["edges"]]
        expected = [gid("cas", csea.id), gid("cas", other.id)] if sees else [gid("cas", other.id)]
        assert sorted(ids) == sorted(expected)
        assert listed["totalCount"] == len(expected)
        filtered = await factory.gql(LIST, {"type": "CSEA"}, token=token)
        assert filtered["data"]["cases"]["totalCount"] == (1 if sees else 0)
        one = await factory.gql(CASE, {"id": gid("cas", csea.id)}, token=token)
        node = await factory.gql(NODE, {"id": gid("cas", csea.id)}, token=token)
        assert error_codes(one) == error_codes(node) == []
        assert (one["data"]["case"] is not None) is sees
        assert (node["data"]["node"] is not None) is sees
        visible = await factory.gql(CASE, {"id": gid("cas", other.id)}, token=token)
        assert visible["data"]["case"]["id"] == gid("cas", other.id)

    async def test_an_agent_changing_a_csea_case_finds_nothing(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        csea = await open_case(services, world.admin, CaseType.CSEA)
        ticket = await factory.ticket(world.tenant, world.board)
        agent = await factory.user(world.tenant, Role.AGENT)
        token = await factory.token(agent)
        case_id = gid("cas", csea.id)
        attempts = [
            (TRANSITION, {"id": case_id, "status": "INVESTIGATING", "reason": "Look"}),
            (ASSIGN, {"id": case_id, "assigneeId": gid("usr", agent.id)}),
            (LINK, {"caseId": case_id, "ticketId": gid("tkt", ticket.id)}),
        ]
        before = await factory.gql(CASE, {"id": case_id}, token=world.token)
        for document, variables in attempts:
            body = await factory.gql(document, {"i": variables}, token=token)
            assert error_codes(body) == ["NOT_FOUND"], body
        assert await factory.gql(CASE, {"id": case_id}, token=world.token) == before


class TestChanges:
    async def test_transition_refusals_carry_their_code(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        case = await open_case(services, world.admin, CaseType.CSEA)
        variables = {"i": {"id": gid("cas", case.id), "status": "CLOSED", "reason": "Done"}}
        refused = await factory.gql(TRANSITION, variables, token=world.token)
        assert error_codes(refused) == ["INVALID_TRANSITION"]
        assert refused["data"] is None
        variables["i"]["status"] = "INVESTIGATING"
        moved = await factory.gql(TRANSITION, variables, token=world.token)
        assert moved["data"]["transitionCase"]["previousStatus"] == "OPEN"
        variables["i"]["status"] = "CLOSED"
        refused = await factory.gql(TRANSITION, variables, token=world.token)
        assert error_codes(refused) == ["REFERRAL_REQUIRED"]
        await add_referral(services, case)
        closed = await factory.gql(TRANSITION, variables, token=world.token)
        result = closed["data"]["transitionCase"]
        assert result["case"]["status"] == "CLOSED" and result["case"]["closedAt"]
        assert result["case"]["timeline"][-1] == {"type": "status_changed", "reason": "Done"}
        referral = await factory.gql(CASE, {"id": gid("cas", case.id)}, token=world.token)
        assert referral["data"]["case"]["referral"] == {"status": "SUBMITTED"}

    async def test_linking_and_assigning_are_recorded(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        case = await open_case(services, world.admin)
        ticket = await factory.ticket(world.tenant, world.board)
        agent = await factory.user(world.tenant, Role.AGENT)
        link = {"i": {"caseId": gid("cas", case.id), "ticketId": gid("tkt", ticket.id)}}
        linked = await factory.gql(LINK, link, token=world.token)
        assert linked["data"]["linkTicketToCase"]["case"]["tickets"] == [
            {"id": gid("tkt", ticket.id)}
        ]
        assert error_codes(await factory.gql(LINK, link, token=world.token)) == ["CONFLICT"]
        assign: dict[str, dict[str, Any]] = {
            "i": {"id": gid("cas", case.id), "assigneeId": gid("usr", agent.id)}
        }
        assigned = await factory.gql(ASSIGN, assign, token=world.token)
        assert assigned["data"]["assignCase"]["case"]["assignee"] == {"id": gid("usr", agent.id)}
        assign["i"]["assigneeId"] = None
        assign["i"]["reason"] = "Back to the queue"
        unassigned = await factory.gql(ASSIGN, assign, token=world.token)
        assert unassigned["data"]["assignCase"]["case"]["assignee"] is None
        body = await factory.gql(CASE, {"id": gid("cas", case.id)}, token=world.token)
        entries = body["data"]["case"]["timeline"]
        assert [entry["type"] for entry in entries] == [
            "case_created",
            "ticket_linked",
            "assigned",
            "assigned",
        ]
        assert entries[1]["details"] == {"ticket_id": gid("tkt", ticket.id)}
        assert entries[3]["reason"] == "Back to the queue"
        assert entries[3]["details"] == {"assignee_id": {"old": gid("usr", agent.id), "new": None}}

    async def test_every_change_extends_an_intact_audit_chain(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        created = await create(factory, world.token)
        case_id = created["data"]["createCase"]["case"]["id"]
        steps = [
            (LINK, {"caseId": case_id, "ticketId": gid("tkt", ticket.id)}),
            (ASSIGN, {"id": case_id, "assigneeId": gid("usr", world.admin.id)}),
            (TRANSITION, {"id": case_id, "status": "INVESTIGATING", "reason": "Triage"}),
            (TRANSITION, {"id": case_id, "status": "CLOSED", "reason": "Handled"}),
            (TRANSITION, {"id": case_id, "status": "INVESTIGATING", "reason": "New report"}),
        ]
        for document, variables in steps:
            body = await factory.gql(document, {"i": variables}, token=world.token)
            assert error_codes(body) == [], body
        refused = await factory.gql(
            TRANSITION, {"i": {**steps[-1][1], "reason": "Again"}}, token=world.token
        )
        assert error_codes(refused) == ["SAME_STATUS"]
        async with services.db.read() as session:
            report = await verify_chain(session, world.tenant.id)
            rows = await session.scalars(
                select(Event.type).where(Event.tenant_id == world.tenant.id).order_by(Event.seq)
            )
            events = [row for row in rows if row.startswith("case") or row == "ticket_linked"]
        assert report.ok and report.checked_rows == 6
        log = await factory.gql(
            "query { auditLog(first: 10) { edges { node { action subjectId reason } } } }",
            token=world.token,
        )
        actions = [edge["node"] for edge in log["data"]["auditLog"]["edges"]][::-1]
        assert [entry["action"] for entry in actions] == [
            "case.created",
            "case.ticket_linked",
            "case.assigned",
            "case.status_changed",
            "case.status_changed",
            "case.status_changed",
        ]
        assert {entry["subjectId"] for entry in actions} == {case_id}
        assert actions[-1]["reason"] == "New report"
        assert events == [
            "case_created",
            "ticket_linked",
            "case_assigned",
            "case_status_changed",
            "case_status_changed",
            "case_status_changed",
        ]

    async def test_csea_events_stay_off_the_queue_for_those_who_cannot_see_them(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        csea = await open_case(services, world.admin, CaseType.CSEA)
        fraud = await open_case(services, world.admin, CaseType.FRAUD)
        async with services.db.read() as session:
            rows = list(
                await session.scalars(select(Event).where(Event.tenant_id == world.tenant.id))
            )
        topics = {row.payload["case"]["id"]: set(row.topics) for row in rows}
        assert topics[str(csea.id)] == {f"case:{csea.id}", "cases:all"}
        assert topics[str(fraud.id)] == {f"case:{fraud.id}", "cases", "cases:all"}


NESTED = """query($first: Int, $after: String) {
  cases(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { number assignee { name } tickets { title } timeline { type }
      referral { status } slaBreached } }
  }
}"""


async def busy_tenant(services: Services, factory: Factory, size: int) -> tuple[World, User]:
    world = await factory.world()
    agent = await factory.user(world.tenant, Role.AGENT)
    for number in range(size):
        ticket = await factory.ticket(world.tenant, world.board, title=f"Report {number}")
        case = await open_case(
            services, world.admin, CaseType.FRAUD, ticket_ids=[ticket.id], assignee_id=agent.id
        )
        await add_referral(services, case)
    return world, agent


async def test_statements_do_not_grow_with_the_number_of_cases(
    services: Services, factory: Factory, statements: StatementCounter
) -> None:
    counts = []
    for size in (3, 40):
        world, agent = await busy_tenant(services, factory, size)
        statements.count = 0
        body = await factory.gql(NESTED, {"first": size}, token=world.token)
        counts.append(statements.count)
        connection = body["data"]["cases"]
        assert connection["totalCount"] == size
        nodes = [edge["node"] for edge in connection["edges"]]
        assert [node["number"] for node in nodes] == list(range(size, 0, -1))
        for node in nodes:
            assert node["assignee"] == {"name": agent.name}
            assert node["tickets"] == [{"title": f"Report {node['number'] - 1}"}]
            assert node["timeline"] == [{"type": "case_created"}]
            assert node["referral"] == {"status": "SUBMITTED"}
    # Sign-in check, the page, the count, then one batch each for assignees, tickets,
    # timelines and referrals.
    assert counts[0] == counts[1] == 7


async def test_pages_follow_each_other_without_gaps(services: Services, factory: Factory) -> None:
    world = await factory.world()
    for _ in range(5):
        await open_case(services, world.admin)
    seen, after = [], None
    for _ in range(3):
        body = await factory.gql(LIST, {"first": 2, "after": after}, token=world.token)
        connection = body["data"]["cases"]
        seen += [edge["node"]["number"] for edge in connection["edges"]]
        after = connection["pageInfo"]["endCursor"]
    assert seen == [5, 4, 3, 2, 1]
    assert connection["pageInfo"]["hasNextPage"] is False
    bad = await factory.gql(LIST, {"after": "not-a-cursor"}, token=world.token)
    assert error_codes(bad) == ["VALIDATION_ERROR"]
