"""GraphQL query cost is charged whatever Content-Type a request claims: Strawberry runs any
body whose media type contains `application/json`, so a heavy query sent as
`x-application/json` must spend the cost budget exactly as one sent as `application/json`."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from app.services import Services
from app.tenants.models import Plan
from app.web.app import create_app
from tests.factories import Factory

# 1 + tickets + edges x5 + (node + id + title) x5 = 22 units.
PAGE_OF_FIVE = "query { tickets(first: 5) { edges { node { id title } } } }"
# Media types Strawberry executes as JSON.
EXECUTED_AS_JSON = [
    "application/json",
    "x-application/json",
    "text/x-application/json; charset=utf-8",
    "application/jsonx",
]


@pytest.fixture
async def limited(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An app allowing 5 requests and 50 cost units a minute per caller."""
    settings = services.settings.model_copy(
        update={
            "rate_limit_enabled": True,
            "redis_url": None,
            "rate_limits_per_minute": {plan.value: 5 for plan in Plan},
            "rate_limit_cost_factor": 10,
        }
    )
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        yield client


async def post_query(
    client: httpx.AsyncClient, api_key: str, content_type: str, query: str = PAGE_OF_FIVE
) -> httpx.Response:
    return await client.post(
        "/graphql",
        content=json.dumps({"query": query}),
        headers={"X-API-Key": api_key, "Content-Type": content_type},
    )


@pytest.mark.parametrize("content_type", EXECUTED_AS_JSON)
async def test_a_heavy_query_spends_the_cost_budget_whatever_its_content_type(
    limited: httpx.AsyncClient, factory: Factory, content_type: str
) -> None:
    world = await factory.world()
    for _ in range(2):
        response = await post_query(limited, world.api_key, content_type)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json()
        assert response.headers["RateLimit-Policy"].startswith('50;w=60;comment="cost"')
    # 44 of 50 units spent: a third page (22) does not fit, however the request is labelled.
    refused = await post_query(limited, world.api_key, content_type)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert "query cost" in refused.json()["error"]["message"]
    assert refused.headers["RateLimit"].startswith("limit=50, remaining=6,")


async def test_relabelling_a_query_does_not_reset_what_it_spent(
    limited: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    statuses = [
        (await post_query(limited, world.api_key, content_type)).status_code
        for content_type in ("application/json", "x-application/json", "application/json")
    ]
    assert statuses == [200, 200, 429]


async def test_a_multipart_graphql_body_is_not_executed(
    limited: httpx.AsyncClient, factory: Factory
) -> None:
    # Uploads are off, so a multipart body never runs; were they turned on, its `operations`
    # part would have to be charged like a JSON body.
    world = await factory.world()
    response = await limited.post(
        "/graphql",
        files={"operations": (None, json.dumps({"query": PAGE_OF_FIVE})), "map": (None, "{}")},
        headers={"X-API-Key": world.api_key},
    )
    assert response.status_code == 400, response.text
    assert "data" not in response.text
