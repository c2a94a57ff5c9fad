"""Cross-tenant probes for safety cases: tenant B's admin (by token and by API key) aims every
case query and mutation at tenant A's cases, tickets and users, and finds nothing: NOT_FOUND or
null, only B's own cases, no string of A's in the answer, and A's cases unchanged. A's admin
running the same documents finds A's objects, so no probe passes vacuously."""

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from app.auth.models import Role, User
from app.cases.models import CaseType, SafetyCase
from app.services import Services
from app.tickets.models import Priority, Ticket
from tests.cases.helpers import open_case
from tests.factories import Factory, World, error_codes, gid

COVERS = {
    "Query.cases",
    "Query.case",
    "Mutation.createCase",
    "Mutation.linkTicketToCase",
    "Mutation.transitionCase",
    "Mutation.assignCase",
    "Mutation.setCasePriority",
    "Mutation.setCaseSla",
}
CREDENTIALS = ("token", "api_key")

FIELDS = "id subject status priority slaDeadline assignee { id } tickets { id } timeline { type }"
LIST = (
    "query($type: CaseType) { cases(caseType: $type) "
    f"{{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}"
)
ONE = f"query($id: ID!) {{ case(id: $id) {{ {FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on SafetyCase { subject } } }"
CREATE = "mutation($i: CreateCaseInput!) { createCase(input: $i) { case { id subject } } }"
LINK = "mutation($i: LinkTicketToCaseInput!) { linkTicketToCase(input: $i) { case { id } } }"
TRANSITION = "mutation($i: TransitionCaseInput!) { transitionCase(input: $i) { previousStatus } }"
ASSIGN = "mutation($i: AssignCaseInput!) { assignCase(input: $i) { case { id } } }"
PRIORITY = "mutation($i: SetCasePriorityInput!) { setCasePriority(input: $i) { case { id } } }"
SLA = "mutation($i: SetCaseSlaInput!) { setCaseSla(input: $i) { minutes } }"


@dataclass
class Side:
    """A tenant with a CSEA case and a harassment case, a spare ticket and an agent."""

    world: World
    word: str
    csea: SafetyCase
    case: SafetyCase
    ticket: Ticket
    agent: User

    def markers(self) -> list[str]:
        ids = [self.world.tenant.id, self.csea.id, self.case.id, self.ticket.id, self.agent.id]
        return [self.word, *(str(value) for value in ids)]


async def build_side(services: Services, factory: Factory) -> Side:
    world = await factory.world()
    word = f"zq{uuid.uuid4().hex[:12]}"
    ticket = await factory.ticket(world.tenant, world.board, title=f"Ticket {word}")
    agent = await factory.user(world.tenant, Role.AGENT)
    csea = await open_case(services, world.admin, CaseType.CSEA, subject=f"CSEA {word}")
    case = await open_case(services, world.admin, subject=f"Case {word}")
    return Side(world, word, csea, case, ticket, agent)


@pytest.fixture
async def sides(services: Services, factory: Factory) -> tuple[Side, Side]:
    """(A, B): the victim and the intruder, built alike."""
    return await build_side(services, factory), await build_side(services, factory)


async def call(
    factory: Factory, document: str, variables: dict[str, Any], caller: Side, credential: str
) -> dict[str, Any]:
    if credential == "token":
        return await factory.gql(document, variables, token=caller.world.token)
    return await factory.gql(document, variables, api_key=caller.world.api_key)


def leaks(body: dict[str, Any], victim: Side) -> list[str]:
    text = json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


async def victims_cases(factory: Factory, victim: Side) -> dict[str, Any]:
    body = await call(factory, LIST, {}, victim, "token")
    assert body["data"]["cases"]["totalCount"] == 2
    return dict(body["data"])


