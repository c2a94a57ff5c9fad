"""One event, many subscribers: executed and encoded once per audience, not per subscriber."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from app.auth.models import Role
from app.realtime.fanout import LiveFanout
from app.services import Services
from tests.factories import Factory, gid
from tests.realtime.conftest import GraphQLWS, subscribed

BOARD = """subscription($board: ID!) {
  boardEvents(boardId: $board) { seq kind ticket { title status } comment { body isInternal } }
}"""
NARROW = """subscription($board: ID!) { boardEvents(boardId: $board) { seq kind } }"""


class Executions:
    """Counts how often the fan-out executes a payload (the real method still runs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = LiveFanout._execute

        async def counted(fanout: LiveFanout, *args: Any) -> str:
            self.count += 1
            return await original(fanout, *args)

        monkeypatch.setattr(LiveFanout, "_execute", counted)


async def listeners(
    stack: AsyncExitStack, live_server: str, payloads: list[dict[str, Any]]
) -> AsyncIterator[GraphQLWS]:
    for payload in payloads:
        yield await stack.enter_async_context(GraphQLWS.open(live_server, payload))


async def test_subscribers_of_one_audience_share_one_execution(
    factory: Factory,
    services: Services,
    live_server: str,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await factory.world()
    viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
    ticket = await factory.ticket(world.tenant, world.board, title="Shared")
    executions = Executions(monkeypatch)
    board = {"board": gid("brd", world.board.id)}
    async with AsyncExitStack() as stack:
        agents = [c async for c in listeners(stack, live_server, [{"apiKey": world.api_key}] * 4)]
        watcher = await stack.enter_async_context(
            GraphQLWS.open(live_server, {"authorization": f"Bearer {viewer}"})
        )
        ops = [await client.subscribe(BOARD, board) for client in agents]
        narrow = await agents[0].subscribe(NARROW, board)
        watched = await watcher.subscribe(BOARD, board)
        await subscribed(services.hub, world.tenant.id, 6)

        response = await http.post(
            "/graphql",
            headers={"X-API-Key": world.api_key},
            json={
                "query": """mutation($t: ID!) { addComment(input: {ticketId: $t,
                    body: "Checked the logs", isInternal: true}) { comment { id } } }""",
                "variables": {"t": gid("tkt", ticket.id)},
            },
        )
        assert "errors" not in response.json()

        seen = [await client.event(op) for client, op in zip(agents, ops, strict=True)]
        assert all(event == seen[0] for event in seen)
        assert seen[0]["comment"] == {"body": "Checked the logs", "isInternal": True}
        assert set(await agents[0].event(narrow)) == {"seq", "kind"}
        # The viewer may not see internal notes: nothing arrives for it.
        assert await watcher.silent(watched)
    # Four agents with one document share one execution; the narrower document has its own.
    assert executions.count == 2
