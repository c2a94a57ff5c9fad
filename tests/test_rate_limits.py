"""Per-plan rate limits, as callers see them: 429s with Retry-After, RateLimit fields and the
RATE_LIMITED envelope. Each test builds its own app with tiny limits, so budgets never leak
between tests (and never touch the session app)."""

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from app.ratelimit.cost import request_cost
from app.services import Services
from app.tenants.models import Plan
from app.web.app import create_app
from tests.conftest import StatementCounter
from tests.factories import Factory

# The fixture is imported so pytest finds it here; tests ask for it as `redis_server`.
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

CHEAP = "query { viewer { role } }"
# 1 + tickets + edges x5 + (node + id + title) x5 = 22 units.
PAGE_OF_FIVE = "query { tickets(first: 5) { edges { node { id title } } } }"
PAGE_OF_HUNDRED = "query { tickets(first: 100) { edges { node { id title status } } } }"

AppFactory = Callable[..., Any]


@pytest.fixture
def limited(services: Services) -> AppFactory:
    """`async with limited(free=3, ...) as client`: an app whose limits are the given ones."""

    @asynccontextmanager
    async def build(
        redis_url: str | None = None, **limits: int
    ) -> AsyncIterator[httpx.AsyncClient]:
        per_plan = {plan.value: limits.pop(plan.value, 100) for plan in Plan}
        settings = services.settings.model_copy(
            update={
                "rate_limit_enabled": True,
                "redis_url": redis_url,
                "rate_limits_per_minute": per_plan,
                **{f"rate_limit_{name}": value for name, value in limits.items()},
            }
        )
        transport = httpx.ASGITransport(app=create_app(settings, services))
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
            yield client

    return build


async def gql(client: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers)


