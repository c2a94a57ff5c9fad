"""PostgreSQL out of reach: every door answers 503 with `Retry-After` and a coded error in
Haven's envelope, accepts nothing, and serves again once the database is back.

Outages are staged on a PostgreSQL of this module's own, never the suite's shared one."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from app.kit.db import Database
from app.kit.settings import Settings
from app.kit.unavailable import DatabaseUnavailable, unreachable
from app.services import Services
from app.tickets.models import Ticket
from app.web.app import create_app
from tests.factories import Factory, World
from tests.realtime.conftest import GraphQLWS, serving
from tests.separate_postgres import SeparatePostgres
from tests.webhooks.helpers import event, new_connector, post_event

VIEWER = "query { viewer { role tenant { slug } } }"
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { accessToken } }"""


@pytest.fixture(scope="module")
def outage_server() -> Iterator[SeparatePostgres]:
    server = SeparatePostgres()
    yield server
    server.close()


@dataclass
class Haven:
    """An app, its client and a tenant (admin API key, webhook secret) on the outage server."""

    services: Services
    client: httpx.AsyncClient
    factory: Factory
    world: World
    secret: str
    server: SeparatePostgres
    down: bool = False

    def stop_postgres(self) -> None:
        self.server.stop()
        self.down = True

    def start_postgres(self) -> None:
        self.server.start()
        self.down = False

    async def graphql(self, query: str, **variables: object) -> httpx.Response:
        headers = {"X-API-Key": self.world.api_key} if "viewer" in query else {}
        body = {"query": query, "variables": variables}
        return await self.client.post("/graphql", json=body, headers=headers)


@pytest.fixture
async def haven(outage_server: SeparatePostgres, tmp_path: Path) -> AsyncIterator[Haven]:
    settings = Settings(env="test", home=tmp_path)
    services = Services.assemble(settings, Database(outage_server.url, pool_size=2))
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://haven.test")
    factory = Factory(services, client)
    world = await factory.world()
    secret = await new_connector(services, world.tenant)
    made = Haven(services, client, factory, world, secret, outage_server)
    try:
        yield made
    finally:
        if made.down:
            made.start_postgres()
        await app.state.webhook_batcher.stop()
        await client.aclose()
        await services.db.close()


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["content-type"] == "application/json"


def assert_rest_unavailable(response: httpx.Response) -> None:
    assert_unavailable(response)
    error = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert "retry" in error["message"].lower()


def assert_graphql_unavailable(response: httpx.Response) -> None:
    assert_unavailable(response)
    body = response.json()
    assert body["data"] is None or all(value is None for value in body["data"].values())
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert "retry" in body["errors"][0]["message"].lower()


async def tickets_of(haven: Haven) -> int:
    async with haven.services.db.read() as session:
        found = await session.scalar(
            select(func.count(Ticket.id)).where(Ticket.tenant_id == haven.world.tenant.id)
        )
    return int(found or 0)


