"""Subscriptions end to end: a real server, real sockets, real mutations, and what a client sees.

Every test has its own tenants; the hub is the session's, shared with the server."""

import asyncio
import json
import uuid
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest
from pgqueuer import PgQueuer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.base import StrawberryObjectDefinition

from app.auth.models import Role
from app.events.models import Event
from app.events.tasks import prune_events
from app.graphql.schema import schema
from app.jobs.worker import register
from app.kit.actors import Actor, ActorKind
from app.kit.models import utcnow
from app.kit.pagination import decode_cursor, encode_cursor
from app.realtime.live import event_cursor
from app.services import Services
from app.tenants.models import Tenant
from app.tickets.models import Ticket
from app.tickets.service import NewTicket, TicketChanges, create_ticket, update_ticket
from tests.cases.test_case_subscriptions import PROBED as CASE_SUBSCRIPTIONS
from tests.factories import Factory, World, gid
from tests.notifications.test_notifications import PROBED as NOTIFICATION_SUBSCRIPTIONS
from tests.realtime.conftest import GraphQLWS, subscribed, ws_url

with warnings.catch_warnings():
    # gql 3.5 speaks through websockets' legacy client, deprecated (not removed) since 14.0.
    warnings.simplefilter("ignore", DeprecationWarning)
    from gql import Client
    from gql import gql as document
    from gql.transport.websockets import WebsocketsTransport

LiveServer = str
EVENT_FIELDS = """cursor seq kind resyncRequired changes
  ticket { id title status }
  comment { id body isInternal }
  actor { kind id name }"""
BOARD_EVENTS = f"""subscription($board: ID!, $after: String) {{
  boardEvents(boardId: $board, after: $after) {{ {EVENT_FIELDS} }}
}}"""
TICKET_EVENTS = f"""subscription($ticket: ID!, $after: String) {{
  ticketEvents(ticketId: $ticket, after: $after) {{ {EVENT_FIELDS} }}
}}"""
SYSTEM = Actor(ActorKind.SYSTEM, None, "tests")


# --- Helpers -------------------------------------------------------------------------------


class Api:
    """Mutations over HTTP against the live server, as one caller."""

    def __init__(self, http: httpx.AsyncClient, *, api_key: str) -> None:
        self.http, self.api_key = http, api_key

    async def run(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"X-API-Key": self.api_key},
        )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return dict(body["data"])

    async def create(self, board_id: uuid.UUID, title: str = "VPN down") -> str:
        data = await self.run(
            """mutation($b: ID!, $t: String!) {
                 createTicket(input: {boardId: $b, title: $t}) { ticket { id } } }""",
            b=gid("brd", board_id),
            t=title,
        )
        return str(data["createTicket"]["ticket"]["id"])

    async def update(self, ticket: str, **fields: Any) -> None:
        await self.run(
            """mutation($input: UpdateTicketInput!) { updateTicket(input: $input) {
                 ticket { id } } }""",
            input={"id": ticket, **fields},
        )

    async def comment(self, ticket: str, body: str, *, internal: bool = False) -> str:
        data = await self.run(
            """mutation($t: ID!, $b: String!, $i: Boolean!) {
                 addComment(input: {ticketId: $t, body: $b, isInternal: $i}) {
                   comment { id } } }""",
            t=ticket,
            b=body,
            i=internal,
        )
        return str(data["addComment"]["comment"]["id"])

    async def delete(self, ticket: str) -> None:
        await self.run(
            "mutation($t: ID!) { deleteTicket(input: {id: $t}) { deletedTicketId } }", t=ticket
        )


def error_codes(message: dict[str, Any]) -> list[str]:
    """Codes of a failed operation: graphql-transport-ws `error`, or `next` carrying errors."""
    if message["type"] == "error":
        errors = message["payload"]
    else:
        assert message["type"] == "next", message
        errors = message["payload"].get("errors") or []
    return [error.get("extensions", {}).get("code") for error in errors]


