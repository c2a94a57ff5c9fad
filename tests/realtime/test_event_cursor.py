"""`Board.eventCursor`: read it, load, subscribe after it, and nothing falls in between."""

import httpx

from app.services import Services
from tests.factories import Factory, gid
from tests.realtime.conftest import GraphQLWS, subscribed

CURSOR = "query($id: ID!) { board(id: $id) { eventCursor } }"
EVENTS = """subscription($board: ID!, $after: String) {
  boardEvents(boardId: $board, after: $after) { seq kind ticket { title } }
}"""


async def test_changes_between_reading_the_cursor_and_subscribing_are_replayed(
    factory: Factory, services: Services, live_server: str, http: httpx.AsyncClient
) -> None:
    world = await factory.world()
    await factory.ticket(world.tenant, world.board, title="Before")
    headers = {"X-API-Key": world.api_key}
    board = gid("brd", world.board.id)
    read = await http.post(
        "/graphql", headers=headers, json={"query": CURSOR, "variables": {"id": board}}
    )
    cursor = read.json()["data"]["board"]["eventCursor"]

    # Committed after the cursor was read, before anyone subscribed.
    await factory.ticket(world.tenant, world.board, title="In between")

    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(EVENTS, {"board": board, "after": cursor})
        await subscribed(services.hub, world.tenant.id, 1)
        await factory.ticket(world.tenant, world.board, title="After")
        events = await ws.events(op, 2)
        assert await ws.silent(op)
    assert [(e["seq"], e["ticket"]["title"]) for e in events] == [(2, "In between"), (3, "After")]


async def test_another_tenant_gets_no_cursor_for_a_board_it_cannot_see(
    factory: Factory, http: httpx.AsyncClient
) -> None:
    owner, intruder = await factory.world(), await factory.world()
    response = await http.post(
        "/graphql",
        headers={"X-API-Key": intruder.api_key},
        json={"query": CURSOR, "variables": {"id": gid("brd", owner.board.id)}},
    )
    assert response.json()["data"] == {"board": None}
