"""A platform's event shows up live on the board of whoever is watching it."""

import json

import httpx

from app.services import Services
from tests.factories import Factory
from tests.realtime.conftest import GraphQLWS, subscribed
from tests.webhooks.helpers import PATH, event, new_connector, signed_headers

BOARD_EVENTS = """subscription($board: ID!) {
  boardEvents(boardId: $board) { kind ticket { id title priority source } }
}"""


async def test_an_ingested_event_reaches_board_subscribers(
    live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
) -> None:
    world = await factory.world()
    secret = await new_connector(services, world.tenant)
    async with GraphQLWS.open(live_server, {"apiKey": world.api_key}) as ws:
        op = await ws.subscribe(BOARD_EVENTS, {"board": f"brd_{world.board.id}"})
        await subscribed(services.hub, world.tenant.id, 1)
        body = json.dumps(event("csam_hash_match")).encode()
        response = await http.post(
            PATH, content=body, headers=signed_headers(secret, body, world.api_key)
        )
        assert response.status_code == 202, response.text
        live = await ws.event(op)
    assert live["kind"] == "TICKET_CREATED"
    assert live["ticket"] == {
        "id": response.json()["id"],
        "title": "CSAM hash match (photodna)",
        "priority": "CRITICAL",
        "source": "WEBHOOK",
    }
