import httpx

from app import __version__
from app.graphql.export import SCHEMA_FILE, sdl


async def test_health_reports_service_and_version(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "haven", "version": __version__}


def test_checked_in_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == sdl(), "schema.graphql is stale: run `make schema`"


async def test_jwks_serves_public_rsa_keys_only(client: httpx.AsyncClient) -> None:
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert keys and all(key["kty"] == "RSA" and key["alg"] == "RS256" for key in keys)
    assert all("d" not in key and "p" not in key for key in keys)