def seq_of(cursor: str) -> int:
    kind, seq = decode_cursor(cursor)
    assert kind == "event"
    return int(seq)


async def log_of(services: Services, tenant: Tenant) -> list[Event]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Event).where(Event.tenant_id == tenant.id).order_by(Event.seq)
        )
        return list(rows)


async def backdated(
    services: Services, days: int, change: Callable[[AsyncSession], Awaitable[Any]]
) -> Any:
    """Run `change` in a transaction and date the events it writes `days` ago (events cannot be
    updated once stored, so they are dated before the commit writes them)."""
    async with services.db.transaction() as work:
        result = await change(work.session)
        events = [row for row in work.session.new if isinstance(row, Event)]
        assert events, "the change wrote no event"
        for event in events:
            event.created_at = utcnow() - timedelta(days=days)
    return result


async def old_ticket(services: Services, world: World, days: int) -> Ticket:
    return await backdated(
        services,
        days,
        lambda session: create_ticket(
            session, world.tenant.id, SYSTEM, NewTicket(world.board.id, "Old")
        ),
    )


async def old_edit(services: Services, world: World, ticket: Ticket, title: str, days: int) -> None:
    changes = TicketChanges(title=title)
    await backdated(
        services,
        days,
        lambda session: update_ticket(session, world.tenant.id, SYSTEM, ticket.id, changes),
    )


@pytest.fixture
def api(http: httpx.AsyncClient) -> Callable[[World], Api]:
    return lambda world: Api(http, api_key=world.api_key)


# --- Delivery ------------------------------------------------------------------------------


async def test_board_and_ticket_events_arrive_in_order_with_their_state(
    live_server: LiveServer, factory: Factory, services: Services, api: Callable[[World], Api]
) -> None:
    world = await factory.world()
    agent = await factory.user(world.tenant)
    other_board = await factory.board(world.tenant)
    a = api(world)
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        board_op = await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
        await subscribed(services.hub, world.tenant.id, 1)
        ticket = await a.create(world.board.id, "VPN down")  # seq 1
        ticket_op = await ws.subscribe(TICKET_EVENTS, {"ticket": ticket})
        await subscribed(services.hub, world.tenant.id, 2)
        neighbour = await a.create(world.board.id, "Printer")  # seq 2
        elsewhere = await a.create(other_board.id, "Elsewhere")  # 3: another board
        await a.update(ticket, status="RESOLVED")  # 4 status_changed, 5 ticket_resolved
        # 6 assigned, 7 the agent's notification (on their own topic, not the board's)
        await a.update(ticket, assigneeId=gid("usr", agent.id))
        await a.update(ticket, title="VPN flaps")  # 8
        comment = await a.comment(ticket, "Rebooted the gateway")  # 9
        await a.update(elsewhere, title="Still elsewhere")  # 10: another board
        await a.delete(ticket)  # 11
        await a.update(neighbour, priority="HIGH")  # 12

        board = await ws.events(board_op, 9)
        on_ticket = await ws.events(ticket_op, 6)
        assert await ws.silent(board_op) and await ws.silent(ticket_op)

    assert [e["seq"] for e in board] == [1, 2, 4, 5, 6, 8, 9, 11, 12]
    assert [e["seq"] for e in on_ticket] == [4, 5, 6, 8, 9, 11]
    assert on_ticket == [e for e in board if e["seq"] in {4, 5, 6, 8, 9, 11}]
    assert all(seq_of(e["cursor"]) == e["seq"] for e in board)
    assert not any(e["resyncRequired"] for e in board)
    rows = [
        (e["kind"], e["ticket"]["id"], e["ticket"]["title"], e["ticket"]["status"]) for e in board
    ]
    assert rows == [
        ("TICKET_CREATED", ticket, "VPN down", "OPEN"),
        ("TICKET_CREATED", neighbour, "Printer", "OPEN"),
        ("STATUS_CHANGED", ticket, "VPN down", "RESOLVED"),
        ("TICKET_RESOLVED", ticket, "VPN down", "RESOLVED"),
        ("ASSIGNED", ticket, "VPN down", "RESOLVED"),
        ("TICKET_UPDATED", ticket, "VPN flaps", "RESOLVED"),
        ("COMMENT_ADDED", ticket, "VPN flaps", "RESOLVED"),
        ("TICKET_DELETED", ticket, "VPN flaps", "RESOLVED"),
        ("TICKET_UPDATED", neighbour, "Printer", "OPEN"),
    ]
    changes = [e["changes"] for e in board]
    assert changes[0] == {} and changes[3] == {} and changes[6] == {}
    assert changes[2] == {"status": {"old": "open", "new": "resolved"}}
    assert changes[4] == {"assignee_id": {"old": None, "new": gid("usr", agent.id)}}
    assert changes[5] == {"title": {"old": "VPN down", "new": "VPN flaps"}}
    assert changes[8] == {"priority": {"old": "medium", "new": "high"}}
    assert board[6]["comment"] == {
        "id": comment,
        "body": "Rebooted the gateway",
        "isInternal": False,
    }
    assert all(e["comment"] is None for i, e in enumerate(board) if i != 6)
    assert board[0]["actor"]["kind"] == "api_key" and board[0]["actor"]["id"].startswith("key_")


