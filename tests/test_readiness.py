"""`/ready` asks the database and, when configured, Redis; `/health` asks nothing."""

import time

import httpx

from app.kit.settings import Settings
from app.services import Services
from app.web.app import create_app
from tests.redis_server import RedisServer, free_port, redis_server_fixture  # noqa: F401


def client_for(services: Services, redis_url: str) -> httpx.AsyncClient:
    settings = Settings(env="test", home=services.settings.home, REDIS_URL=redis_url)
    app = create_app(settings, services)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://haven.test")


async def test_ready_checks_the_database_without_redis_configured(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}
    assert response.headers["cache-control"] == "no-store"


async def test_ready_follows_redis_when_it_is_configured(
    services: Services, redis_server: RedisServer
) -> None:
    async with client_for(services, redis_server.url) as client:
        up = await client.get("/ready")
        assert up.status_code == 200
        assert up.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}

        redis_server.stop()
        try:
            down = await client.get("/ready")
        finally:
            redis_server.start()
        assert down.status_code == 503
        assert int(down.headers["Retry-After"]) > 0
        assert down.json() == {
            "status": "unavailable",
            "checks": {"database": "ok", "redis": "failed"},
        }
        assert (await client.get("/ready")).status_code == 200


async def test_an_unreachable_redis_fails_readiness_quickly(services: Services) -> None:
    async with client_for(services, f"redis://127.0.0.1:{free_port()}/0") as client:
        began = time.monotonic()
        response = await client.get("/ready")
        assert time.monotonic() - began < 5
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "failed"


async def test_health_is_liveness_only_and_stays_up_when_redis_is_down(
    services: Services,
) -> None:
    async with client_for(services, f"redis://127.0.0.1:{free_port()}/0") as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
