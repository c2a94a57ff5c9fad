"""Who may call the v1 API: API keys only, and viewers only read."""

import httpx

from app.auth.models import Role
from tests.factories import Factory
from tests.rest.helpers import CREATE_EXAMPLE, REPLY_EXAMPLE, envelope, new_ticket_id


async def _calls(client: httpx.AsyncClient, ticket_id: str, headers: dict[str, str]) -> list:
    return [
        await client.post("/v1/tickets", content=CREATE_EXAMPLE, headers=headers),
        await client.get(f"/v1/tickets/{ticket_id}", headers=headers),
        await client.post(
            f"/v1/tickets/{ticket_id}/messages", content=REPLY_EXAMPLE, headers=headers
        ),
    ]


async def test_missing_or_wrong_credentials_are_unauthorized(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ticket_id = await new_ticket_id(client, world.api_key)
    for headers in (
        {},
        {"Authorization": "Bearer hv_not_a_real_key"},
        {"X-API-Key": "hv_not_a_real_key"},
        {"Authorization": f"Basic {world.api_key}"},
        # A user's access token is for GraphQL; the REST API takes API keys.
        {"Authorization": f"Bearer {world.token}"},
    ):
        for response in await _calls(client, ticket_id, headers):
            envelope(response, 401, "UNAUTHORIZED")


async def test_x_api_key_header_works(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    ticket_id = await new_ticket_id(client, world.api_key)
    statuses = [
        r.status_code for r in await _calls(client, ticket_id, {"X-API-Key": world.api_key})
    ]
    assert statuses == [202, 200, 201]


async def test_viewer_keys_read_but_cannot_write(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    viewer = await factory.api_key(world.tenant, Role.VIEWER)
    ticket_id = await new_ticket_id(client, world.api_key)
    created, read, replied = await _calls(client, ticket_id, {"Authorization": f"Bearer {viewer}"})
    envelope(created, 403, "FORBIDDEN")
    assert read.status_code == 200 and len(read.json()["messages"]) == 1
    envelope(replied, 403, "FORBIDDEN")
    count = await factory.gql("{ tickets { totalCount } }", api_key=world.api_key)
    assert count["data"]["tickets"]["totalCount"] == 1