async def test_resume_after_a_cursor_replays_then_goes_live_without_gaps_or_repeats(
    live_server: LiveServer, factory: Factory, services: Services, api: Callable[[World], Api]
) -> None:
    world = await factory.world()
    a = api(world)
    board = {"board": gid("brd", world.board.id)}
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(BOARD_EVENTS, board)
        await subscribed(services.hub, world.tenant.id, 1)
        ticket = await a.create(world.board.id)
        for n in range(3):
            await a.update(ticket, title=f"Edit {n}")
        seen = await ws.events(op, 4)
    await subscribed(services.hub, world.tenant.id, 0)
    resume_from = seen[1]  # event k = 2; 3 and 4 were already seen but must come again

    for n in range(3, 8):  # while disconnected
        await a.update(ticket, title=f"Edit {n}")
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(BOARD_EVENTS, {**board, "after": resume_from["cursor"]})
        await a.update(ticket, title="Right after subscribing")  # may land in replay or live
        await subscribed(services.hub, world.tenant.id, 1)
        await a.update(ticket, title="Live")
        resumed = await ws.events(op, 2 + 5 + 2)
        assert await ws.silent(op)

    assert [e["seq"] for e in resumed] == list(range(3, 12))
    assert [e["ticket"]["title"] for e in resumed] == [
        *(f"Edit {n}" for n in range(1, 8)),
        "Right after subscribing",
        "Live",
    ]
    assert resumed[:2] == seen[2:]


async def test_without_a_cursor_only_what_happens_after_subscribing_arrives(
    live_server: LiveServer, factory: Factory, services: Services, api: Callable[[World], Api]
) -> None:
    """Also after the tenant's last subscriber left and changes went on without anyone
    listening: none of those arrive as if they were new."""
    world = await factory.world()
    a = api(world)
    board = {"board": gid("brd", world.board.id)}
    ticket = await a.create(world.board.id)
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(BOARD_EVENTS, board)
        await subscribed(services.hub, world.tenant.id, 1)
        await a.update(ticket, title="Heard")
        assert (await ws.event(op))["seq"] == 2
    await subscribed(services.hub, world.tenant.id, 0)
    for n in range(3):
        await a.update(ticket, title=f"Unheard {n}")
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(BOARD_EVENTS, board)
        await subscribed(services.hub, world.tenant.id, 1)
        await a.update(ticket, title="New")
        first = await ws.event(op)
        assert await ws.silent(op)
    assert (first["seq"], first["ticket"]["title"]) == (6, "New")


