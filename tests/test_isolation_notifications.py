"""Cross-tenant probes for SLA policies and notifications: tenant B's admin aims every new root
field at tenant A's data (its notification ids, its policy), and the owner runs the same
documents as the control. Notifications belong to people, so API keys are refused them."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from app.auth.models import User
from tests.factories import Factory, World, error_codes
from tests.notifications.helpers import NOTIFICATIONS

COVERS = {
    "Query.ticketSlaPolicy",
    "Mutation.updateTicketSlaPolicy",
    "Query.notifications",
    "Mutation.markNotificationsRead",
    "Query.notificationPreferences",
    "Mutation.updateNotificationPreferences",
}
POLICY = "query { ticketSlaPolicy { timeZone holidays } }"
SET_POLICY = """mutation($i: UpdateTicketSlaPolicyInput!) {
  updateTicketSlaPolicy(input: $i) { policy { timeZone } } }"""
MARK = """mutation($i: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $i) { markedCount } }"""
PREFERENCES = "query { notificationPreferences { kind inApp email } }"
SET_PREFERENCES = """mutation($i: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $i) { preferences { kind inApp } } }"""


@dataclass
class Side:
    world: World
    agent: User
    agent_token: str
    notification_id: str
    word: str

    def markers(self) -> list[str]:
        return [str(self.world.tenant.id), self.notification_id, self.word]


async def build_side(factory: Factory) -> Side:
    world = await factory.world()
    word = f"zq{uuid.uuid4().hex[:12]}"
    agent = await factory.user(world.tenant)
    await factory.ticket(world.tenant, world.board, title=f"Ticket {word}", assignee_id=agent.id)
    token = await factory.token(agent)
    listed = await factory.gql(NOTIFICATIONS, token=token)
    (edge,) = listed["data"]["notifications"]["edges"]
    return Side(world, agent, token, edge["node"]["id"], word)


@pytest.fixture
async def sides(factory: Factory) -> tuple[Side, Side]:
    return await build_side(factory), await build_side(factory)


def leaks(body: dict[str, Any], victim: Side) -> list[str]:
    text = json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


async def unread(factory: Factory, side: Side) -> int:
    body = await factory.gql(NOTIFICATIONS, {"unread": True}, token=side.agent_token)
    return int(body["data"]["notifications"]["totalCount"])


async def test_notifications_list_only_the_callers_own(
    factory: Factory, sides: tuple[Side, Side]
) -> None:
    victim, intruder = sides
    body = await factory.gql(NOTIFICATIONS, token=intruder.agent_token)
    assert leaks(body, victim) == []
    assert [e["node"]["id"] for e in body["data"]["notifications"]["edges"]] == [
        intruder.notification_id
    ]
    by_key = await factory.gql(NOTIFICATIONS, api_key=intruder.world.api_key)
    assert error_codes(by_key) == ["FORBIDDEN"] and leaks(by_key, victim) == []


async def test_marking_another_tenants_notification_read_changes_nothing(
    factory: Factory, sides: tuple[Side, Side]
) -> None:
    victim, intruder = sides
    variables = {"i": {"ids": [victim.notification_id]}}
    for token in (intruder.agent_token, intruder.world.token):
        body = await factory.gql(MARK, variables, token=token)
        assert body["data"]["markNotificationsRead"]["markedCount"] == 0
    assert await unread(factory, victim) == 1
    owner = await factory.gql(MARK, variables, token=victim.agent_token)
    assert owner["data"]["markNotificationsRead"]["markedCount"] == 1


async def test_preferences_are_the_callers_own(factory: Factory, sides: tuple[Side, Side]) -> None:
    victim, intruder = sides
    off = {"i": {"preferences": [{"kind": "ASSIGNMENT", "inApp": False, "email": False}]}}
    await factory.gql(SET_PREFERENCES, off, token=intruder.agent_token)
    mine = await factory.gql(PREFERENCES, token=victim.agent_token)
    assignment = next(
        p for p in mine["data"]["notificationPreferences"] if p["kind"] == "ASSIGNMENT"
    )
    assert assignment["inApp"] is True
    by_key = await factory.gql(SET_PREFERENCES, off, api_key=intruder.world.api_key)
    assert error_codes(by_key) == ["FORBIDDEN"]


@pytest.mark.parametrize("credential", ["token", "api_key"])
async def test_an_sla_policy_is_the_callers_tenants_alone(
    factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    credentials: dict[str, Any] = (
        {"token": intruder.world.token}
        if credential == "token"
        else {"api_key": intruder.world.api_key}
    )
    changes = {"i": {"timeZone": "Asia/Tokyo", "holidays": ["2026-12-31"]}}
    body = await factory.gql(SET_POLICY, changes, **credentials)
    assert body["data"]["updateTicketSlaPolicy"]["policy"]["timeZone"] == "Asia/Tokyo"
    owner = await factory.gql(POLICY, token=victim.world.token)
    assert owner["data"]["ticketSlaPolicy"] == {"timeZone": "UTC", "holidays": []}
    theirs = await factory.gql(POLICY, **credentials)
    assert theirs["data"]["ticketSlaPolicy"]["timeZone"] == "Asia/Tokyo"
    assert leaks(theirs, victim) == []
