"""Signing secrets: shown once, sealed at rest, verifying events until rotated or deactivated."""

import base64
import json
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import text

from tests.conftest import StatementCounter
from tests.connectors.helpers import bearer, create, send_event
from tests.factories import Factory, World, error_codes
from tests.rest.helpers import envelope

CONNECTOR = """query($id: ID!) {
  connector(id: $id) {
    id name type status config signingSecretLast4 secretRotatedAt previousSecretExpiresAt
    webhookUrl lastEventAt deactivatedAt createdAt inboundMappingsCount outboundActionsCount
  }
  connectors { totalCount edges { node { id signingSecretLast4 config } } }
  node(id: $id) { id ... on Connector { signingSecretLast4 } }
}"""
ROTATE = """mutation($input: RotateConnectorSecretInput!) {
  rotateConnectorSecret(input: $input) {
    signingSecret connector { id signingSecretLast4 secretRotatedAt previousSecretExpiresAt }
  }
}"""
DEACTIVATE = """mutation($input: DeactivateConnectorInput!) {
  deactivateConnector(input: $input) { connector { id status deactivatedAt } }
}"""
ACTIVATE = """mutation($input: ActivateConnectorInput!) {
  activateConnector(input: $input) { connector { id status deactivatedAt } }
}"""


async def gql(factory: Factory, world: World, document: str, variables: dict) -> dict[str, Any]:
    body = await factory.gql(document, variables, token=world.token)
    assert error_codes(body) == [], body
    return dict(body["data"])


async def row_as_text(factory: Factory, connector_id: str) -> str:
    async with factory.services.db.read() as session:
        found = await session.scalar(
            text("SELECT row_to_json(c)::text FROM connectors c WHERE id = :id"),
            {"id": connector_id.removeprefix("con_")},
        )
    assert found is not None
    return str(found)


