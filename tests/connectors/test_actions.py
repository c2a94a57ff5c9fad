"""Outbound actions: only public http(s) endpoints, JSON templates and clean headers are kept."""

import json
from typing import Any

import httpx
import pytest

from tests.connectors.helpers import ACTION_EXAMPLE, bearer, create, post
from tests.factories import Factory, error_codes
from tests.rest.helpers import envelope

EXAMPLE: dict[str, Any] = json.loads(ACTION_EXAMPLE)

INVALID = {
    "missing endpoint": ({"endpoint": None}, "endpoint is required"),
    "blank endpoint": ({"endpoint": "  "}, "endpoint is required"),
    "missing payload_template": ({"payload_template": None}, "payload_template is required"),
    "loopback endpoint": ({"endpoint": "http://127.0.0.1:8000/admin"}, "loopback"),
    "private endpoint": ({"endpoint": "https://10.0.0.5/hook"}, "private"),
    "link-local metadata endpoint": ({"endpoint": "http://169.254.169.254/latest"}, "link-local"),
    "IPv6 loopback endpoint": ({"endpoint": "https://[::1]/x"}, "loopback"),
    "unbalanced IPv6 bracket": ({"endpoint": "http://[::1/x"}, "http(s) URL"),
    "not http": ({"endpoint": "file:///etc/passwd"}, "http(s) URL"),
    "endpoint not a string": ({"endpoint": ["https://a.example"]}, "endpoint"),
    "template not JSON": ({"payload_template": "reason={{reason}}"}, "payload_template"),
    "template with a broken brace": ({"payload_template": '{"a": {{x}'}, "payload_template"),
    "header with a newline": ({"headers": {"X-A": "v\r\nX-Injected: 1"}}, "line breaks"),
    "header with a bad name": ({"headers": {"X A": "v"}}, "X A"),
    "header value not a string": ({"headers": {"X-A": 1}}, "X-A"),
    "headers not an object": ({"headers": ["X-A"]}, "headers"),
    "unknown action type": ({"action_type": "delete_account"}, "action_type"),
    "unknown method": ({"method": "GET"}, "method"),
    "method not a string": ({"method": 1}, "method"),
}


async def actions_count(client: httpx.AsyncClient, token: str) -> int:
    listed = await client.get("/api/v1/connectors", headers=bearer(token))
    return int(listed.json()["data"][0]["outbound_actions_count"])


@pytest.mark.parametrize(("change", "words"), INVALID.values(), ids=INVALID.keys())
async def test_invalid_action_is_refused(
    client: httpx.AsyncClient, factory: Factory, change: dict, words: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    body = {k: v for k, v in {**EXAMPLE, **change}.items() if v is not None}
    response = await post(client, world.token, f"/{connector}/actions", body)
    assert words in envelope(response, 400, "VALIDATION_ERROR")
    assert await actions_count(client, world.token) == 0


async def test_an_unknown_connector_is_not_found(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    await create(client, world.token)
    response = await post(
        client, world.token, "/con_00000000-0000-4000-8000-000000000000/actions", ACTION_EXAMPLE
    )
    envelope(response, 404, "NOT_FOUND")
    assert await actions_count(client, world.token) == 0


CREATE = """mutation($input: CreateOutboundActionInput!) {
  createOutboundAction(input: $input) {
    action { id actionType endpoint method headers payloadTemplate createdAt }
  }
}"""
CONNECTOR = """query($id: ID!) {
  connector(id: $id) {
    outboundActionsCount outboundActions { id actionType method headers payloadTemplate }
  }
}"""


def graphql_input(connector: str, **change: Any) -> dict[str, Any]:
    return {
        "input": {
            "connectorId": connector,
            "actionType": "SUSPEND_USER",
            "endpoint": EXAMPLE["endpoint"],
            "method": "POST",
            "headers": EXAMPLE["headers"],
            "payloadTemplate": EXAMPLE["payload_template"],
            **change,
        }
    }


async def test_graphql_creates_an_action_and_lists_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    body = await factory.gql(CREATE, graphql_input(connector), token=world.token)
    assert error_codes(body) == [], body
    action = body["data"]["createOutboundAction"]["action"]
    assert action["id"].startswith("act_") and action["actionType"] == "SUSPEND_USER"
    assert action["headers"] == {"X-Service-Key": "{{service_key}}"}
    listed = await factory.gql(CONNECTOR, {"id": connector}, token=world.token)
    assert listed["data"]["connector"] == {
        "outboundActionsCount": 1,
        "outboundActions": [
            {
                "id": action["id"],
                "actionType": "SUSPEND_USER",
                "method": "POST",
                "headers": {"X-Service-Key": "{{service_key}}"},
                "payloadTemplate": EXAMPLE["payload_template"],
            }
        ],
    }


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"endpoint": "http://192.168.1.1/x"}, "private"),
        ({"payloadTemplate": "not json"}, "payload_template"),
        ({"headers": {"X-A": "a\nb"}}, "line breaks"),
    ],
)
async def test_graphql_refuses_the_same_actions(
    client: httpx.AsyncClient, factory: Factory, change: dict, words: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    body = await factory.gql(CREATE, graphql_input(connector, **change), token=world.token)
    assert error_codes(body) == ["VALIDATION_ERROR"] and body["data"] is None, body
    assert words in body["errors"][0]["message"]
    assert await actions_count(client, world.token) == 0