async def test_a_subscriber_too_slow_for_its_queue_is_told_to_resync(
    live_server: LiveServer,
    factory: Factory,
    services: Services,
    api: Callable[[World], Api],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await factory.world()
    monkeypatch.setattr(services.hub, "queue_size", 3)
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
        await subscribed(services.hub, world.tenant.id, 1)
        await api(world).create(world.board.id, "Before the burst")
        (before,) = await ws.events(op, 1)
        # One commit of many events reaches the hub at once, more than the queue holds.
        async with services.db.transaction() as work:
            for n in range(10):
                draft = NewTicket(world.board.id, f"Burst {n}")
                await create_ticket(work.session, world.tenant.id, SYSTEM, draft)
        resync = await ws.event(op)
        done = await ws.receive(op)
        await subscribed(services.hub, world.tenant.id, 0)
        assert await ws.silent(op)
    assert resync["kind"] == "RESYNC_REQUIRED" and resync["resyncRequired"] is True
    # Resuming from its cursor would replay exactly what the client missed.
    assert resync["cursor"] == before["cursor"] and resync["seq"] == before["seq"] == 1
    assert resync["ticket"] is None and resync["changes"] == {}
    assert done == {"id": op, "type": "complete"}
    assert len(await log_of(services, world.tenant)) == 11


async def test_a_cursor_older_than_retention_gets_resync(
    live_server: LiveServer, factory: Factory, services: Services, api: Callable[[World], Api]
) -> None:
    world = await factory.world()
    ticket = await old_ticket(services, world, 30)
    for n in range(2):
        await old_edit(services, world, ticket, f"Old {n}", 30)
    async with services.db.transaction() as work:
        await prune_events(work.session, utcnow() - timedelta(days=7))
    assert await log_of(services, world.tenant) == []
    board = {"board": gid("brd", world.board.id)}

    async def first_event(after: str) -> dict[str, Any]:
        async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
            op = await ws.subscribe(BOARD_EVENTS, {**board, "after": after})
            first = await ws.event(op)
            if first["resyncRequired"]:  # and nothing after it: the stream is over
                assert await ws.receive(op) == {"id": op, "type": "complete"}
            return first

    # Every event after the cursor is gone, none newer yet.
    gone = await first_event(event_cursor(1))
    assert gone["kind"] == "RESYNC_REQUIRED" and gone["seq"] == 1
    # Some are gone, newer ones remain: still a gap, still a resync.
    await api(world).update(gid("tkt", ticket.id), title="New")  # seq 4
    gap = await first_event(event_cursor(2))
    assert gap["kind"] == "RESYNC_REQUIRED" and gap["cursor"] == event_cursor(2)
    # A cursor whose successors all survive replays normally.
    kept = await first_event(event_cursor(3))
    assert (kept["kind"], kept["seq"], kept["ticket"]["title"]) == ("TICKET_UPDATED", 4, "New")


MALFORMED = {
    "not base64": "not a cursor!",
    "empty": "",
    "not json": "bm90IGpzb24",  # base64 of "not json"
    "an object": "eyJldmVudCI6IDF9",  # base64 of {"event": 1}
    "a ticket cursor": encode_cursor(["ticket", 3]),
    "negative": encode_cursor(["event", -1]),
    "too large": encode_cursor(["event", 2**63]),
    "a string seq": encode_cursor(["event", "7"]),
    "a fraction": encode_cursor(["event", 1.5]),
    "a boolean": encode_cursor(["event", True]),
    "extra values": encode_cursor(["event", 1, 2]),
}


@pytest.mark.parametrize("after", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_cursor_is_a_validation_error(
    live_server: LiveServer, factory: Factory, services: Services, after: str
) -> None:
    world = await factory.world()
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id), "after": after})
        failed = await ws.receive(op)
        assert error_codes(failed) == ["VALIDATION_ERROR"], failed
        # Strawberry reports an error raised before the first event as a `next` with errors.
        assert failed["type"] == "next" and failed["payload"]["data"] is None, failed
        assert failed["payload"]["errors"][0]["extensions"]["field"] == "after"
        assert await ws.receive(op) == {"id": op, "type": "complete"}
        # The connection, and the server, carry on.
        again = await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
        await subscribed(services.hub, world.tenant.id, 1)
        await factory.ticket(world.tenant, world.board)
        assert (await ws.event(again))["kind"] == "TICKET_CREATED"


