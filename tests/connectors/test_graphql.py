"""Connector management through GraphQL: administrators only, secrets only in create/rotate."""

from typing import Any

import httpx
import pytest

from app.auth.models import Role
from tests.conftest import StatementCounter
from tests.connectors.helpers import ACTION_EXAMPLE, MAPPING_EXAMPLE, create, post
from tests.factories import Factory, World, error_codes

CREATE = """mutation($input: CreateConnectorInput!) {
  createConnector(input: $input) {
    signingSecret
    connector {
      id name type status config signingSecretLast4 webhookUrl secretRotatedAt
      previousSecretExpiresAt lastEventAt deactivatedAt createdAt
      inboundMappings { id } outboundActions { id } inboundMappingsCount outboundActionsCount
    }
  }
}"""
CONNECTORS = """query($status: ConnectorStatus, $first: Int, $after: String) {
  connectors(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name status } }
  }
}"""
DETAIL = """query($id: ID!) {
  connector(id: $id) {
    id name inboundMappingsCount outboundActionsCount
    inboundMappings { id eventType createdAt fieldMappings { source target transform } }
    outboundActions { id actionType endpoint method }
  }
}"""
NODE = """query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Connector { name }
    ... on InboundMapping { eventType }
    ... on OutboundAction { endpoint }
  }
}"""


async def ok(factory: Factory, document: str, variables: dict, token: str) -> dict[str, Any]:
    body = await factory.gql(document, variables, token=token)
    assert error_codes(body) == [], body
    return dict(body["data"])


async def new_connector(factory: Factory, world: World, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"name": "Dating Frame", "type": "WEBHOOK", **fields}}
    return dict((await ok(factory, CREATE, variables, world.token))["createConnector"])


async def test_create_connector_answers_the_secret_and_a_fresh_connector(
    factory: Factory,
) -> None:
    world = await factory.world()
    config = {"smtp_host": "smtp.example.com", "port": 587}
    created = await new_connector(factory, world, type="EMAIL", config=config)
    secret, connector = created["signingSecret"], created["connector"]
    assert secret.startswith("whsec_") and connector["signingSecretLast4"] == secret[-4:]
    assert {k: v for k, v in connector.items() if k not in ("id", "createdAt")} == {
        "name": "Dating Frame",
        "type": "EMAIL",
        "status": "ACTIVE",
        "config": config,
        "signingSecretLast4": secret[-4:],
        "webhookUrl": "http://127.0.0.1:8000/api/v1/webhooks/events",
        "secretRotatedAt": None,
        "previousSecretExpiresAt": None,
        "lastEventAt": None,
        "deactivatedAt": None,
        "inboundMappings": [],
        "outboundActions": [],
        "inboundMappingsCount": 0,
        "outboundActionsCount": 0,
    }


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": ""}, "name"),
        ({"config": [1, 2]}, "config"),
        ({"config": {"api_token": "t"}}, "api_token"),
    ],
)
async def test_create_connector_refuses_invalid_input(
    factory: Factory, fields: dict, words: str
) -> None:
    world = await factory.world()
    variables = {"input": {"name": "X", "type": "API", **fields}}
    body = await factory.gql(CREATE, variables, token=world.token)
    assert error_codes(body) == ["VALIDATION_ERROR"] and body["data"] is None, body
    assert words in body["errors"][0]["message"]
    listed = await ok(factory, CONNECTORS, {}, world.token)
    assert listed["connectors"]["totalCount"] == 0


async def test_connectors_page_newest_first_and_filter_by_status(factory: Factory) -> None:
    world = await factory.world()
    ids = [(await new_connector(factory, world, name=f"C{n}"))["connector"]["id"] for n in range(3)]
    stop = "mutation($id: ID!) { deactivateConnector(input: {id: $id}) { connector { id } } }"
    await ok(factory, stop, {"id": ids[1]}, world.token)
    first = (await ok(factory, CONNECTORS, {"first": 2}, world.token))["connectors"]
    assert [edge["node"]["id"] for edge in first["edges"]] == [ids[2], ids[1]]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = (await ok(factory, CONNECTORS, {"first": 2, "after": after}, world.token))["connectors"]
    assert [edge["node"]["id"] for edge in rest["edges"]] == [ids[0]]
    assert rest["pageInfo"] == {"hasNextPage": False, "endCursor": rest["edges"][0]["cursor"]}
    active = (await ok(factory, CONNECTORS, {"status": "ACTIVE"}, world.token))["connectors"]
    assert [edge["node"]["id"] for edge in active["edges"]] == [ids[2], ids[0]]
    inactive = (await ok(factory, CONNECTORS, {"status": "INACTIVE"}, world.token))["connectors"]
    assert inactive["totalCount"] == 1 and inactive["edges"][0]["node"]["status"] == "INACTIVE"


@pytest.mark.parametrize("variables", [{"first": 0}, {"first": 101}, {"after": "garbage!"}])
async def test_bad_paging_arguments_are_refused(factory: Factory, variables: dict) -> None:
    world = await factory.world()
    body = await factory.gql(CONNECTORS, variables, token=world.token)
    assert error_codes(body) == ["VALIDATION_ERROR"], body