class TestRestWhilePostgresIsDown:
    async def test_a_rest_route_answers_503_in_the_envelope_then_serves_again(
        self, haven: Haven
    ) -> None:
        key = {"Authorization": f"Bearer {haven.world.api_key}"}
        assert (await haven.client.get("/api/v1/tickets", headers=key)).status_code == 200
        haven.stop_postgres()
        # The first request meets a pooled connection the server cut; later ones cannot connect.
        for _ in range(2):
            assert_rest_unavailable(await haven.client.get("/api/v1/tickets", headers=key))
        haven.start_postgres()
        assert (await haven.client.get("/api/v1/tickets", headers=key)).status_code == 200

    async def test_with_rate_limiting_on_a_keyed_request_still_gets_503(
        self, haven: Haven, tmp_path: Path
    ) -> None:
        # The rate limiter looks the key's caller up in the database before the route runs.
        settings = Settings(env="test", home=tmp_path, rate_limit_enabled=True)
        app = create_app(settings, haven.services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
            haven.stop_postgres()
            key = {"Authorization": f"Bearer {haven.world.api_key}"}
            for path in ("/api/v1/tickets", "/v1/tickets/tkt_1"):
                assert_rest_unavailable(await client.get(path, headers=key))
            answer = await client.post("/graphql", json={"query": VIEWER}, headers=key)
            assert_graphql_unavailable(answer)


class TestWebhooksWhilePostgresIsDown:
    async def test_an_event_refused_with_503_is_accepted_when_sent_again(
        self, haven: Haven
    ) -> None:
        sent = event()
        haven.stop_postgres()
        refused = await post_event(haven.client, haven.secret, haven.world.api_key, sent)
        assert_rest_unavailable(refused)
        haven.start_postgres()

        again = await post_event(haven.client, haven.secret, haven.world.api_key, sent)
        assert again.status_code == 202, again.text
        assert again.json()["event_id"] == sent["event_id"]
        assert await tickets_of(haven) == 1

    async def test_every_sender_in_a_failed_batch_gets_503_at_once(self, haven: Haven) -> None:
        haven.stop_postgres()
        began = time.monotonic()
        answers = await asyncio.gather(
            *(
                post_event(haven.client, haven.secret, haven.world.api_key, event())
                for _ in range(8)
            )
        )
        elapsed = time.monotonic() - began
        for answer in answers:
            assert_rest_unavailable(answer)
        assert elapsed < 10
        haven.start_postgres()
        assert await tickets_of(haven) == 0


class TestGraphQLWhilePostgresIsDown:
    async def test_a_query_with_an_api_key_gets_a_coded_503(self, haven: Haven) -> None:
        haven.stop_postgres()
        assert_graphql_unavailable(await haven.graphql(VIEWER))
        assert_graphql_unavailable(await haven.graphql(VIEWER))
        haven.start_postgres()
        answer = await haven.graphql(VIEWER)
        assert answer.status_code == 200
        assert answer.json()["data"]["viewer"]["tenant"]["slug"] == haven.world.tenant.slug

    async def test_a_mutation_whose_resolver_cannot_reach_it_gets_a_coded_503(
        self, haven: Haven
    ) -> None:
        haven.stop_postgres()
        credentials = {"email": haven.world.admin.email, "password": "whatever it is"}
        assert_graphql_unavailable(await haven.graphql(LOGIN, input=credentials))

    async def test_what_needs_no_database_is_still_answered(self, haven: Haven) -> None:
        haven.stop_postgres()
        answer = await haven.graphql("{ __typename }")
        assert answer.status_code == 200
        assert answer.json() == {"data": {"__typename": "Query"}}
        assert (await haven.client.get("/health")).status_code == 200


class TestReadinessFollowsPostgres:
    async def test_ready_names_the_failed_check_while_down_and_recovers(self, haven: Haven) -> None:
        ready = await haven.client.get("/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}
        haven.stop_postgres()
        down = await haven.client.get("/ready")
        assert_unavailable(down)
        assert down.json() == {"status": "unavailable", "checks": {"database": "failed"}}
        haven.start_postgres()
        assert (await haven.client.get("/ready")).status_code == 200


class TestOnlyUnreachableIsUnavailable:
    """What counts as "the database is out of reach", checked on real failures."""

    async def test_errors_in_the_statement_are_not_outages(self, services: Services) -> None:
        for statement in ("SELECT * FROM no_such_table", "SELECT 1/0", "SELEC 1"):
            with pytest.raises(DBAPIError) as raised:
                async with services.db.read() as session:
                    await session.execute(text(statement))
            assert not unreachable(raised.value), statement

    async def test_a_cut_connection_is_an_outage(self, database_url: str) -> None:
        db = Database(database_url, pool_size=1)
        try:
            async with db.read() as session:
                backend = await session.scalar(text("SELECT pg_backend_pid()"))
            async with db.read() as session:
                other = await session.scalar(text("SELECT pg_backend_pid()"))
            assert other == backend  # the pool handed the same connection back
            cutter = create_async_engine(database_url)
            async with cutter.connect() as connection:
                await connection.execute(text(f"SELECT pg_terminate_backend({backend})"))
            await cutter.dispose()
            with pytest.raises(DatabaseUnavailable):
                async with db.read() as session:
                    await session.execute(text("SELECT 1"))
            async with db.read() as session:  # the pool replaced it
                assert await session.scalar(text("SELECT 1")) == 1
        finally:
            await db.close()

    async def test_no_free_connection_in_time_is_an_outage(self, database_url: str) -> None:
        engine = create_async_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
        try:
            async with engine.connect():
                with pytest.raises(Exception) as raised:
                    async with engine.connect():
                        pass
            assert unreachable(raised.value)
        finally:
            await engine.dispose()

    async def test_no_server_at_all_is_an_outage(self, tmp_path: Path) -> None:
        nowhere = f"postgresql+asyncpg://postgres@/haven?host={tmp_path / uuid.uuid4().hex}"
        db = Database(nowhere)
        try:
            with pytest.raises(DatabaseUnavailable):
                async with db.transaction() as work:
                    await work.session.execute(text("SELECT 1"))
        finally:
            await db.close()


async def test_a_socket_operation_gets_a_coded_503_and_the_socket_stays_open(
    haven: Haven,
) -> None:
    """Re-authenticating an operation needs the database; while it is away the operation fails
    with SERVICE_UNAVAILABLE, and the same socket works again once it is back."""
    async with (
        serving(create_app(haven.services.settings, haven.services)) as url,
        GraphQLWS.open(url, {"apiKey": haven.world.api_key}) as ws,
    ):
        haven.stop_postgres()
        refused = await ws.receive(await ws.subscribe(VIEWER))
        assert refused["type"] == "error", refused
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["SERVICE_UNAVAILABLE"]
        haven.start_postgres()
        for _ in range(20):
            answer = await ws.receive(await ws.subscribe(VIEWER))
            if answer["type"] == "next":
                break
        assert answer["payload"]["data"]["viewer"]["role"] == "ADMIN"