# --- Authentication and limits -------------------------------------------------------------


async def test_subscribing_without_connection_init_closes_4401(
    live_server: LiveServer, factory: Factory
) -> None:
    world = await factory.world()
    async with GraphQLWS.open(live_server, init=False) as ws:
        await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
        closed = await ws.closed()
        assert closed.code == 4401
        assert not any(ws.inbox.values()), ws.inbox


@pytest.mark.parametrize(
    "payload",
    [
        {"apiKey": "hv_" + "x" * 43},
        {"token": "not-a-jwt"},
        {"authorization": "Bearer hv_" + "y" * 43},
        {},
        {"apiKey": 12345},
    ],
    ids=["unknown api key", "forged token", "unknown key as bearer", "no credentials", "not text"],
)
async def test_bad_credentials_in_connection_init_close_4401(
    live_server: LiveServer, payload: dict[str, Any]
) -> None:
    async with GraphQLWS.open(live_server, init=False) as ws:
        await ws.send({"type": "connection_init", "payload": payload})
        closed = await ws.closed()
        assert closed.code == 4401
        assert not any(ws.inbox.values()), ws.inbox


@pytest.mark.parametrize("spelling", ["token", "authorization"])
async def test_a_user_token_in_connection_init_works(
    live_server: LiveServer, factory: Factory, services: Services, spelling: str
) -> None:
    world = await factory.world()
    token = await factory.token(await factory.user(world.tenant, Role.AGENT))
    payload = {"token": token} if spelling == "token" else {"Authorization": f"Bearer {token}"}
    async with GraphQLWS.open(live_server, payload) as ws:
        op = await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
        await subscribed(services.hub, world.tenant.id, 1)
        ticket = await factory.ticket(world.tenant, world.board)
        event = await ws.event(op)
    assert (event["kind"], event["ticket"]["id"]) == ("TICKET_CREATED", gid("tkt", ticket.id))


async def test_the_subscription_cap_per_connection_refuses_one_more(
    live_server: LiveServer, factory: Factory, services: Services
) -> None:
    world = await factory.world()
    cap = services.settings.max_subscriptions_per_connection
    assert cap == 20
    board = {"board": gid("brd", world.board.id)}
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        ops = [await ws.subscribe(BOARD_EVENTS, board) for _ in range(cap)]
        await subscribed(services.hub, world.tenant.id, cap)
        extra = await ws.subscribe(BOARD_EVENTS, board)
        refused = await ws.receive(extra)
        assert refused["type"] == "error", refused
        assert [e["message"] for e in refused["payload"]] == ["Subscription limit reached"]
        await factory.ticket(world.tenant, world.board)
        assert {(await ws.event(op))["seq"] for op in ops} == {1}
        assert len(services.hub.subscriptions[world.tenant.id]) == cap
        # Ending one frees a place.
        await ws.stop(ops[0])
        await subscribed(services.hub, world.tenant.id, cap - 1)
        again = await ws.subscribe(BOARD_EVENTS, board)
        await subscribed(services.hub, world.tenant.id, cap)
        await factory.ticket(world.tenant, world.board)
        assert (await ws.event(again))["seq"] == 2


# --- Isolation -----------------------------------------------------------------------------

# Every Subscription root field, aimed by tenant B at tenant A's object.
CROSS_TENANT = {
    "boardEvents": (BOARD_EVENTS, lambda a: {"board": gid("brd", a.board.id)}),
    "ticketEvents": (TICKET_EVENTS, lambda a: {"ticket": a.ticket}),
}


