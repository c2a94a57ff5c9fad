"""Widget tokens as tenant admins manage them in GraphQL."""

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text, update

from app.auth.models import Role
from app.services import Services
from app.widgets.models import WidgetToken
from tests.factories import Factory, error_codes, gid
from tests.widgets.helpers import (
    CREATE_TOKEN,
    REVOKE_TOKEN,
    WIDGET_TOKENS,
    create_token,
    post_report,
)


def pk(global_id: str) -> uuid.UUID:
    return uuid.UUID(global_id.removeprefix("wdg_"))


async def tokens(factory: Factory, token: str) -> list[dict]:
    body = await factory.gql(WIDGET_TOKENS, token=token)
    assert error_codes(body) == [], body
    return list(body["data"]["widgetTokens"])


async def last_used(factory: Factory, token: str) -> datetime | None:
    (listed,) = await tokens(factory, token)
    value = listed["lastUsedAt"]
    return datetime.fromisoformat(value) if value else None


class TestCreate:
    async def test_the_token_is_shown_once_and_only_its_hash_is_stored(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        body = await factory.gql(
            CREATE_TOKEN, {"input": {"name": "iOS app", "allowedOrigins": []}}, token=world.token
        )
        created = body["data"]["createWidgetToken"]
        secret, record = created["token"], created["widgetToken"]
        assert secret.startswith("wgt_") and len(secret) > 40
        assert record["id"].startswith("wdg_") and record["prefix"] == secret[:12]
        assert record["createdBy"] == {"id": gid("usr", world.admin.id)}
        assert (record["lastUsedAt"], record["revokedAt"]) == (None, None)

        listed = await tokens(factory, world.token)
        assert [token["id"] for token in listed] == [record["id"]]
        assert secret not in json.dumps(listed) and secret[12:] not in json.dumps(listed)

        async with services.db.read() as session:
            row = (
                await session.execute(
                    text("SELECT * FROM widget_tokens WHERE id = :id"), {"id": pk(record["id"])}
                )
            ).one()
        stored = row._asdict()
        assert stored["token_hash"] == hashlib.sha256(secret.encode()).digest()
        for value in stored.values():
            raw = value if isinstance(value, bytes) else str(value).encode()
            assert secret[12:].encode() not in raw, value

    async def test_allowed_origins_are_kept_as_browsers_send_them(self, factory: Factory) -> None:
        world = await factory.world()
        origins = ["HTTPS://DatingFrame.com/", "http://localhost:8080", "https://datingframe.com"]
        await create_token(factory, world, origins)
        (listed,) = await tokens(factory, world.token)
        assert listed["allowedOrigins"] == ["https://datingframe.com", "http://localhost:8080"]

    async def test_something_that_is_not_an_origin_is_refused(self, factory: Factory) -> None:
        world = await factory.world()
        for origins in (["https://datingframe.com/messages"], ["datingframe.com"], ["null"]):
            body = await factory.gql(
                CREATE_TOKEN,
                {"input": {"name": "Web", "allowedOrigins": origins}},
                token=world.token,
            )
            assert error_codes(body) == ["VALIDATION_ERROR"], body
            assert body["errors"][0]["extensions"]["field"] == "allowedOrigins"
        too_many = [f"https://s{i}.example" for i in range(21)]
        body = await factory.gql(
            CREATE_TOKEN, {"input": {"name": "Web", "allowedOrigins": too_many}}, token=world.token
        )
        assert error_codes(body) == ["VALIDATION_ERROR"], body
        assert await tokens(factory, world.token) == []

    async def test_a_blank_name_is_refused(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(CREATE_TOKEN, {"input": {"name": "  "}}, token=world.token)
        assert error_codes(body) == ["VALIDATION_ERROR"], body
        assert await tokens(factory, world.token) == []

    async def test_a_token_made_with_an_api_key_names_no_creator(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(CREATE_TOKEN, {"input": {"name": "Web"}}, api_key=world.api_key)
        assert body["data"]["createWidgetToken"]["widgetToken"]["createdBy"] is None


class TestRevoke:
    async def test_revoking_stops_the_token_at_once_and_is_idempotent(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        token_id, secret = await create_token(factory, world)
        first = await factory.gql(REVOKE_TOKEN, {"input": {"id": token_id}}, token=world.token)
        revoked_at = first["data"]["revokeWidgetToken"]["widgetToken"]["revokedAt"]
        assert revoked_at is not None
        assert (await post_report(client, secret)).status_code == 401
        again = await factory.gql(REVOKE_TOKEN, {"input": {"id": token_id}}, token=world.token)
        assert again["data"]["revokeWidgetToken"]["widgetToken"]["revokedAt"] == revoked_at

    async def test_an_id_of_another_type_is_not_found(self, factory: Factory) -> None:
        world = await factory.world()
        token_id, _ = await create_token(factory, world)
        # The same UUID under the ticket prefix, and the secret's prefix, name no widget token.
        for wrong in (token_id.replace("wdg_", "tkt_"), token_id.replace("wdg_", "wgt_")):
            body = await factory.gql(REVOKE_TOKEN, {"input": {"id": wrong}}, token=world.token)
            assert error_codes(body) == ["NOT_FOUND"], body
        (listed,) = await tokens(factory, world.token)
        assert listed["revokedAt"] is None


class TestLastUsed:
    async def test_a_report_records_use_at_most_once_a_minute(
        self, factory: Factory, client: httpx.AsyncClient, services: Services
    ) -> None:
        world = await factory.world()
        token_id, secret = await create_token(factory, world)
        assert await last_used(factory, world.token) is None

        assert (await post_report(client, secret)).status_code == 201
        first = await last_used(factory, world.token)
        assert first is not None and datetime.now(UTC) - first < timedelta(seconds=30)

        assert (await post_report(client, secret)).status_code == 201
        assert await last_used(factory, world.token) == first

        # A minute later, the next report records it again.
        earlier = first - timedelta(minutes=2)
        async with services.db.transaction() as work:
            await work.session.execute(
                update(WidgetToken)
                .where(WidgetToken.id == pk(token_id))
                .values(last_used_at=earlier)
            )
        assert await last_used(factory, world.token) == earlier
        assert (await post_report(client, secret)).status_code == 201
        latest = await last_used(factory, world.token)
        assert latest is not None and latest > first

    async def test_a_refused_report_records_no_use(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world, ["https://datingframe.com"])
        assert (await post_report(client, secret, {"category": "spam"})).status_code == 400
        response = await post_report(client, secret, origin="https://evil.example")
        assert response.status_code == 403
        assert await last_used(factory, world.token) is None


class TestNode:
    async def test_an_admin_finds_a_token_by_id_and_others_find_nothing(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        token_id, _ = await create_token(factory, world, ["https://datingframe.com"])
        query = "query($id: ID!) { node(id: $id) { id ... on WidgetToken { name } } }"
        found = await factory.gql(query, {"id": token_id}, token=world.token)
        assert found == {"data": {"node": {"id": token_id, "name": "Web app"}}}
        viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
        hidden = await factory.gql(query, {"id": token_id}, token=viewer)
        assert hidden == {"data": {"node": None}}
