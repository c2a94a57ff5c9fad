"""Operations over a WebSocket are charged like HTTP requests: the plan's request and query-cost
budgets (shared with HTTP), and sign-in attempts against the per-address budget for requests
without valid credentials, so a socket is no way around a limit."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from app.services import Services
from app.tenants.models import Plan
from app.web.app import create_app
from tests.factories import Factory
from tests.realtime.conftest import GraphQLWS, serving
from tests.realtime.test_subscriptions import error_codes
from tests.test_rate_limits import PAGE_OF_HUNDRED

Served = Callable[..., Any]
LOGIN = """mutation($e: String!) {
  login(input: {email: $e, password: "not-the-password"}) { accessToken } }"""


@pytest.fixture
def limited_server(services: Services) -> Served:
    """`async with limited_server(free=60, anonymous_per_minute=30) as url`: a real server whose
    limits are the given ones, sharing the session's database and hub."""

    @asynccontextmanager
    async def build(**limits: int) -> AsyncIterator[str]:
        per_plan = {plan.value: limits.pop(plan.value, 1000) for plan in Plan}
        settings = services.settings.model_copy(
            update={
                "inline_worker": False,
                "rate_limit_enabled": True,
                "rate_limits_per_minute": per_plan,
                **{f"rate_limit_{name}": value for name, value in limits.items()},
            }
        )
        async with serving(create_app(settings, services)) as url:
            yield url

    return build


async def outcomes(ws: GraphQLWS, query: str, variables: dict[str, Any], count: int) -> list[str]:
    """Send `count` operations one after another and name each outcome: its first error code,
    or "ok"."""
    found = []
    for _ in range(count):
        message = await ws.receive(await ws.subscribe(query, variables))
        codes = error_codes(message)
        found.append(codes[0] if codes else "ok")
    return found


async def test_sign_in_attempts_over_a_socket_share_the_per_address_budget(
    limited_server: Served, factory: Factory
) -> None:
    attacker, victim = await factory.world(), await factory.world()
    async with (
        limited_server(anonymous_per_minute=30) as url,
        GraphQLWS.open(url, {"apiKey": attacker.api_key}) as ws,
    ):
        seen = await outcomes(ws, LOGIN, {"e": victim.admin.email}, 41)
    assert seen[:30] == ["UNAUTHENTICATED"] * 30
    assert seen[30:] == ["RATE_LIMITED"] * 11


async def test_the_plan_cost_budget_spent_over_http_holds_on_the_socket(
    limited_server: Served, factory: Factory
) -> None:
    world = await factory.world(Plan.FREE)
    async with limited_server(free=10, cost_factor=60) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            spent = await http.post(
                "/graphql", json={"query": PAGE_OF_HUNDRED}, headers={"X-API-Key": world.api_key}
            )
            assert spent.status_code == 200  # 502 of the 600 units a minute
        async with GraphQLWS.open(url, {"apiKey": world.api_key}) as ws:
            (outcome,) = await outcomes(ws, PAGE_OF_HUNDRED, {}, 1)
            assert outcome == "RATE_LIMITED"
            cheap = await ws.subscribe("query { viewer { role } }")
            message = await ws.receive(cheap)
            assert message["type"] == "next" and message["payload"]["data"]["viewer"]


async def test_the_plan_request_budget_holds_on_the_socket(
    limited_server: Served, factory: Factory
) -> None:
    world = await factory.world(Plan.FREE)
    async with (
        limited_server(free=5) as url,
        GraphQLWS.open(url, {"apiKey": world.api_key}) as ws,
    ):
        seen = await outcomes(ws, "query { viewer { role } }", {}, 7)
    assert seen == ["ok"] * 5 + ["RATE_LIMITED"] * 2