def test_every_subscription_field_has_a_permission_class_and_a_cross_tenant_probe() -> None:
    subscription = schema.get_type_by_name("Subscription")
    assert isinstance(subscription, StrawberryObjectDefinition)
    graphql_name = schema.config.name_converter.get_graphql_name
    fields = {graphql_name(field): field for field in subscription.fields}
    # Case and notification subscriptions have their cross-tenant probes in their folders.
    assert set(fields) == set(CROSS_TENANT) | CASE_SUBSCRIPTIONS | NOTIFICATION_SUBSCRIPTIONS
    for name, field in fields.items():
        assert field.permission_classes, f"Subscription.{name} has no permission class"


class Victim:
    def __init__(self, world: World, ticket: str) -> None:
        self.board, self.ticket, self.world = world.board, ticket, world


@pytest.mark.parametrize("field", sorted(CROSS_TENANT))
@pytest.mark.parametrize("credential", ["apiKey", "token"])
async def test_another_tenants_board_or_ticket_is_not_found(
    live_server: LiveServer,
    factory: Factory,
    services: Services,
    api: Callable[[World], Api],
    field: str,
    credential: str,
) -> None:
    a, b = await factory.world(), await factory.world()
    victim = Victim(a, await api(a).create(a.board.id, "Secret of A"))
    query, variables = CROSS_TENANT[field]
    payload = {"apiKey": b.api_key} if credential == "apiKey" else {"token": b.token}
    async with GraphQLWS.open(live_server, payload) as ws:
        op = await ws.subscribe(query, variables(victim))
        refused = await ws.receive(op)
        assert error_codes(refused) == ["NOT_FOUND"], refused
        assert refused["type"] == "next" and refused["payload"]["data"] is None, refused
        assert await ws.receive(op) == {"id": op, "type": "complete"}
        assert "Secret of A" not in json.dumps(refused)
        await subscribed(services.hub, b.tenant.id, 0)
        await api(a).update(victim.ticket, title="Another secret of A")
        assert await ws.silent(op)
    # The owner, with the same document, is let in: the probe is not vacuous.
    async with GraphQLWS.open(live_server, {"apiKey": a.api_key}) as ws:
        op = await ws.subscribe(query, variables(victim))
        await subscribed(services.hub, a.tenant.id, 1)
        await api(a).update(victim.ticket, title="Owner sees this")
        assert (await ws.event(op))["ticket"]["title"] == "Owner sees this"


async def test_a_tenant_hears_nothing_of_another_tenants_changes(
    live_server: LiveServer, factory: Factory, services: Services, api: Callable[[World], Api]
) -> None:
    a, b = await factory.world(), await factory.world()
    async with (
        GraphQLWS.open(live_server, {"apiKey": b.api_key}) as ws,
        GraphQLWS.open(live_server, {"apiKey": a.api_key}) as owner,
    ):
        theirs = await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", b.board.id)})
        mine = await owner.subscribe(BOARD_EVENTS, {"board": gid("brd", a.board.id)})
        await subscribed(services.hub, b.tenant.id, 1)
        await subscribed(services.hub, a.tenant.id, 1)
        ticket = await api(a).create(a.board.id, "A's ticket")
        await api(a).update(ticket, status="RESOLVED")
        await api(a).comment(ticket, "A's note", internal=True)
        await api(a).delete(ticket)
        a_events = await owner.events(mine, 5)
        assert await ws.silent(theirs)
        own = await api(b).create(b.board.id, "B's ticket")
        (heard,) = await ws.events(theirs, 1)
        assert await ws.silent(theirs)
    assert [e["seq"] for e in a_events] == [1, 2, 3, 4, 5]
    assert (heard["seq"], heard["ticket"]["id"], heard["ticket"]["title"]) == (1, own, "B's ticket")
    assert heard["cursor"] == event_cursor(1)


# --- Internal notes ------------------------------------------------------------------------