async def test_connector_shows_its_mappings_and_actions(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    mapping = (await post(client, world.token, f"/{connector}/mappings", MAPPING_EXAMPLE)).json()
    action = (await post(client, world.token, f"/{connector}/actions", ACTION_EXAMPLE)).json()
    data = (await ok(factory, DETAIL, {"id": connector}, world.token))["connector"]
    assert data["inboundMappingsCount"] == 1 and data["outboundActionsCount"] == 1
    assert data["inboundMappings"][0]["id"] == mapping["id"]
    assert data["inboundMappings"][0]["fieldMappings"][2] == {
        "source": "payload.reason",
        "target": "category",
        "transform": "map_category",
    }
    assert data["outboundActions"] == [
        {
            "id": action["id"],
            "actionType": "SUSPEND_USER",
            "endpoint": action["endpoint"],
            "method": "POST",
        }
    ]
    for target, typename in ((connector, "Connector"), (mapping["id"], "InboundMapping")):
        node = (await ok(factory, NODE, {"id": target}, world.token))["node"]
        assert (node["__typename"], node["id"]) == (typename, target)
    node = (await ok(factory, NODE, {"id": action["id"]}, world.token))["node"]
    assert node == {
        "__typename": "OutboundAction",
        "id": action["id"],
        "endpoint": action["endpoint"],
    }


async def test_unknown_or_mistyped_ids_read_as_absent(factory: Factory) -> None:
    world = await factory.world()
    body = await ok(
        factory, DETAIL, {"id": "con_00000000-0000-4000-8000-000000000000"}, world.token
    )
    assert body == {"connector": None}
    mistyped = await factory.gql(
        DETAIL, {"id": "tkt_00000000-0000-4000-8000-000000000000"}, token=world.token
    )
    assert error_codes(mistyped) == ["NOT_FOUND"]


async def test_listing_connectors_costs_the_same_statements_for_any_number(
    client: httpx.AsyncClient, factory: Factory, statements: StatementCounter
) -> None:
    query = """query {
      connectors(first: 50) { totalCount edges { node {
        id inboundMappingsCount outboundActionsCount
        inboundMappings { id fieldMappings { target } } outboundActions { id endpoint }
      } } }
    }"""
    counts = []
    for size in (1, 6):
        world = await factory.world()
        for _ in range(size):
            connector = (await create(client, world.token))["id"]
            await post(client, world.token, f"/{connector}/mappings", MAPPING_EXAMPLE)
            await post(client, world.token, f"/{connector}/actions", ACTION_EXAMPLE)
        statements.count = 0
        data = await ok(factory, query, {}, world.token)
        counts.append(statements.count)
        assert len(data["connectors"]["edges"]) == size
        assert all(
            len(edge["node"]["outboundActions"]) == 1 for edge in data["connectors"]["edges"]
        )
    assert counts[0] == counts[1], counts


ROOT_FIELDS = {
    "connectors": ("query { connectors { totalCount } }", lambda c: {}),
    "connector": ("query($id: ID!) { connector(id: $id) { id } }", lambda c: {"id": c}),
    "createConnector": (CREATE, lambda c: {"input": {"name": "X", "type": "API"}}),
    "rotateConnectorSecret": (
        "mutation($id: ID!) { rotateConnectorSecret(input: {id: $id}) { signingSecret } }",
        lambda c: {"id": c},
    ),
    "deactivateConnector": (
        "mutation($id: ID!) { deactivateConnector(input: {id: $id}) { connector { id } } }",
        lambda c: {"id": c},
    ),
    "activateConnector": (
        "mutation($id: ID!) { activateConnector(input: {id: $id}) { connector { id } } }",
        lambda c: {"id": c},
    ),
    "saveInboundMapping": (
        """mutation($id: ID!) { saveInboundMapping(input: {connectorId: $id,
          eventType: "user_reported", fieldMappings: [{source: "source", target: "tags"}]})
          { mapping { id } } }""",
        lambda c: {"id": c},
    ),
    "createOutboundAction": (
        """mutation($id: ID!) { createOutboundAction(input: {connectorId: $id,
          actionType: SEND_WARNING, endpoint: "https://example.com/warn", method: POST,
          payloadTemplate: "{}"}) { action { id } } }""",
        lambda c: {"id": c},
    ),
}
STATE = """query($id: ID!) {
  connectors { totalCount }
  connector(id: $id) {
    status signingSecretLast4 secretRotatedAt inboundMappingsCount outboundActionsCount
  }
}"""


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
@pytest.mark.parametrize("name", sorted(ROOT_FIELDS))
async def test_agents_and_viewers_are_forbidden(
    client: httpx.AsyncClient, factory: Factory, name: str, role: Role
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    before = await ok(factory, STATE, {"id": connector}, world.token)
    document, variables = ROOT_FIELDS[name]
    token = await factory.token(await factory.user(world.tenant, role))
    key = await factory.api_key(world.tenant, role)
    for credentials in ({"token": token}, {"api_key": key}):
        body = await factory.gql(document, variables(connector), **credentials)
        assert error_codes(body) == ["FORBIDDEN"], body
        assert (body["data"] or {}).get(name) is None
    assert await ok(factory, STATE, {"id": connector}, world.token) == before
    # The control: an admin runs the same document.
    assert (await ok(factory, document, variables(connector), world.token))[name] is not None


async def test_node_hides_connectors_from_non_admins(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    mapping = (await post(client, world.token, f"/{connector}/mappings", MAPPING_EXAMPLE)).json()
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    for target in (connector, mapping["id"]):
        assert await ok(factory, NODE, {"id": target}, agent) == {"node": None}
