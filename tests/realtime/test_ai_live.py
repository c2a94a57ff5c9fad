"""AI on a live board: triage's result arrives as TICKET_CLASSIFIED with the ticket as triaged;
drafts arrive for the team and, like internal notes, never for a viewer."""

import httpx

from app.auth.models import Role
from app.services import Services
from tests.ai.helpers import triaged
from tests.factories import Factory, gid
from tests.realtime.conftest import GraphQLWS, subscribed

LiveServer = str
BOARD = """subscription($board: ID!) { boardEvents(boardId: $board) {
  kind changes ticket { id category aiConfidence aiClassification { category provider } } } }"""


async def test_triage_and_drafts_arrive_live_on_the_board(
    live_server: LiveServer, factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
    board = {"board": gid("brd", world.board.id)}
    async with (
        GraphQLWS.open(live_server, {"apiKey": world.api_key}) as team,
        GraphQLWS.open(live_server, {"authorization": f"Bearer {viewer}"}) as watcher,
    ):
        team_op = await team.subscribe(BOARD, board)
        viewer_op = await watcher.subscribe(BOARD, board)
        await subscribed(services.hub, world.tenant.id, 2)
        ticket = await factory.ticket(
            world.tenant,
            world.board,
            title="VPN not connecting",
            description="Cannot connect to the VPN from home since this morning",
        )
        await triaged(services, ticket.id)
        created, classified = await team.events(team_op, 2)
        assert created["kind"] == "TICKET_CREATED"
        assert classified["kind"] == "TICKET_CLASSIFIED"
        shown = classified["ticket"]
        assert shown["id"] == gid("tkt", ticket.id)
        assert shown["aiClassification"]["provider"] == "local"
        assert shown["aiConfidence"] is not None
        response = await client.post(
            f"/api/v1/tickets/{gid('tkt', ticket.id)}/drafts",
            json={},
            headers={"Authorization": f"Bearer {world.token}"},
        )
        assert response.status_code == 201
        (drafted,) = await team.events(team_op, 1)
        assert drafted["kind"] == "DRAFT_CREATED"
        assert drafted["changes"]["draft"]["status"] == "pending_approval"
        seen = await watcher.events(viewer_op, 2)
        assert [event["kind"] for event in seen] == ["TICKET_CREATED", "TICKET_CLASSIFIED"]
        assert await watcher.silent(viewer_op)