async def test_internal_notes_reach_agents_but_not_viewers(
    live_server: LiveServer, factory: Factory, services: Services, api: Callable[[World], Api]
) -> None:
    world = await factory.world()
    ticket = await api(world).create(world.board.id)
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
    query = TICKET_EVENTS.replace("ticket { id title status }", "ticket { id comments { body } }")
    async with (
        GraphQLWS.open(live_server, {"token": agent}) as team,
        GraphQLWS.open(live_server, {"token": viewer}) as reader,
    ):
        team_op = await team.subscribe(query, {"ticket": ticket})
        reader_op = await reader.subscribe(query, {"ticket": ticket})
        await subscribed(services.hub, world.tenant.id, 2)
        await api(world).comment(ticket, "Customer is a known fraudster", internal=True)
        await api(world).comment(ticket, "We are looking into it")
        note, reply = await team.events(team_op, 2)
        (seen,) = await reader.events(reader_op, 1)
        assert await reader.silent(reader_op)
    assert note["comment"]["isInternal"] is True and reply["comment"]["isInternal"] is False
    assert seen["seq"] == reply["seq"] == 3 and seen["comment"] == reply["comment"]
    assert "fraudster" not in json.dumps(seen)
    assert "fraudster" in json.dumps(note)

    # Replaying from before the note leaves it out for the viewer too.
    async with GraphQLWS.open(live_server, {"token": viewer}) as reader:
        op = await reader.subscribe(query, {"ticket": ticket, "after": event_cursor(1)})
        (replayed,) = await reader.events(op, 1)
        assert await reader.silent(op)
    assert replayed == seen


# --- A real client -------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:websockets.client.connect is deprecated:DeprecationWarning")
async def test_the_gql_client_receives_an_event(
    live_server: LiveServer, factory: Factory, services: Services, api: Callable[[World], Api]
) -> None:
    world = await factory.world()
    transport = WebsocketsTransport(
        url=ws_url(live_server),
        init_payload={"apiKey": world.api_key},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )

    async def mutate_once_subscribed() -> str:
        await subscribed(services.hub, world.tenant.id, 1)
        return await api(world).create(world.board.id, "From gql")

    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        mutation = asyncio.create_task(mutate_once_subscribed())
        received = []
        async with asyncio.timeout(10):
            async for result in session.subscribe(
                document(BOARD_EVENTS), variable_values={"board": gid("brd", world.board.id)}
            ):
                received.append(result["boardEvents"])
                break
        ticket = await mutation
    (event,) = received
    assert (event["kind"], event["seq"], event["ticket"]["id"]) == ("TICKET_CREATED", 1, ticket)
    await subscribed(services.hub, world.tenant.id, 0)


# --- Retention -----------------------------------------------------------------------------


async def test_prune_events_removes_only_events_older_than_the_cutoff(
    factory: Factory, services: Services
) -> None:
    world = await factory.world()
    ticket = await old_ticket(services, world, 10)
    await old_edit(services, world, ticket, "Eight days ago", 8)
    await old_edit(services, world, ticket, "Six days ago", 6)
    await factory.ticket(world.tenant, world.board)
    async with services.db.transaction() as work:
        removed = await prune_events(work.session, utcnow() - timedelta(days=7))
    assert removed >= 2
    assert [event.seq for event in await log_of(services, world.tenant)] == [3, 4]


class ScheduleRecorder:
    """Stands in for pgqueuer's queue: keeps what `register` schedules."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[str, Callable[[Any], Awaitable[None]]]] = {}

    def schedule(self, name: str, expression: str) -> Callable[[Any], Any]:
        def keep(job: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
            self.jobs[name] = (expression, job)
            return job

        return keep


async def test_the_worker_prunes_events_daily_past_the_configured_retention(
    factory: Factory, services: Services
) -> None:
    assert services.settings.event_retention_days == 7
    queue = ScheduleRecorder()
    register(cast(PgQueuer, queue), services)
    expression, job = queue.jobs["prune_events"]
    assert expression == "41 3 * * *"

    world = await factory.world()
    ticket = await old_ticket(services, world, 8)
    await old_edit(services, world, ticket, "Six days ago", 6)
    await job(None)
    assert [event.seq for event in await log_of(services, world.tenant)] == [2]
