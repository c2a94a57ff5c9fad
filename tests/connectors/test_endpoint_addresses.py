"""Outbound action endpoints must reach a public address: every spelling of a private host and
every special-use name is refused with VALIDATION_ERROR on `endpoint`, by the service, REST and
GraphQL alike, and nothing is saved; ordinary public endpoints are still kept."""

import json
import uuid
from typing import Any

import httpx
import pytest

from app.connectors.service import create_action
from app.kit.destinations import Allowed
from app.kit.errors import ValidationFailed
from app.services import Services
from tests.connectors.helpers import ACTION_EXAMPLE, create, post
from tests.connectors.test_actions import CREATE, actions_count, graphql_input
from tests.factories import Factory, error_codes
from tests.rest.helpers import envelope

EXAMPLE: dict[str, Any] = json.loads(ACTION_EXAMPLE)

# url -> words the refusal must say.
REFUSED = {
    "localhost": ("http://localhost/admin", "localhost is a loopback name"),
    "a name under localhost": ("http://api.localhost/", "loopback name"),
    "hexadecimal integer": ("http://0x7f000001/", "0x7f000001 is 127.0.0.1, a loopback"),
    "decimal integer": ("http://2130706433/", "2130706433 is 127.0.0.1, a loopback"),
    "short dotted form": ("http://127.1/", "127.1 is 127.0.0.1, a loopback"),
    "octal integer": ("http://017700000001/", "is 127.0.0.1, a loopback"),
    "hexadecimal part": ("http://0x7f.0.0.1:8080/", "is 127.0.0.1, a loopback"),
    "trailing dot": ("http://127.0.0.1./", "is 127.0.0.1, a loopback"),
    "full-width digits": ("http://\uff11\uff12\uff17.0.0.1/", "is 127.0.0.1, a loopback"),
    "zero": ("http://0/", "0 is 0.0.0.0, an unspecified address"),
    "unspecified": ("http://0.0.0.0:8000/", "unspecified"),
    "metadata name": ("http://metadata.google.internal/computeMetadata/v1/", "(.internal)"),
    "metadata address": ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    "mDNS name": ("https://printer.local/hook", "(.local)"),
    "localdomain name": ("https://box.localdomain/hook", "(.localdomain)"),
    "home network name": ("https://nas.home.arpa/hook", "(.home.arpa)"),
    "single-label name": ("http://metadata/v1", "single-label name"),
    "carrier-grade NAT": ("https://100.64.0.1/hook", "carrier-grade NAT"),
    "private 172.16/12": ("https://172.31.255.1/hook", "private"),
    "multicast": ("https://224.0.0.1/hook", "multicast"),
    "documentation": ("https://192.0.2.10/hook", "documentation"),
    "benchmarking": ("https://198.18.0.1/hook", "benchmarking"),
    "broadcast": ("https://255.255.255.255/hook", "broadcast"),
    "IPv6 unspecified": ("http://[::]/", "unspecified"),
    "IPv4-mapped IPv6": ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1, a loopback"),
    "IPv4-mapped in hex": ("http://[::ffff:a9fe:a9fe]/", "169.254.169.254, a cloud metadata"),
    "IPv4-compatible IPv6": ("http://[::10.0.0.1]/", "10.0.0.1, a private"),
    "6to4 of a private address": ("http://[2002:a00:1::1]/", "6to4 form of 10.0.0.1, a private"),
    "NAT64 of loopback": ("http://[64:ff9b::7f00:1]/", "NAT64 form of 127.0.0.1, a loopback"),
    "link-local with a zone id": ("http://[fe80::1%25eth0]/", "link-local"),
    "unique local IPv6": ("https://[fd12:3456::1]/hook", "private"),
    "IPv6 metadata": ("http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"),
    "user and password": ("https://user:pass@api.example.com/hook", "user name or password"),
    "user hiding the host": ("http://api.example.com@127.0.0.1/", "user name or password"),
    "address out of range": ("http://127.0.0.256/", "valid host"),
    "percent-encoded host": ("http://%31%32%37.0.0.1/", "valid host name"),
    "placeholder in the host": ("https://{{tenant}}.example.com/hook", "host"),
    "name resolving to a private address": (
        "https://inside.example.com/hook",
        "inside.example.com resolves to 10.0.0.7, a private address",
    ),
    "name with one private answer among public ones": (
        "https://mixed.example.com/hook",
        "resolves to 10.0.0.7",
    ),
    "name resolving to a mapped metadata address": (
        "https://mapped.example.com/hook",
        "cloud metadata",
    ),
}
ACCEPTED = [
    "https://api.example.com/hook",
    "https://93.184.216.34/x",
    "https://public.example.com/hook",
    "https://dual.example.com/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://API.Example.com.:8443/v2/users/{{user_id}}/suspend?reason={{reason}}",
]


def _pk(connector: str) -> uuid.UUID:
    return uuid.UUID(connector.removeprefix("con_"))


@pytest.mark.parametrize(("url", "words"), REFUSED.values(), ids=REFUSED.keys())
async def test_rest_refuses_a_non_public_endpoint(
    client: httpx.AsyncClient, factory: Factory, url: str, words: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    response = await post(
        client, world.token, f"/{connector}/actions", {**EXAMPLE, "endpoint": url}
    )
    message = envelope(response, 400, "VALIDATION_ERROR")
    assert message.startswith("endpoint ") and words in message, message
    assert await actions_count(client, world.token) == 0


@pytest.mark.parametrize(("url", "words"), REFUSED.values(), ids=REFUSED.keys())
async def test_graphql_refuses_a_non_public_endpoint(
    client: httpx.AsyncClient, factory: Factory, url: str, words: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    body = await factory.gql(CREATE, graphql_input(connector, endpoint=url), token=world.token)
    assert error_codes(body) == ["VALIDATION_ERROR"] and body["data"] is None, body
    error = body["errors"][0]
    assert words in error["message"] and error["extensions"]["field"] == "endpoint", error
    assert await actions_count(client, world.token) == 0


@pytest.mark.parametrize(("url", "words"), REFUSED.values(), ids=REFUSED.keys())
async def test_the_service_refuses_a_non_public_endpoint(
    client: httpx.AsyncClient, factory: Factory, services: Services, url: str, words: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    with pytest.raises(ValidationFailed) as refused:
        async with services.db.transaction() as work:
            await create_action(
                work.session,
                world.tenant.id,
                _pk(connector),
                {**EXAMPLE, "endpoint": url},
                Allowed(),
            )
    assert refused.value.code == "VALIDATION_ERROR"
    assert refused.value.details == {"field": "endpoint"}
    assert words in refused.value.message
    assert await actions_count(client, world.token) == 0


@pytest.mark.parametrize("url", ACCEPTED)
async def test_public_endpoints_are_kept(
    client: httpx.AsyncClient, factory: Factory, url: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    response = await post(
        client, world.token, f"/{connector}/actions", {**EXAMPLE, "endpoint": url}
    )
    assert response.status_code == 201, response.text
    assert response.json()["endpoint"] == url
    body = await factory.gql(CREATE, graphql_input(connector, endpoint=url), token=world.token)
    assert error_codes(body) == [], body
    assert body["data"]["createOutboundAction"]["action"]["endpoint"] == url
    assert await actions_count(client, world.token) == 2
