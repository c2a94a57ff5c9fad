"""GET /api/v1/tickets and /api/v1/tickets/:id, called as the API document's curl examples call
them, with access tokens and API keys."""

import re
import uuid
from typing import Any

import httpx

from app.auth.models import Role
from app.kit.actors import SYSTEM, Actor, ActorKind
from app.tickets.models import Ticket, TicketStatus
from app.tickets.service import TicketChanges, update_ticket
from tests.factories import Factory, World, gid
from tests.rest.helpers import envelope

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LIST_EXAMPLE = "/api/v1/tickets?status=open&priority=high&limit=10"
SUMMARY_KEYS = [
    "id",
    "tenant_id",
    "status",
    "priority",
    "category",
    "subject",
    "source",
    "ai_confidence",
    "assigned_to",
    "created_at",
    "updated_at",
]
DETAIL_KEYS = [
    *SUMMARY_KEYS[:7],
    "event_id",
    "ai_classification",
    "assigned_to",
    "safety_case_id",
    "timeline",
    "created_at",
    "updated_at",
]


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def set_status(
    factory: Factory, world: World, ticket: Ticket, status: TicketStatus, actor: Actor = SYSTEM
) -> None:
    async with factory.services.db.transaction() as work:
        changes = TicketChanges(status=status)
        await update_ticket(work.session, world.tenant.id, actor, ticket.id, changes)


