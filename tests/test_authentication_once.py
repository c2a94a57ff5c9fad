"""A request looks its caller up once: the body limit, the rate limiter, GraphQL and the REST
routes all read the one answer the authentication middleware found."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.services import Services
from app.web.app import create_app
from tests.factories import Factory


class CredentialLookups:
    """Counts the statements that read credentials: API keys and sign-in sessions."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        lowered = statement.lower()
        if lowered.startswith("select") and (
            "from api_keys" in lowered or "join auth_sessions" in lowered
        ):
            self.count += 1


@pytest.fixture
def lookups(services: Services) -> Iterator[CredentialLookups]:
    counter = CredentialLookups()
    event.listen(services.db.engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(services.db.engine.sync_engine, "before_cursor_execute", counter)


@pytest.fixture
async def limited_client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An app with rate limiting on, whose limiter has never seen any caller."""
    settings = services.settings.model_copy(update={"rate_limit_enabled": True})
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        yield client


async def test_a_graphql_request_with_a_large_body_looks_its_key_up_once(
    factory: Factory, limited_client: httpx.AsyncClient, lookups: CredentialLookups
) -> None:
    world = await factory.world()
    key = await factory.api_key(world.tenant)
    # Past the anonymous body bound, so the body limit must know the caller too.
    body = {"query": "# " + "x" * 1_100_000 + "\nquery { __typename }"}
    response = await limited_client.post("/graphql", json=body, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    # Only valid credentials may send a body this large.
    assert response.json() == {"data": {"__typename": "Query"}}
    assert "ratelimit" in response.headers
    assert lookups.count == 1


async def test_a_rest_request_with_an_access_token_looks_its_session_up_once(
    factory: Factory, limited_client: httpx.AsyncClient, lookups: CredentialLookups
) -> None:
    world = await factory.world()
    response = await limited_client.get(
        "/api/v1/cases", headers={"Authorization": f"Bearer {world.token}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == []
    assert "ratelimit" in response.headers
    assert lookups.count == 1


async def test_refused_credentials_are_answered_from_the_same_lookup(
    factory: Factory, limited_client: httpx.AsyncClient, lookups: CredentialLookups
) -> None:
    response = await limited_client.get("/api/v1/cases", headers={"X-API-Key": "hv_" + "0" * 40})
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "UNAUTHORIZED", "message": "Invalid or revoked API key"}
    }
    assert lookups.count == 1