async def test_the_secret_is_in_the_create_answer_and_nowhere_else(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    secret = created["config"]["signing_secret"]
    encoded = secret.removeprefix("whsec_")
    raw = base64.b64decode(encoded)
    assert len(raw) == 32
    listed = await client.get("/api/v1/connectors", headers=bearer(world.token))
    data = await gql(factory, world, CONNECTOR, {"id": created["id"]})
    assert data["connector"]["signingSecretLast4"] == secret[-4:]
    for answer in (listed.text, json.dumps(data)):
        assert encoded not in answer and encoded[:12] not in answer
    stored = await row_as_text(factory, created["id"])
    # row_to_json shows bytea as \x<hex>: neither form of the secret, nor its bytes, is there.
    for form in (secret, encoded, encoded[:12], raw.hex(), raw.hex()[:24]):
        assert form not in stored, form
    assert json.loads(stored)["secret_last4"] == secret[-4:]


async def test_a_secret_created_through_rest_signs_accepted_events(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    secret = (await create(client, world.token))["config"]["signing_secret"]
    response = await send_event(client, world.api_key, secret)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "received"
    forged = await send_event(client, world.api_key, secret + "x")
    envelope(forged, 403, "FORBIDDEN")


async def test_after_rotation_with_grace_both_secrets_are_accepted(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    old = created["config"]["signing_secret"]
    data = await gql(factory, world, ROTATE, {"input": {"id": created["id"], "graceSeconds": 600}})
    rotated = data["rotateConnectorSecret"]
    new = rotated["signingSecret"]
    assert new != old and rotated["connector"]["signingSecretLast4"] == new[-4:]
    assert rotated["connector"]["previousSecretExpiresAt"] > rotated["connector"]["secretRotatedAt"]
    for secret in (old, new):
        assert (await send_event(client, world.api_key, secret)).status_code == 202


async def test_rotation_without_grace_refuses_the_old_secret_at_once(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    old = created["config"]["signing_secret"]
    data = await gql(factory, world, ROTATE, {"input": {"id": created["id"], "graceSeconds": 0}})
    new = data["rotateConnectorSecret"]["signingSecret"]
    envelope(await send_event(client, world.api_key, old), 403, "FORBIDDEN")
    assert (await send_event(client, world.api_key, new)).status_code == 202


async def test_the_default_grace_is_a_day(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    data = await gql(factory, world, ROTATE, {"input": {"id": created["id"]}})
    connector = data["rotateConnectorSecret"]["connector"]
    rotated_at, expires = connector["secretRotatedAt"], connector["previousSecretExpiresAt"]
    gap = datetime.fromisoformat(expires) - datetime.fromisoformat(rotated_at)
    assert gap.total_seconds() == 86400
    old = created["config"]["signing_secret"]
    assert (await send_event(client, world.api_key, old)).status_code == 202


async def test_grace_beyond_seven_days_or_negative_is_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    for grace in (-1, 604801):
        body = await factory.gql(
            ROTATE, {"input": {"id": created["id"], "graceSeconds": grace}}, token=world.token
        )
        assert error_codes(body) == ["VALIDATION_ERROR"] and body["data"] is None, body
    old = created["config"]["signing_secret"]
    assert (await send_event(client, world.api_key, old)).status_code == 202


async def test_a_deactivated_connectors_secret_is_refused_until_reactivated(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    other = await create(client, world.token, {"name": "Other", "type": "api"})
    secret = created["config"]["signing_secret"]
    stopped = await gql(factory, world, DEACTIVATE, {"input": {"id": created["id"]}})
    assert stopped["deactivateConnector"]["connector"]["status"] == "INACTIVE"
    assert stopped["deactivateConnector"]["connector"]["deactivatedAt"] is not None
    envelope(await send_event(client, world.api_key, secret), 403, "FORBIDDEN")
    # Only that connector stopped: the tenant's other connector still verifies.
    other_secret = other["config"]["signing_secret"]
    assert (await send_event(client, world.api_key, other_secret)).status_code == 202
    started = await gql(factory, world, ACTIVATE, {"input": {"id": created["id"]}})
    assert started["activateConnector"]["connector"] == {
        "id": created["id"],
        "status": "ACTIVE",
        "deactivatedAt": None,
    }
    assert (await send_event(client, world.api_key, secret)).status_code == 202


async def test_rest_deactivation_refuses_the_secret(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    response = await client.post(
        f"/api/v1/connectors/{created['id']}/deactivate", headers=bearer(world.token)
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "inactive"
    secret = created["config"]["signing_secret"]
    envelope(await send_event(client, world.api_key, secret), 403, "FORBIDDEN")


async def test_rest_rotation_without_body_keeps_the_old_secret_for_the_default_grace(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    response = await client.post(
        f"/api/v1/connectors/{created['id']}/rotate-secret", headers=bearer(world.token)
    )
    assert response.status_code == 200, response.text
    new, old = response.json()["config"]["signing_secret"], created["config"]["signing_secret"]
    for secret in (old, new):
        assert (await send_event(client, world.api_key, secret)).status_code == 202
    zero = await client.post(
        f"/api/v1/connectors/{created['id']}/rotate-secret",
        content='{"grace_seconds": 0}',
        headers=bearer(world.token),
    )
    newest = zero.json()["config"]["signing_secret"]
    envelope(await send_event(client, world.api_key, new), 403, "FORBIDDEN")
    assert (await send_event(client, world.api_key, newest)).status_code == 202


async def test_named_secrets_are_listed_per_connector_in_one_query(
    client: httpx.AsyncClient, factory: Factory, statements: StatementCounter
) -> None:
    world = await factory.world()
    made = [(await create(client, world.token))["id"] for _ in range(3)]
    for number, connector in enumerate(made):
        for name in ("service_key", f"region_{number}"):
            saved = await client.post(
                f"/api/v1/connectors/{connector}/secrets",
                json={"name": name, "value": f"sk_live_{number}_{name}_9f3a"},
                headers=bearer(world.token),
            )
            assert saved.status_code == 201, saved.text
    query = "query { connectors { edges { node { id secrets { name last4 } } } } }"
    before = statements.count
    body = await factory.gql(query, token=world.token)
    listed = {
        edge["node"]["id"]: edge["node"]["secrets"] for edge in body["data"]["connectors"]["edges"]
    }
    for number, connector in enumerate(made):
        assert [secret["name"] for secret in listed[connector]] == [
            f"region_{number}",
            "service_key",
        ]
        assert all(secret["last4"] == "9f3a" for secret in listed[connector])
    # The secrets of every connector on the page come in one statement, not one per connector.
    with_secrets = statements.count - before
    plain = statements.count
    await factory.gql("query { connectors { edges { node { id } } } }", token=world.token)
    assert with_secrets - (statements.count - plain) == 1
