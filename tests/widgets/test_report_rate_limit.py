"""Reports are limited per client address: ten a minute, the eleventh refused unfiled."""

import re

import httpx

from app.services import Services
from app.web.app import create_app
from tests.factories import Factory
from tests.widgets.helpers import create_token, post_report, written


async def test_the_eleventh_report_in_a_minute_is_refused_and_files_nothing(
    factory: Factory, services: Services
) -> None:
    world = await factory.world()
    _, secret = await create_token(factory, world)
    settings = services.settings.model_copy(
        update={"rate_limit_enabled": True, "redis_url": None, "rate_limit_public_per_minute": 10}
    )
    # An app of its own, so its budgets start empty and are seen by no other test.
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        for remaining in range(9, -1, -1):
            response = await post_report(client, secret)
            assert response.status_code == 201, response.text
            assert f"remaining={remaining}," in response.headers["RateLimit"]
        refused = await post_report(client, secret)

    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Policy"].startswith("10;w=60")
    assert re.fullmatch(r"limit=10, remaining=0, reset=\d+", refused.headers["RateLimit"])
    assert await written(services, world.tenant.id) == (10, 10)
