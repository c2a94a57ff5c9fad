"""Render-once fan-out never crosses principals: subscribers share an execution only when it is
provably identical for them, whichever of them subscribed first, and anything recorded per
viewer (evidence custody) is recorded for each viewer with their own address and client."""

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.evidence.models import CustodyEntry
from app.services import Services
from tests.factories import Factory, gid
from tests.realtime.conftest import GraphQLWS, subscribed
from tests.realtime.test_live_rights import SET_PRIORITY, admin_gql
from tests.referrals.helpers import build_scene, create

SENSITIVE = """subscription($c: ID!) { caseEvents(caseId: $c) { kind safetyCase {
  referral { exportDocument }
  evidence(reason: "x") { edges { node { custody { actorName } } } } } } }"""
RENAME = 'mutation($t: ID!) { updateTicket(input: {id: $t, title: "Renamed"}) { ticket { id } } }'
BOARD = (
    """subscription($b: ID!) { boardEvents(boardId: $b) { kind ticket { comments { body } } } }"""
)


def codes(payload: dict[str, Any]) -> set[str]:
    return {error["extensions"]["code"] for error in payload.get("errors") or []}


@pytest.mark.parametrize("agent_first", [True, False], ids=["agent-first", "admin-first"])
async def test_an_agent_never_gets_what_an_admin_sees_of_a_case(
    agent_first: bool,
    live_server: str,
    http: httpx.AsyncClient,
    factory: Factory,
    services: Services,
) -> None:
    scene = await build_scene(factory, services, evidence=1)
    await create(services, scene.world.admin, scene.case)
    case_id = gid("cas", scene.case.id)
    agent = await factory.token(scene.people["agent"])
    admin = await factory.token(scene.world.admin)
    order = [("agent", agent), ("admin", admin)]
    if not agent_first:
        order.reverse()
    async with (
        GraphQLWS.open(live_server, {"token": order[0][1]}) as first,
        GraphQLWS.open(live_server, {"token": order[1][1]}) as second,
    ):
        ops = {
            order[0][0]: (first, await first.subscribe(SENSITIVE, {"c": case_id})),
            order[1][0]: (second, await second.subscribe(SENSITIVE, {"c": case_id})),
        }
        await subscribed(services.hub, scene.world.tenant.id, 2)
        await admin_gql(http, scene.world, SET_PRIORITY, c=case_id, p="LOW")
        payloads = {}
        for role, (ws, op) in ops.items():
            message = await ws.receive(op)
            assert message["type"] == "next", message
            payloads[role] = message["payload"]
    assert "errors" not in payloads["admin"], payloads["admin"]
    seen_by_admin = payloads["admin"]["data"]["caseEvents"]["safetyCase"]
    document = seen_by_admin["referral"]["exportDocument"]
    custody = seen_by_admin["evidence"]["edges"][0]["node"]["custody"]
    assert document and custody
    # The agent sees neither, only why: exactly what it gets when it asks alone.
    assert codes(payloads["agent"]) == {"FORBIDDEN"}
    seen_by_agent = json.dumps(payloads["agent"].get("data"))
    assert json.dumps(document, sort_keys=True)[:40] not in seen_by_agent
    assert "actorName" not in seen_by_agent


@pytest.mark.parametrize("viewer_first", [True, False], ids=["viewer-first", "agent-first"])
async def test_a_viewer_never_gets_an_internal_note_rendered_for_an_agent(
    viewer_first: bool,
    live_server: str,
    http: httpx.AsyncClient,
    factory: Factory,
    services: Services,
) -> None:
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board)
    await factory.comment(
        world.tenant, ticket, body="Internal: suspect is a known offender", is_internal=True
    )
    viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    order = [("viewer", viewer), ("agent", agent)]
    if not viewer_first:
        order.reverse()
    board = {"b": gid("brd", world.board.id)}
    async with (
        GraphQLWS.open(live_server, {"token": order[0][1]}) as first,
        GraphQLWS.open(live_server, {"token": order[1][1]}) as second,
    ):
        ops = {
            order[0][0]: (first, await first.subscribe(BOARD, board)),
            order[1][0]: (second, await second.subscribe(BOARD, board)),
        }
        await subscribed(services.hub, world.tenant.id, 2)
        await admin_gql(
            http,
            world,
            RENAME,
            t=gid("tkt", ticket.id),
        )
        bodies = {}
        for role, (ws, op) in ops.items():
            event = await ws.event(op)
            bodies[role] = [comment["body"] for comment in event["ticket"]["comments"]]
    assert bodies["agent"] == ["Internal: suspect is a known offender"]
    assert bodies["viewer"] == []


async def test_each_viewer_of_evidence_gets_a_custody_entry_with_their_own_client(
    live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services, evidence=1)
    case_id = gid("cas", scene.case.id)
    other_admin = await factory.user(scene.world.tenant, Role.ADMIN)
    watch = """subscription($c: ID!) { caseEvents(caseId: $c) { kind safetyCase {
      evidence(reason: "live review") { edges { node { id } } } } } }"""
    async with (
        GraphQLWS.open(
            live_server, {"token": await factory.token(scene.world.admin)}, user_agent="Desk-A"
        ) as a,
        GraphQLWS.open(
            live_server, {"token": await factory.token(other_admin)}, user_agent="Desk-B"
        ) as b,
        GraphQLWS.open(
            live_server, {"token": await factory.token(other_admin)}, user_agent="Desk-C"
        ) as c,
    ):
        ops = [(ws, await ws.subscribe(watch, {"c": case_id})) for ws in (a, b, c)]
        await subscribed(services.hub, scene.world.tenant.id, 3)
        await admin_gql(http, scene.world, SET_PRIORITY, c=case_id, p="LOW")
        for ws, op in ops:
            await ws.event(op)
    async with services.db.read() as session:
        rows = (
            await session.scalars(
                select(CustodyEntry).where(
                    CustodyEntry.tenant_id == scene.world.tenant.id,
                    CustodyEntry.reason == "live review",
                )
            )
        ).all()
    assert sorted(str(row.user_agent) for row in rows) == ["Desk-A", "Desk-B", "Desk-C"]
    assert {row.ip for row in rows} == {"127.0.0.1"}
