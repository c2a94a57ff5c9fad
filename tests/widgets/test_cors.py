"""Browsers post reports from the tenant's own site: preflights, and which sites may."""

import httpx
import pytest

import app.widgets.rest
from app.services import Services
from tests.factories import Factory
from tests.rest.helpers import envelope
from tests.widgets.helpers import create_token, post_report, written

SITE = "https://datingframe.com"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type,x-widget-token",
}


async def test_a_preflight_allows_the_widgets_method_and_headers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options("/api/v1/reports", headers={"Origin": SITE, **PREFLIGHT})
    assert response.status_code == 204, response.text
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"content-type", "x-widget-token"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]
    assert response.content == b""


async def test_a_report_from_an_allowed_site_is_readable_by_that_site(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    _, secret = await create_token(factory, world, [SITE, "https://m.datingframe.com"])
    response = await post_report(client, secret, origin=SITE)
    assert response.status_code == 201, response.text
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://datingframe.com", "https://datingframe.com.evil", "null"],
)
async def test_a_report_from_another_site_is_forbidden_and_files_nothing(
    factory: Factory, client: httpx.AsyncClient, services: Services, origin: str
) -> None:
    world = await factory.world()
    _, secret = await create_token(factory, world, [SITE])
    response = await post_report(client, secret, origin=origin)
    envelope(response, 403, "FORBIDDEN")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert await written(services, world.tenant.id) == (0, 0)


async def test_a_token_without_origins_may_be_used_from_any_site(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    _, secret = await create_token(factory, world)
    for origin in ("https://anywhere.example", "http://localhost:3000"):
        response = await post_report(client, secret, origin=origin)
        assert response.status_code == 201, response.text
        assert response.headers["Access-Control-Allow-Origin"] == origin


async def test_a_server_sending_no_origin_is_not_held_to_the_sites(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    _, secret = await create_token(factory, world, [SITE])
    response = await post_report(client, secret)
    assert response.status_code == 201, response.text
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_errors_are_readable_by_the_site_so_the_widget_can_show_them(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    _, secret = await create_token(factory, world, [SITE])
    refused = await post_report(client, secret, {"category": "spam"}, origin=SITE)
    envelope(refused, 400, "VALIDATION_ERROR")
    assert refused.headers["Access-Control-Allow-Origin"] == SITE
    unknown = await post_report(client, "wgt_unknown", origin=SITE)
    envelope(unknown, 401, "UNAUTHORIZED")
    assert unknown.headers["Access-Control-Allow-Origin"] == SITE


async def test_an_unexpected_failure_is_readable_by_the_site_and_shows_nothing(
    factory: Factory, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("connection string postgresql://secret")

    monkeypatch.setattr(app.widgets.rest, "submit_report", broken)
    world = await factory.world()
    _, secret = await create_token(factory, world, [SITE])
    response = await post_report(client, secret, origin=SITE)
    assert envelope(response, 500, "INTERNAL_ERROR") == "Unexpected error"
    assert "secret" not in response.text
    assert response.headers["Access-Control-Allow-Origin"] == SITE
