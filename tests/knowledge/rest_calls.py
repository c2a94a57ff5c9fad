"""Calling /api/v1/knowledge as the API document's curl examples do: an access token as a
bearer token, JSON bodies sent as given."""

import re
from typing import Any

import httpx

from app.auth.models import Role
from tests.factories import Factory, World

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def auth(token: str, json_body: bool = False) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


def encoded(body: Any) -> bytes:
    return body.encode() if isinstance(body, str) else httpx.Request("P", "/", json=body).content


async def post(client: httpx.AsyncClient, token: str, path: str, body: Any) -> httpx.Response:
    return await client.post(path, content=encoded(body), headers=auth(token, True))


async def patch(
    client: httpx.AsyncClient, token: str, article_id: str, body: Any
) -> httpx.Response:
    return await client.patch(
        f"/api/v1/knowledge/{article_id}", content=encoded(body), headers=auth(token, True)
    )


async def viewer_token(factory: Factory, world: World) -> str:
    return await factory.token(await factory.user(world.tenant, Role.VIEWER))
