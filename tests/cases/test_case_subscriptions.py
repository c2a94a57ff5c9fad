"""Live case events end to end over a real server and sockets: the queue and one case, CSEA
events kept from those who may not see CSEA cases, resuming from a cursor, other tenants."""

from typing import Any

import pytest

from app.auth.models import Role
from app.cases import service
from app.cases.models import CaseStatus, CaseType, SafetyCase
from app.referrals.states import Step
from app.services import Services
from tests.cases.helpers import open_case, principal_of
from tests.factories import Factory, World, gid
from tests.realtime.conftest import GraphQLWS, live_server, subscribed
from tests.referrals.helpers import build_scene, create, step

__all__ = ["live_server"]  # the real server these tests talk to, shared with tests.realtime

PROBED = {"caseEvents", "caseQueueEvents"}
FIELDS = "cursor seq kind changes safetyCase { id subject status caseType } actor { name }"
QUEUE = f"subscription($after: String) {{ caseQueueEvents(after: $after) {{ {FIELDS} }} }}"
ONE = f"""subscription($case: ID!, $after: String) {{
  caseEvents(caseId: $case, after: $after) {{ {FIELDS} }}
}}"""


async def move(services: Services, world: World, case: SafetyCase, status: CaseStatus) -> None:
    async with services.db.transaction() as work:
        await service.transition_case(
            work.session, principal_of(world.admin), case.id, status, f"To {status.value}"
        )


def error_codes(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [error.get("extensions", {}).get("code") for error in errors]


def subjects(events: list[dict[str, Any]]) -> list[str]:
    return [event["safetyCase"]["subject"] for event in events]


async def test_the_queue_keeps_csea_cases_from_those_who_may_not_see_them(
    live_server: str, factory: Factory, services: Services
) -> None:
    world = await factory.world()
    lead = await factory.token(await factory.user(world.tenant, Role.SAFEGUARDING_LEAD))
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    async with (
        GraphQLWS.open(live_server, {"token": lead}) as lead_ws,
        GraphQLWS.open(live_server, {"token": agent}) as agent_ws,
    ):
        lead_op, agent_op = await lead_ws.subscribe(QUEUE), await agent_ws.subscribe(QUEUE)
        await subscribed(services.hub, world.tenant.id, 2)
        csea = await open_case(services, world.admin, CaseType.CSEA, subject="Hash match")
        await move(services, world, csea, CaseStatus.INVESTIGATING)
        await open_case(services, world.admin, CaseType.FRAUD, subject="Gift card scam")
        seen = await lead_ws.events(lead_op, 3)
        assert [event["kind"] for event in seen] == [
            "CASE_CREATED",
            "CASE_STATUS_CHANGED",
            "CASE_CREATED",
        ]
        assert subjects(seen) == ["Hash match", "Hash match", "Gift card scam"]
        assert seen[1]["changes"] == {"status": {"old": "open", "new": "investigating"}}
        (only,) = await agent_ws.events(agent_op, 1)
        assert only["safetyCase"]["subject"] == "Gift card scam"
        assert await agent_ws.silent(agent_op)


async def test_a_case_stream_resumes_after_its_cursor(
    live_server: str, factory: Factory, services: Services
) -> None:
    world = await factory.world()
    case = await open_case(services, world.admin, subject="Threats in chat")
    await move(services, world, case, CaseStatus.INVESTIGATING)
    variables = {"case": gid("cas", case.id)}
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(ONE, variables)
        await subscribed(services.hub, world.tenant.id, 1)
        await move(services, world, case, CaseStatus.ESCALATED)
        first = await ws.event(op)
        assert first["safetyCase"]["status"] == "ESCALATED"
        await ws.stop(op)
    await move(services, world, case, CaseStatus.INVESTIGATING)
    await open_case(services, world.admin, subject="Another case")  # not this case's stream
    await move(services, world, case, CaseStatus.CLOSED)
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(ONE, {**variables, "after": first["cursor"]})
        replayed = await ws.events(op, 2)
        assert [event["safetyCase"]["status"] for event in replayed] == [
            "INVESTIGATING",
            "CLOSED",
        ]
        assert replayed[0]["seq"] > first["seq"]
        assert await ws.silent(op)


@pytest.mark.parametrize("who", ["agent", "other tenant"])
async def test_a_case_the_caller_may_not_see_is_not_found(
    live_server: str, factory: Factory, services: Services, who: str
) -> None:
    world = await factory.world()
    csea = await open_case(services, world.admin, CaseType.CSEA)
    if who == "agent":
        payload = {"token": await factory.token(await factory.user(world.tenant, Role.AGENT))}
    else:
        payload = {"apiKey": (await factory.world()).api_key}
    async with GraphQLWS.open(live_server, payload) as ws:
        op = await ws.subscribe(ONE, {"case": gid("cas", csea.id)})
        refused = await ws.receive(op)
        assert error_codes(refused) == ["NOT_FOUND"], refused
        assert refused["payload"]["data"] is None


async def test_another_tenants_queue_stays_silent(
    live_server: str, factory: Factory, services: Services
) -> None:
    ours, theirs = await factory.world(), await factory.world()
    async with GraphQLWS.open(live_server, {"apiKey": theirs.api_key}) as ws:
        op = await ws.subscribe(QUEUE)
        await subscribed(services.hub, theirs.tenant.id, 1)
        await open_case(services, ours.admin, CaseType.CSEA, subject="Not for them")
        await open_case(services, ours.admin, subject="Nor this")
        assert await ws.silent(op)
        await open_case(services, theirs.admin, subject="Their own")
        assert (await ws.event(op))["safetyCase"]["subject"] == "Their own"


async def test_a_referral_moving_is_seen_live_on_its_case(
    live_server: str, factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    lead = await factory.token(scene.people["safeguarding_lead"])
    async with GraphQLWS.open(live_server, {"token": lead}) as ws:
        op = await ws.subscribe(ONE, {"case": gid("cas", scene.csea.id)})
        await subscribed(services.hub, scene.world.tenant.id, 1)
        referral, _ = await create(services, scene.people["safeguarding_lead"], scene.csea)
        await step(services, scene.people["safeguarding_lead"], referral, Step.SUBMIT_FOR_REVIEW)
        seen = await ws.events(op, 2)
    assert [event["kind"] for event in seen] == ["REFERRAL_CHANGED", "REFERRAL_CHANGED"]
    created, reviewed = (event["changes"]["referral"] for event in seen)
    assert created["referral_id"] == reviewed["referral_id"] == gid("ref", referral.id)
    assert (reviewed["from"], reviewed["to"]) == ("draft", "pending_review")