async def listed(client: httpx.AsyncClient, secret: str, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/v1/tickets{query}", headers=auth(secret))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_list_example_returns_the_documented_shape(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    first = await factory.ticket(world.tenant, world.board, priority="high", category="billing")
    await factory.ticket(world.tenant, world.board, priority="low")
    done = await factory.ticket(world.tenant, world.board, priority="high")
    await set_status(factory, world, done, TicketStatus.RESOLVED)
    second = await factory.ticket(
        world.tenant, world.board, title="Urgent", priority="high", assignee_id=world.admin.id
    )
    response = await client.get(LIST_EXAMPLE, headers=auth(world.token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pagination"] == {"cursor": None, "has_more": False, "total": 2}
    newest, oldest = body["data"]
    assert list(newest) == SUMMARY_KEYS
    assert {k: v for k, v in newest.items() if not k.endswith("_at")} == {
        "id": gid("tkt", second.id),
        "tenant_id": gid("ten", world.tenant.id),
        "status": "open",
        "priority": "high",
        "category": None,
        "subject": "Urgent",
        "source": "manual",
        "ai_confidence": None,
        "assigned_to": gid("usr", world.admin.id),
    }
    assert (oldest["id"], oldest["category"], oldest["assigned_to"]) == (
        gid("tkt", first.id),
        "billing",
        None,
    )
    assert all(ISO_MS.match(item[key]) for item in body["data"] for key in SUMMARY_KEYS[-2:])


async def test_detail_example_returns_the_documented_shape(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket = await factory.ticket(
        world.tenant,
        world.board,
        title="User report: inappropriate messages",
        priority="high",
        category="harassment",
        source="webhook",
        metadata={"event_id": "evt_9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6"},
    )
    agent = Actor(ActorKind.USER, world.admin.id, world.admin.name)
    await set_status(factory, world, ticket, TicketStatus.IN_PROGRESS, agent)
    response = await client.get(
        f"/api/v1/tickets/{gid('tkt', ticket.id)}", headers=auth(world.token)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == DETAIL_KEYS
    assert {k: v for k, v in body.items() if k not in ("timeline", "created_at", "updated_at")} == {
        "id": gid("tkt", ticket.id),
        "tenant_id": gid("ten", world.tenant.id),
        "status": "in_progress",
        "priority": "high",
        "category": "harassment",
        "subject": "User report: inappropriate messages",
        "source": "webhook",
        "event_id": "evt_9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6",
        "ai_classification": None,
        "assigned_to": None,
        "safety_case_id": None,
    }
    created, changed = body["timeline"]
    assert [
        {k: v for k, v in e.items() if k not in ("id", "timestamp")} for e in body["timeline"]
    ] == [
        {"type": "ticket_created", "actor": "system", "details": {"source": "webhook"}},
        {
            "type": "status_changed",
            "actor": world.admin.name,
            "details": {"status": {"old": "open", "new": "in_progress"}},
        },
    ]
    assert created["id"].startswith("evt_") and created["timestamp"] <= changed["timestamp"]
    for moment in (body["created_at"], body["updated_at"], created["timestamp"]):
        assert ISO_MS.match(moment)


async def test_event_id_is_only_shown_for_webhook_tickets(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board, metadata={"event_id": "evt_forged"})
    body = (await client.get(f"/api/v1/tickets/{ticket.id}", headers=auth(world.token))).json()
    assert (body["event_id"], body["source"]) == (None, "manual")
    assert [entry["type"] for entry in body["timeline"]] == ["ticket_created"]


async def test_api_keys_are_accepted_too(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board)
    url = f"/api/v1/tickets/{gid('tkt', ticket.id)}"
    for headers in (auth(world.api_key), {"X-API-Key": world.api_key}):
        assert (await client.get("/api/v1/tickets", headers=headers)).json()["data"][0]["id"] == (
            gid("tkt", ticket.id)
        )
        assert (await client.get(url, headers=headers)).status_code == 200


async def test_each_filter_returns_exactly_the_matching_tickets(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    low = await factory.ticket(world.tenant, world.board, priority="low", category="billing")
    critical = await factory.ticket(world.tenant, world.board, priority="critical")
    waiting = await factory.ticket(world.tenant, world.board, category="billing")
    await set_status(factory, world, waiting, TicketStatus.WAITING)
    expected = {
        "?status=waiting": [waiting],
        "?status=open": [critical, low],
        "?priority=critical": [critical],
        "?priority=medium": [waiting],
        "?category=billing": [waiting, low],
        "?category=billing&status=open": [low],
        "?status=closed": [],
    }
    for query, tickets in expected.items():
        body = await listed(client, world.token, query)
        assert [item["id"] for item in body["data"]] == [gid("tkt", t.id) for t in tickets], query
        assert body["pagination"]["total"] == len(tickets), query


async def test_paging_walks_every_ticket_once(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    tickets = [await factory.ticket(world.tenant, world.board) for _ in range(5)]
    seen, pages, query = [], [], "?limit=2"
    while True:
        body = await listed(client, world.token, query)
        seen += [item["id"] for item in body["data"]]
        pages.append(body["pagination"])
        if not body["pagination"]["has_more"]:
            break
        query = f"?limit=2&cursor={body['pagination']['cursor']}"
    assert seen == [gid("tkt", t.id) for t in reversed(tickets)]
    assert [(p["has_more"], p["total"]) for p in pages] == [(True, 5), (True, 5), (False, 5)]
    assert pages[-1]["cursor"] is None
    assert len((await listed(client, world.token))["data"]) == 5


async def test_bad_query_parameters_are_validation_errors(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    for query in (
        "status=pending",
        "priority=urgent",
        "limit=0",
        "limit=101",
        "limit=ten",
        "limit=-1",
        "limit=" + "9" * 5000,
        "cursor=not-a-cursor",
        "cursor=WyJvbGRlc3QiLDFd",  # a well-formed cursor for another ordering
    ):
        response = await client.get(f"/api/v1/tickets?{query}", headers=auth(world.token))
        envelope(response, 400, "VALIDATION_ERROR")


async def test_other_tenants_tickets_are_invisible(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world, other = await factory.world(), await factory.world()
    ticket = await factory.ticket(world.tenant, world.board)
    for secret in (other.token, other.api_key):
        body = await listed(client, secret)
        assert body == {"data": [], "pagination": {"cursor": None, "has_more": False, "total": 0}}
        response = await client.get(
            f"/api/v1/tickets/{gid('tkt', ticket.id)}", headers=auth(secret)
        )
        envelope(response, 404, "NOT_FOUND")


async def test_unknown_or_malformed_ids_are_not_found(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    for ticket_id in (gid("tkt", uuid.uuid4()), "tkt_nope", "usr_" + str(uuid.uuid4()), "42"):
        response = await client.get(f"/api/v1/tickets/{ticket_id}", headers=auth(world.token))
        envelope(response, 404, "NOT_FOUND")


async def test_missing_or_invalid_credentials_are_unauthorized(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board)
    for headers in (
        {},
        auth("eyJhbGciOiJSUzI1NiIs..."),
        auth("hv_not_a_real_key"),
        {"Authorization": f"Basic {world.token}"},
    ):
        for url in ("/api/v1/tickets", f"/api/v1/tickets/{gid('tkt', ticket.id)}"):
            envelope(await client.get(url, headers=headers), 401, "UNAUTHORIZED")


CREATE_CASE = """mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }"""


async def test_the_detail_names_the_case_a_ticket_is_linked_to_for_those_who_may_see_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board, title="Hash match")
    agent_key = await factory.api_key(world.tenant, Role.AGENT)

    async def case_of(key: str) -> Any:
        response = await client.get(
            f"/api/v1/tickets/{gid('tkt', ticket.id)}", headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200, response.text
        return response.json()["safety_case_id"]

    assert await case_of(world.api_key) is None
    fields = {"priority": "CRITICAL", "subject": "Hash match", "ticketIds": [gid("tkt", ticket.id)]}
    made = await factory.gql(
        CREATE_CASE, {"input": {**fields, "caseType": "CSEA"}}, token=world.token
    )
    csea = made["data"]["createCase"]["case"]["id"]
    assert await case_of(world.api_key) == csea
    # An agent may not see CSEA cases, so the link is not shown to one either.
    assert await case_of(agent_key) is None
    made = await factory.gql(
        CREATE_CASE, {"input": {**fields, "caseType": "THREATS"}}, token=world.token
    )
    threats = made["data"]["createCase"]["case"]["id"]
    assert await case_of(agent_key) == threats
    assert await case_of(world.api_key) == threats  # the most recent link