def assert_limited(response: httpx.Response, limit: int, remaining: int = 0) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "RATE_LIMITED"
    assert response.json()["error"]["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["RateLimit-Policy"].startswith(f"{limit};w=60")
    assert re.fullmatch(
        rf"limit={limit}, remaining={remaining}, reset=\d+", response.headers["RateLimit"]
    )


async def test_the_request_past_the_limit_is_refused(limited: AppFactory, factory: Factory) -> None:
    world = await factory.world()
    async with limited(free=3) as client:
        for remaining in (2, 1, 0):
            response = await gql(client, CHEAP, **{"X-API-Key": world.api_key})
            assert response.status_code == 200, response.text
            assert response.json()["data"]["viewer"]["role"] == "ADMIN"
            assert response.headers["RateLimit-Policy"].startswith("3;w=60")
            assert f"remaining={remaining}," in response.headers["RateLimit"]
        assert_limited(await gql(client, CHEAP, **{"X-API-Key": world.api_key}), 3)


async def test_a_pro_tenant_gets_more_than_a_free_one(
    limited: AppFactory, factory: Factory
) -> None:
    free, pro = await factory.world(Plan.FREE), await factory.world(Plan.PRO)
    async with limited(free=2, pro=4) as client:
        statuses = {
            name: [
                (await gql(client, CHEAP, **{"X-API-Key": world.api_key})).status_code
                for _ in range(5)
            ]
            for name, world in (("free", free), ("pro", pro))
        }
    assert statuses == {"free": [200, 200, 429, 429, 429], "pro": [200, 200, 200, 200, 429]}


async def test_each_key_and_each_user_has_its_own_budget(
    limited: AppFactory, factory: Factory
) -> None:
    world = await factory.world()
    other_key = await factory.api_key(world.tenant)
    async with limited(free=2) as client:
        for _ in range(2):
            assert (await gql(client, CHEAP, **{"X-API-Key": world.api_key})).status_code == 200
        assert_limited(await gql(client, CHEAP, **{"X-API-Key": world.api_key}), 2)
        assert (await gql(client, CHEAP, **{"X-API-Key": other_key})).status_code == 200
        bearer = {"Authorization": f"Bearer {world.token}"}
        assert (await gql(client, CHEAP, **bearer)).status_code == 200


async def test_an_expensive_query_spends_the_cost_budget_first(
    limited: AppFactory, factory: Factory
) -> None:
    world = await factory.world()
    key = {"X-API-Key": world.api_key}
    # 5 requests a minute, 50 cost units a minute.
    async with limited(free=5, cost_factor=10) as client:
        # Dearer than the whole budget: refused, and nothing is taken from it.
        refused = await gql(client, PAGE_OF_HUNDRED, **key)
        assert_limited(refused, 50, remaining=50)
        assert "cost" in refused.json()["error"]["message"]
        for _ in range(2):
            response = await gql(client, PAGE_OF_FIVE, **key)
            assert response.status_code == 200, response.text
            assert "errors" not in response.json()
        # Three requests of five spent, but a third page (22) does not fit in the 6 units left.
        assert_limited(await gql(client, PAGE_OF_FIVE, **key), 50, remaining=6)


async def test_limits_hold_across_processes_sharing_redis(
    limited: AppFactory,
    factory: Factory,
    redis_server: RedisServer,
) -> None:
    world = await factory.world()
    key = {"X-API-Key": world.api_key}
    async with (
        limited(redis_url=redis_server.url, free=3) as first,
        limited(redis_url=redis_server.url, free=3) as second,
    ):
        statuses = [(await gql(app, CHEAP, **key)).status_code for app in (first, second, first)]
        assert statuses == [200, 200, 200]
        assert_limited(await gql(second, CHEAP, **key), 3)
        assert_limited(await gql(first, CHEAP, **key), 3)


async def test_a_redis_outage_lets_requests_through(
    limited: AppFactory,
    factory: Factory,
    redis_server: RedisServer,
) -> None:
    world = await factory.world()
    key = {"X-API-Key": world.api_key}
    async with limited(redis_url=redis_server.url, free=1) as client:
        assert (await gql(client, CHEAP, **key)).status_code == 200
        redis_server.stop()
        try:
            # Refusing every caller because the counters are away would be the worse outage.
            response = await gql(client, CHEAP, **key)
            assert response.status_code == 200, response.text
            assert "RateLimit" not in response.headers
        finally:
            redis_server.start()
        # Back, with its counters empty (nothing is kept on disk).
        assert (await gql(client, CHEAP, **key)).status_code == 200
        assert_limited(await gql(client, CHEAP, **key), 1)


async def test_probes_keys_and_the_board_page_are_not_limited(
    limited: AppFactory, factory: Factory
) -> None:
    world = await factory.world()
    paths = ("/health", "/ready", "/metrics", "/.well-known/jwks.json", "/static/missing.js")
    async with limited(free=1, public_per_minute=1, anonymous_per_minute=1) as client:
        for _ in range(4):
            for path in paths:
                for headers in ({"X-API-Key": world.api_key}, {}):
                    response = await client.get(path, headers=headers)
                    assert response.status_code != 429, path
                    assert "RateLimit" not in response.headers


async def test_public_endpoints_are_limited_per_client_address(limited: AppFactory) -> None:
    async with limited(public_per_minute=2) as client:
        for path in ("/api/v1/reports", "/functions/v1/public-ticket-submit"):
            assert (await client.post(path, json={})).status_code != 429
        assert_limited(await client.post("/api/v1/reports", json={}), 2)


async def test_preflights_cost_nothing_and_a_widgets_429_is_readable(
    limited: AppFactory,
) -> None:
    origin = {"Origin": "https://datingframe.com"}
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    async with limited(public_per_minute=2) as client:
        for _ in range(5):
            response = await client.options("/api/v1/reports", headers=preflight)
            assert response.status_code != 429 and "RateLimit" not in response.headers
        for _ in range(2):
            assert (
                await client.post("/api/v1/reports", json={}, headers=origin)
            ).status_code != 429
        refused = await client.post("/api/v1/reports", json={}, headers=origin)
        assert_limited(refused, 2)
        # Without this header the page's script would see a network error, not a 429.
        assert refused.headers["Access-Control-Allow-Origin"] == "https://datingframe.com"


async def test_webhook_ingestion_has_its_own_budget_per_key(
    limited: AppFactory, factory: Factory
) -> None:
    world = await factory.world()
    key = {"X-API-Key": world.api_key}
    async with limited(free=5, webhooks_per_minute=2) as client:
        for _ in range(2):
            assert (await client.post("/api/v1/webhooks/events", headers=key)).status_code != 429
        assert_limited(await client.post("/api/v1/webhooks/events", headers=key), 2)
        # The plan budget is untouched by webhook deliveries.
        assert (await gql(client, CHEAP, **key)).status_code == 200


async def test_a_known_caller_costs_no_extra_lookup(
    limited: AppFactory, factory: Factory, statements: StatementCounter
) -> None:
    world = await factory.world()
    bearer = {"Authorization": f"Bearer {world.token}"}
    async with limited() as client:
        await gql(client, CHEAP, **bearer)  # looks the caller up, once
        before = statements.count
        assert (await gql(client, CHEAP, **bearer)).status_code == 200
        limited_cost = statements.count - before
    transport = httpx.ASGITransport(app=create_app(factory.services.settings, factory.services))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        before = statements.count
        assert (await gql(client, CHEAP, **bearer)).status_code == 200
        assert limited_cost == statements.count - before


async def test_guessing_keys_or_passwords_is_limited_per_address(limited: AppFactory) -> None:
    login = (
        'mutation { login(input: {email: "a@example.com", password: "guess-guess"}) { tokenType } }'
    )
    async with limited(free=1, anonymous_per_minute=3) as client:
        for _ in range(2):
            wrong = await gql(client, CHEAP, **{"X-API-Key": "hv_not_a_real_key"})
            assert wrong.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        attempt = await gql(client, login)
        assert attempt.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert_limited(await gql(client, login), 3)


def test_cost_counts_fields_times_page_sizes() -> None:
    def cost(query: str, **payload: Any) -> int:
        return request_cost(
            httpx.Request("POST", "/", json={"query": query, **payload}).read(), 2000, 10_000
        )

    assert cost("{ viewer { role } }") == 3
    assert cost(PAGE_OF_FIVE) == 22
    assert (
        cost(
            "query($n: Int) { tickets(first: $n) { edges { ...T } } } fragment T on TicketEdge "
            "{ node { id } }",
            variables={"n": 10},
        )
        == 1 + 1 + 10 * 3
    )
    assert cost(PAGE_OF_HUNDRED) > 50
    assert request_cost(b"not json", 2000, 10_000) == 1
    assert cost("{ unclosed") == 1
    # Pages past the app's maximum (refused anyway) cost what the largest page does.
    assert cost("{ tickets(first: 1000000000) { edges { node { id } } } }") == 1 + 1 + 100 * 3
    assert request_cost(b'{"query": "{ a { b { c { d } } } }"}', 2000, 3) == 3
