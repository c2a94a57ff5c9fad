"""Response deadlines: defaults per case type and priority, a tenant's own overrides, breach
and the clock stopping when a case closes, and recomputation when the priority changes."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.auth.models import Role
from app.cases.models import CaseStatus, CaseType, SafetyCase
from app.services import Services
from app.tickets.models import Priority
from tests.cases.helpers import CASE_FIELDS, force_status, open_case
from tests.factories import Factory, error_codes, gid

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
CASE = f"query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"
SET_SLA = """mutation($i: SetCaseSlaInput!) {
  setCaseSla(input: $i) { caseType priority minutes }
}"""
SET_PRIORITY = """mutation($i: SetCasePriorityInput!) {
  setCasePriority(input: $i) { case { priority slaDeadline timeline { type reason } } }
}"""


@pytest.mark.parametrize(
    ("case_type", "priority", "allowed"),
    [
        (CaseType.CSEA, Priority.CRITICAL, HOUR),
        (CaseType.CSEA, Priority.HIGH, 4 * HOUR),
        (CaseType.THREATS, Priority.CRITICAL, HOUR),
        (CaseType.SELF_HARM, Priority.CRITICAL, HOUR),
        (CaseType.HARASSMENT, Priority.CRITICAL, 4 * HOUR),
        (CaseType.FRAUD, Priority.HIGH, DAY),
        (CaseType.OTHER, Priority.MEDIUM, 3 * DAY),
        (CaseType.HARASSMENT, Priority.LOW, 7 * DAY),
    ],
)
async def test_default_deadline_counts_from_creation(
    services: Services,
    factory: Factory,
    case_type: CaseType,
    priority: Priority,
    allowed: timedelta,
) -> None:
    world = await factory.world()
    case = await open_case(services, world.admin, case_type, priority)
    assert case.sla_deadline - case.created_at == allowed


async def test_a_tenants_own_deadline_applies_to_its_new_cases_only(
    services: Services, factory: Factory
) -> None:
    ours, theirs = await factory.world(), await factory.world()
    before = await open_case(services, ours.admin, CaseType.FRAUD, Priority.HIGH)
    variables = {"i": {"caseType": "FRAUD", "priority": "HIGH", "minutes": 90}}
    body = await factory.gql(SET_SLA, variables, token=ours.token)
    assert body["data"]["setCaseSla"] == {"caseType": "FRAUD", "priority": "HIGH", "minutes": 90}
    after = await open_case(services, ours.admin, CaseType.FRAUD, Priority.HIGH)
    elsewhere = await open_case(services, theirs.admin, CaseType.FRAUD, Priority.HIGH)
    assert after.sla_deadline - after.created_at == timedelta(minutes=90)
    assert before.sla_deadline - before.created_at == DAY
    assert elsewhere.sla_deadline - elsewhere.created_at == DAY
    # Setting it again replaces the tenant's value.
    variables["i"]["minutes"] = 30
    assert (await factory.gql(SET_SLA, variables, token=ours.token))["data"]["setCaseSla"]
    again = await open_case(services, ours.admin, CaseType.FRAUD, Priority.HIGH)
    assert again.sla_deadline - again.created_at == timedelta(minutes=30)


@pytest.mark.parametrize("minutes", [0, -5, 30 * 24 * 60 + 1])
async def test_deadlines_out_of_range_are_refused(factory: Factory, minutes: int) -> None:
    world = await factory.world()
    variables = {"i": {"caseType": "CSEA", "priority": "LOW", "minutes": minutes}}
    body = await factory.gql(SET_SLA, variables, token=world.token)
    assert error_codes(body) == ["VALIDATION_ERROR"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SAFEGUARDING_LEAD, Role.VIEWER])
async def test_only_administrators_set_deadlines(
    services: Services, factory: Factory, role: Role
) -> None:
    world = await factory.world()
    token = await factory.token(await factory.user(world.tenant, role))
    variables = {"i": {"caseType": "FRAUD", "priority": "HIGH", "minutes": 5}}
    assert error_codes(await factory.gql(SET_SLA, variables, token=token)) == ["FORBIDDEN"]
    case = await open_case(services, world.admin, CaseType.FRAUD, Priority.HIGH)
    assert case.sla_deadline - case.created_at == DAY


async def _read(factory: Factory, token: str, case: SafetyCase) -> dict:
    body = await factory.gql(CASE, {"id": gid("cas", case.id)}, token=token)
    assert error_codes(body) == [], body
    return dict(body["data"]["case"])


async def test_an_open_case_past_its_deadline_is_breached(
    services: Services, factory: Factory
) -> None:
    world = await factory.world()
    case = await open_case(services, world.admin, CaseType.THREATS, Priority.CRITICAL)
    fresh = await _read(factory, world.token, case)
    assert fresh["slaBreached"] is False
    assert 3500 < fresh["slaRemainingSeconds"] <= 3600
    async with services.db.transaction() as work:
        past = datetime.now(UTC) - timedelta(minutes=10)
        await work.session.execute(
            update(SafetyCase).where(SafetyCase.id == case.id).values(sla_deadline=past)
        )
    late = await _read(factory, world.token, case)
    assert late["slaBreached"] is True
    assert -610 < late["slaRemainingSeconds"] <= -600
    await force_status(services, case, CaseStatus.CLOSED)
    closed = await _read(factory, world.token, case)
    assert (closed["slaBreached"], closed["slaRemainingSeconds"]) == (False, None)


async def test_changing_priority_recomputes_the_deadline_from_creation(
    services: Services, factory: Factory
) -> None:
    world = await factory.world()
    case = await open_case(services, world.admin, CaseType.HARASSMENT, Priority.LOW)
    variables = {"i": {"id": gid("cas", case.id), "priority": "CRITICAL", "reason": "Doxxing"}}
    body = await factory.gql(SET_PRIORITY, variables, token=world.token)
    assert error_codes(body) == [], body
    changed = body["data"]["setCasePriority"]["case"]
    deadline = datetime.fromisoformat(changed["slaDeadline"])
    assert changed["priority"] == "CRITICAL"
    assert deadline - case.created_at == 4 * HOUR
    assert changed["timeline"][-1] == {"type": "priority_changed", "reason": "Doxxing"}
    variables["i"]["reason"] = "  "
    refused = await factory.gql(SET_PRIORITY, variables, token=world.token)
    assert error_codes(refused) == ["REASON_REQUIRED"]
