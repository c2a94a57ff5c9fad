"""Cross-tenant probes for widget tokens: tenant B's admin (by token and by API key) aims every
widget root field at tenant A's tokens, and the owner runs the same documents as the control."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.factories import Factory, World, error_codes
from tests.widgets.helpers import CREATE_TOKEN, REVOKE_TOKEN, WIDGET_TOKENS, post_report

COVERS = {"Query.widgetTokens", "Mutation.createWidgetToken", "Mutation.revokeWidgetToken"}
CREDENTIALS = ("token", "api_key")


@dataclass
class Side:
    world: World
    token_id: str
    secret: str
    word: str
    origin: str

    def markers(self) -> list[str]:
        """Strings that must never appear in an answer given to another tenant."""
        return [
            str(self.world.tenant.id),
            self.token_id,
            self.token_id.partition("_")[2],
            self.secret.partition("_")[2],
            self.word,
            self.origin,
        ]


async def build_side(factory: Factory) -> Side:
    world = await factory.world()
    word = f"zq{uuid.uuid4().hex[:12]}"
    origin = f"https://{word}.example"
    body = await factory.gql(
        CREATE_TOKEN,
        {"input": {"name": f"Widget {word}", "allowedOrigins": [origin]}},
        token=world.token,
    )
    created = body["data"]["createWidgetToken"]
    return Side(world, created["widgetToken"]["id"], created["token"], word, origin)


@pytest.fixture
async def sides(factory: Factory) -> tuple[Side, Side]:
    """(A, B): the victim and the intruder."""
    return await build_side(factory), await build_side(factory)


async def call(
    factory: Factory, document: str, variables: dict[str, Any], caller: Side, credential: str
) -> dict[str, Any]:
    if credential == "token":
        return await factory.gql(document, variables, token=caller.world.token)
    return await factory.gql(document, variables, api_key=caller.world.api_key)


def leaks(body: dict[str, Any], victim: Side) -> list[str]:
    text = json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


async def snapshot(factory: Factory, side: Side) -> list[dict[str, Any]]:
    body = await factory.gql(WIDGET_TOKENS, token=side.world.token)
    assert error_codes(body) == [], body
    return list(body["data"]["widgetTokens"])


async def still_files_reports(client: httpx.AsyncClient, side: Side) -> None:
    response = await post_report(client, side.secret, origin=side.origin)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_widget_tokens_lists_only_the_callers_own(
    factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    body = await call(factory, WIDGET_TOKENS, {}, intruder, credential)
    assert error_codes(body) == [], body
    assert [token["id"] for token in body["data"]["widgetTokens"]] == [intruder.token_id]
    assert not leaks(body, victim), body
    owner = await call(factory, WIDGET_TOKENS, {}, victim, "token")
    assert [token["id"] for token in owner["data"]["widgetTokens"]] == [victim.token_id]


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_create_widget_token_with_the_victims_name_lands_in_the_callers_tenant(
    factory: Factory, client: httpx.AsyncClient, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    before = await snapshot(factory, victim)
    same = {"name": f"Widget {victim.word}", "allowedOrigins": [victim.origin]}
    body = await call(factory, CREATE_TOKEN, {"input": same}, intruder, credential)
    assert error_codes(body) == [], body
    created = body["data"]["createWidgetToken"]["widgetToken"]["id"]
    assert created not in json.dumps(before)
    assert await snapshot(factory, victim) == before
    assert created in json.dumps(await snapshot(factory, intruder))
    await still_files_reports(client, victim)


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_revoking_another_tenants_token_is_not_found(
    factory: Factory, client: httpx.AsyncClient, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    before = await snapshot(factory, victim)
    body = await call(
        factory, REVOKE_TOKEN, {"input": {"id": victim.token_id}}, intruder, credential
    )
    assert error_codes(body) == ["NOT_FOUND"] and body["data"] is None, body
    assert not leaks(body, victim), body
    assert await snapshot(factory, victim) == before
    await still_files_reports(client, victim)


async def test_the_owner_can_revoke_its_own_token(
    factory: Factory, client: httpx.AsyncClient, sides: tuple[Side, Side]
) -> None:
    """The control: the document the intruder was refused works for the owner."""
    victim, _ = sides
    body = await call(factory, REVOKE_TOKEN, {"input": {"id": victim.token_id}}, victim, "token")
    revoked = body["data"]["revokeWidgetToken"]["widgetToken"]
    assert revoked["id"] == victim.token_id and revoked["revokedAt"] is not None
    response = await post_report(client, victim.secret, origin=victim.origin)
    assert response.status_code == 401


async def test_a_report_lands_only_in_the_tenant_its_token_names(
    factory: Factory, client: httpx.AsyncClient, sides: tuple[Side, Side]
) -> None:
    victim, intruder = sides
    response = await post_report(client, victim.secret, origin=victim.origin)
    ticket_id = response.json()["ticket_id"]
    query = "query { tickets(first: 100) { edges { node { id } } } }"
    theirs = await factory.gql(query, token=victim.world.token)
    assert [edge["node"]["id"] for edge in theirs["data"]["tickets"]["edges"]] == [ticket_id]
    for credentials in ({"token": intruder.world.token}, {"api_key": intruder.world.api_key}):
        mine = await factory.gql(query, None, **credentials)
        assert mine == {"data": {"tickets": {"edges": []}}}


NODE = """query($id: ID!) {
  node(id: $id) { __typename id ... on WidgetToken { name prefix allowedOrigins } }
}"""


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_node_of_another_tenants_widget_token_is_null(
    factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    body = await call(factory, NODE, {"id": victim.token_id}, intruder, credential)
    assert body == {"data": {"node": None}}
    owner = await call(factory, NODE, {"id": victim.token_id}, victim, "token")
    assert owner["data"]["node"]["id"] == victim.token_id
    assert owner["data"]["node"]["allowedOrigins"] == [victim.origin]