@pytest.mark.parametrize("credential", CREDENTIALS)
class TestIntruder:
    async def test_cases_lists_only_the_callers_cases(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        for case_type in (None, "CSEA", "HARASSMENT"):
            body = await call(factory, LIST, {"type": case_type}, intruder, credential)
            assert error_codes(body) == [], body
            subjects = {edge["node"]["subject"] for edge in body["data"]["cases"]["edges"]}
            assert subjects <= {f"CSEA {intruder.word}", f"Case {intruder.word}"}
            assert len(subjects) == (2 if case_type is None else 1)
            assert not leaks(body, victim), body

    @pytest.mark.parametrize("document", [ONE, NODE])
    async def test_case_and_node_read_the_victims_cases_as_missing(
        self, factory: Factory, sides: tuple[Side, Side], credential: str, document: str
    ) -> None:
        victim, intruder = sides
        root = "case" if document == ONE else "node"
        for case in (victim.csea, victim.case):
            body = await call(factory, document, {"id": gid("cas", case.id)}, intruder, credential)
            assert error_codes(body) == [] and body["data"][root] is None, body
            owner = await call(factory, document, {"id": gid("cas", case.id)}, victim, "token")
            assert owner["data"][root]["id"] == gid("cas", case.id)

    async def test_create_case_cannot_use_the_victims_tickets_or_users(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        before = await victims_cases(factory, victim)
        base = {"caseType": "FRAUD", "priority": "LOW", "subject": "Probe"}
        for extra in (
            {"ticketIds": [gid("tkt", victim.ticket.id)]},
            {"assigneeId": gid("usr", victim.agent.id)},
        ):
            body = await call(factory, CREATE, {"i": {**base, **extra}}, intruder, credential)
            assert error_codes(body) == ["NOT_FOUND"], body
            assert not leaks(body, victim), body
        mine = await call(factory, LIST, {}, intruder, credential)
        assert mine["data"]["cases"]["totalCount"] == 2
        assert await victims_cases(factory, victim) == before
        own = {**base, "ticketIds": [gid("tkt", victim.ticket.id)]}
        owner = await call(factory, CREATE, {"i": own}, victim, "token")
        assert owner["data"]["createCase"]["case"]["subject"] == "Probe"

    async def test_changes_aimed_at_the_victims_cases_find_nothing(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        before = await victims_cases(factory, victim)
        for case in (victim.csea, victim.case):
            case_id = gid("cas", case.id)
            for document, variables in (
                (TRANSITION, {"id": case_id, "status": "INVESTIGATING", "reason": "Probe"}),
                (ASSIGN, {"id": case_id, "assigneeId": gid("usr", intruder.world.admin.id)}),
                (ASSIGN, {"id": case_id, "assigneeId": None}),
                (PRIORITY, {"id": case_id, "priority": "LOW", "reason": "Probe"}),
                (LINK, {"caseId": case_id, "ticketId": gid("tkt", intruder.ticket.id)}),
            ):
                body = await call(factory, document, {"i": variables}, intruder, credential)
                assert error_codes(body) == ["NOT_FOUND"], (document, body)
                assert not leaks(body, victim), body
        assert await victims_cases(factory, victim) == before

    async def test_the_victims_tickets_and_users_cannot_join_the_callers_case(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        case_id = gid("cas", intruder.case.id)
        before = await call(factory, ONE, {"id": case_id}, intruder, "token")
        for document, variables in (
            (LINK, {"caseId": case_id, "ticketId": gid("tkt", victim.ticket.id)}),
            (ASSIGN, {"id": case_id, "assigneeId": gid("usr", victim.agent.id)}),
        ):
            body = await call(factory, document, {"i": variables}, intruder, credential)
            assert error_codes(body) == ["NOT_FOUND"], body
            assert not leaks(body, victim), body
        assert await call(factory, ONE, {"id": case_id}, intruder, "token") == before
        own = {"caseId": gid("cas", victim.case.id), "ticketId": gid("tkt", victim.ticket.id)}
        owner = await call(factory, LINK, {"i": own}, victim, "token")
        assert owner["data"]["linkTicketToCase"]["case"]["id"] == gid("cas", victim.case.id)

    async def test_set_case_sla_changes_only_the_callers_deadlines(
        self, services: Services, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        variables = {"i": {"caseType": "FRAUD", "priority": "HIGH", "minutes": 7}}
        body = await call(factory, SLA, variables, intruder, credential)
        assert body["data"]["setCaseSla"] == {"minutes": 7}
        theirs = await open_case(services, victim.world.admin, CaseType.FRAUD, Priority.HIGH)
        mine = await open_case(services, intruder.world.admin, CaseType.FRAUD, Priority.HIGH)
        assert theirs.sla_deadline - theirs.created_at == timedelta(days=1)
        assert mine.sla_deadline - mine.created_at == timedelta(minutes=7)
