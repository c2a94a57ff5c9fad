"""Hostile bodies posted to /graphql are refused with a coded JSON error (never a 500),
change nothing, and leave the server answering."""

import asyncio
import json
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from app.kit.settings import Settings
from app.services import Services
from app.web.app import create_app
from app.web.body_limit import ENVELOPE_BYTES, signed_in_bound
from app.web.graphql_body import MAX_JSON_DEPTH
from tests.evidence.helpers import PRESERVE, build_scene, preserve_input
from tests.factories import Factory, World, error_codes, gid
from tests.test_board_page import LiveServer, live_server  # noqa: F401

CREATE_TICKET = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id metadata } }
}"""
COUNT = "query($boardId: ID!) { tickets(boardId: $boardId) { totalCount } }"
JSON_HEADERS = {"Content-Type": "application/json"}
MB = 1024 * 1024
CHUNK = 64 * 1024


def refused(response: httpx.Response, status: int, code: str) -> str:
    """The message of the one coded error a refused request carries."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert error_codes(body) == [code], body
    assert "data" not in body, body
    return str(body["errors"][0]["message"])


def credentials(world: World) -> dict[str, str]:
    return {**JSON_HEADERS, "Authorization": f"Bearer {world.token}"}


def ticket_body(world: World, **fields: object) -> str:
    variables = {"input": {"boardId": gid("brd", world.board.id), "title": "Hostile", **fields}}
    return json.dumps({"query": CREATE_TICKET, "variables": variables})


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested_ticket(world: World, levels: int) -> bytes:
    """A createTicket body whose metadata nests lists so that the whole body is `levels` deep
    (the body, `variables`, `input` and `metadata` are the first four levels)."""
    body = ticket_body(world, metadata={"v": "NESTED"})
    return body.replace('"NESTED"', nested(levels - 4)).encode()


def padded_ticket(world: World, size: int) -> bytes:
    """A createTicket body of exactly `size` bytes, padded inside the description."""
    body = ticket_body(world, description="")
    padding = "x" * (size - len(body))
    return body.replace('"description": ""', f'"description": "{padding}"').encode()


async def ticket_count(factory: Factory, world: World) -> int:
    body = await factory.gql(COUNT, {"boardId": gid("brd", world.board.id)}, token=world.token)
    return int(body["data"]["tickets"]["totalCount"])


async def still_answering(factory: Factory) -> None:
    assert await factory.gql("{ __typename }") == {"data": {"__typename": "Query"}}


class Chunks:
    """A streamed body of `total` bytes sent in 64 KB chunks, counting what the server pulls."""

    def __init__(self, total: int, head: bytes = b'{"query": "{ __typename }", "x": "') -> None:
        self.total, self.head, self.pulled = total, head, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.total:
            chunk = (self.head if sent == 0 else b"") + b"x" * CHUNK
            chunk = chunk[: self.total - sent]
            self.pulled += len(chunk)
            sent += len(chunk)
            yield chunk


class TestUndecodableBodies:
    @pytest.mark.parametrize(
        "raw",
        [
            b'{"query": "{ __typename }", "x": "\xff\xfe"}',
            b'{"query": "{ __typename \xc3 }"}',
            b"\xed\xa0\x80",
            b'{"query": "\x80"}',
        ],
        ids=["bad-bytes-in-string", "truncated-sequence", "encoded-surrogate", "lone-continuation"],
    )
    async def test_invalid_utf8_is_a_coded_400(
        self, client: httpx.AsyncClient, factory: Factory, raw: bytes
    ) -> None:
        response = await client.post("/graphql", content=raw, headers=JSON_HEADERS)
        assert "UTF-8" in refused(response, 400, "BAD_REQUEST")
        await still_answering(factory)

    async def test_invalid_utf8_in_a_mutation_files_nothing(self, factory: Factory) -> None:
        world = await factory.world()
        raw = padded_ticket(world, 600).replace(b"xxxx", b"\xc3\x28", 1)
        response = await factory.client.post("/graphql", content=raw, headers=credentials(world))
        refused(response, 400, "BAD_REQUEST")
        assert await ticket_count(factory, world) == 0

    async def test_malformed_json_is_answered_in_the_same_shape(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/graphql", content=b'{"query": ', headers=JSON_HEADERS)
        assert refused(response, 400, "BAD_REQUEST") == "Unable to parse request body as JSON"

    async def test_an_unsupported_content_type_is_answered_in_the_same_shape(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/graphql", content=b"query=x", headers={"Content-Type": "text/plain"}
        )
        assert refused(response, 400, "BAD_REQUEST") == "Unsupported content type"


class TestDeeplyNestedBodies:
    @pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 990, 1000, 5000, 100_000])
    async def test_nesting_past_the_limit_is_a_coded_400_and_files_nothing(
        self, factory: Factory, levels: int
    ) -> None:
        world = await factory.world()
        response = await factory.client.post(
            "/graphql", content=nested_ticket(world, levels), headers=credentials(world)
        )
        message = refused(response, 400, "BAD_REQUEST")
        assert f"nested more than {MAX_JSON_DEPTH} levels" in message
        assert await ticket_count(factory, world) == 0
        await still_answering(factory)

    async def test_nesting_is_a_coded_400_when_rate_limiting_prices_the_body(
        self, factory: Factory, small_limit: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        response = await small_limit.post(
            "/graphql", content=nested_ticket(world, 990), headers=credentials(world)
        )
        refused(response, 400, "BAD_REQUEST")
        assert await ticket_count(factory, world) == 0

    async def test_nesting_at_the_limit_is_accepted(self, factory: Factory) -> None:
        world = await factory.world()
        response = await factory.client.post(
            "/graphql", content=nested_ticket(world, MAX_JSON_DEPTH), headers=credentials(world)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        assert await ticket_count(factory, world) == 1

    @pytest.mark.parametrize("levels", [1000, 5000])
    async def test_a_deep_top_level_array_is_a_coded_400(
        self, client: httpx.AsyncClient, levels: int
    ) -> None:
        raw = nested(levels).encode()
        response = await client.post("/graphql", content=raw, headers=JSON_HEADERS)
        refused(response, 400, "BAD_REQUEST")

    async def test_deep_extensions_are_a_coded_400(self, client: httpx.AsyncClient) -> None:
        body = json.dumps({"query": "{ __typename }", "extensions": {"x": "NESTED"}})
        raw = body.replace('"NESTED"', nested(3000))
        response = await client.post("/graphql", content=raw, headers=JSON_HEADERS)
        refused(response, 400, "BAD_REQUEST")

    async def test_deep_variables_in_a_get_are_a_coded_400(self, client: httpx.AsyncClient) -> None:
        params = {"query": "{ __typename }", "variables": nested(5000)}
        response = await client.get(
            "/graphql", params=params, headers={"Accept": "application/json"}
        )
        refused(response, 400, "BAD_REQUEST")

    @pytest.mark.parametrize("levels", [500, 1000, 5000])
    async def test_a_deeply_nested_document_is_refused_without_a_500(
        self, client: httpx.AsyncClient, levels: int
    ) -> None:
        for query in (
            "{ a" + " { a" * levels + " }" * (levels + 1),
            "{ a(x: " + "[" * levels + "]" * levels + ") }",
            "{ a(x: " + "{y: " * levels + "1" + "}" * levels + ") }",
        ):
            response = await client.post("/graphql", json={"query": query})
            assert response.status_code in (200, 400), response.text
            assert response.json()["errors"], response.text


@pytest.fixture(scope="module")
async def small_limit(services: Services, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a 4 KB GraphQL body limit (a little more for signed-in callers, whose bound
    fits the largest evidence item) and rate limiting on (whose middleware reads the bodies of
    signed-in callers to price them)."""
    limited = settings.model_copy(
        update={
            "graphql_max_body_bytes": 4096,
            "evidence_max_bytes": 3000,
            "rate_limit_enabled": True,
        }
    )
    transport = httpx.ASGITransport(app=create_app(limited, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        yield client


class TestBodyLimit:
    def test_the_default_limit_is_one_megabyte(self) -> None:
        assert Settings().graphql_max_body_bytes == MB

    @pytest.mark.parametrize(
        ("size", "signed_in"),
        [(10 * MB, False), (50 * MB, False), (50 * MB, True)],
        ids=["10MB-anonymous", "50MB-anonymous", "50MB-signed-in"],
    )
    async def test_a_declared_large_body_is_refused_before_it_is_read(
        self, factory: Factory, services: Services, size: int, signed_in: bool
    ) -> None:
        world = await factory.world()
        headers = credentials(world) if signed_in else dict(JSON_HEADERS)
        body = Chunks(size)
        response = await factory.client.post(
            "/graphql", content=body, headers={**headers, "Content-Length": str(size)}
        )
        bound = signed_in_bound(services.settings) if signed_in else MB
        assert f"{bound} bytes" in refused(response, 413, "PAYLOAD_TOO_LARGE")
        assert body.pulled == 0
        assert await ticket_count(factory, world) == 0
        await still_answering(factory)

    @pytest.mark.parametrize(
        ("size", "signed_in"),
        [(10 * MB, False), (50 * MB, False), (50 * MB, True)],
        ids=["10MB-anonymous", "50MB-anonymous", "50MB-signed-in"],
    )
    async def test_a_streamed_large_body_is_refused_once_past_the_limit(
        self, factory: Factory, services: Services, size: int, signed_in: bool
    ) -> None:
        world = await factory.world()
        headers = credentials(world) if signed_in else dict(JSON_HEADERS)
        body = Chunks(size)
        response = await factory.client.post("/graphql", content=body, headers=headers)
        refused(response, 413, "PAYLOAD_TOO_LARGE")
        # Reading stopped at the chunk that crossed the limit.
        bound = signed_in_bound(services.settings) if signed_in else MB
        assert body.pulled <= bound + CHUNK + 64
        await still_answering(factory)

    async def test_made_up_credentials_get_only_the_small_bound(self, factory: Factory) -> None:
        body = Chunks(10 * MB)
        response = await factory.client.post(
            "/graphql",
            content=body,
            headers={**JSON_HEADERS, "X-API-Key": "hv_" + "x" * 40, "Content-Length": str(10 * MB)},
        )
        assert f"{MB} bytes" in refused(response, 413, "PAYLOAD_TOO_LARGE")
        assert body.pulled == 0

    async def test_signed_in_staff_can_still_preserve_large_evidence(
        self, factory: Factory, services: Services
    ) -> None:
        """`preserveEvidence` carries the content as base64 in the body: a 3 MB item needs a
        4 MB body, past the small bound, and is accepted from valid credentials."""
        scene = await build_scene(factory, services)
        content = os.urandom(3 * MB)
        response = await factory.client.post(
            "/graphql",
            json={
                "query": PRESERVE,
                "variables": {"input": preserve_input(gid("cas", scene.case.id), content)},
            },
            headers={"Authorization": f"Bearer {scene.world.token}"},
        )
        assert response.status_code == 200, response.text
        preserved = response.json()["data"]["preserveEvidence"]["evidence"]
        assert preserved["size"] == len(content)

    async def test_a_large_mutation_files_nothing(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        size = signed_in_bound(services.settings) + 1
        response = await factory.client.post(
            "/graphql", content=padded_ticket(world, size), headers=credentials(world)
        )
        refused(response, 413, "PAYLOAD_TOO_LARGE")
        assert await ticket_count(factory, world) == 0

    async def test_a_body_at_the_limit_is_answered(self, factory: Factory) -> None:
        world = await factory.world()
        response = await factory.client.post(
            "/graphql", content=padded_ticket(world, MB), headers=credentials(world)
        )
        assert response.status_code == 200, response.text
        # The description is over its own limit: the operation ran and gave its own answer.
        assert error_codes(response.json()) == ["VALIDATION_ERROR"]

    @pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
    async def test_the_configured_limit_binds_before_rate_limiting_reads_the_body(
        self, factory: Factory, small_limit: httpx.AsyncClient, signed_in: bool
    ) -> None:
        world = await factory.world()
        headers = credentials(world) if signed_in else dict(JSON_HEADERS)
        body = Chunks(10 * MB)
        response = await small_limit.post("/graphql", content=body, headers=headers)
        bound = 4096 if not signed_in else 4000 + ENVELOPE_BYTES
        assert f"{bound} bytes" in refused(response, 413, "PAYLOAD_TOO_LARGE")
        assert body.pulled <= bound + CHUNK + 64
        fine = await small_limit.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        assert fine.status_code == 200 and fine.json() == {"data": {"__typename": "Query"}}

    async def test_multipart_bodies_are_bounded_too(self, client: httpx.AsyncClient) -> None:
        head = b'--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        headers = {"Content-Type": "multipart/form-data; boundary=b"}
        declared = Chunks(10 * MB, head=head)
        response = await client.post(
            "/graphql", content=declared, headers={**headers, "Content-Length": str(10 * MB)}
        )
        refused(response, 413, "PAYLOAD_TOO_LARGE")
        assert declared.pulled == 0
        # Uploads are off: a streamed multipart body is refused for its type, and not read.
        streamed = Chunks(10 * MB, head=head)
        response = await client.post("/graphql", content=streamed, headers=headers)
        assert refused(response, 400, "BAD_REQUEST") == "Unsupported content type"
        assert streamed.pulled <= CHUNK + len(head)

    async def test_multipart_uploads_are_not_accepted(self, client: httpx.AsyncClient) -> None:
        operations = '{"query": "{ __typename }"}'
        response = await client.post(
            "/graphql", data={"operations": operations, "map": "{}"}, files={"0": b"x"}
        )
        assert refused(response, 400, "BAD_REQUEST") == "Unsupported content type"


async def exchange(server: LiveServer, head: bytes, body: bytes = b"") -> tuple[bytes, bytes]:
    """Send raw bytes to the real server over loopback; its answer's head and body, read until
    it closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(head + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(-1), timeout=10)
    finally:
        writer.close()
    head_of_answer, _, rest = answer.partition(b"\r\n\r\n")
    return head_of_answer, rest


def request_head(**headers: str) -> bytes:
    lines = ["POST /graphql HTTP/1.1", "Host: haven.test", "Content-Type: application/json"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class TestOverARealServer:
    async def test_a_declared_50_mb_body_is_refused_before_any_of_it_is_sent(
        self,
        live_server: LiveServer,  # noqa: F811
    ) -> None:
        head, body = await exchange(live_server, request_head(Content_Length=str(50 * MB)))
        assert head.startswith(b"HTTP/1.1 413 "), head
        assert b"connection: close" in head.lower()
        assert error_codes(json.loads(body)) == ["PAYLOAD_TOO_LARGE"]
        async with httpx.AsyncClient(base_url=live_server.url) as http:
            fine = await http.post("/graphql", json={"query": "{ __typename }"})
        assert fine.json() == {"data": {"__typename": "Query"}}

    async def test_a_chunked_body_is_refused_once_past_the_limit(
        self,
        live_server: LiveServer,  # noqa: F811
    ) -> None:
        # Just past the limit, then silence: the answer must not wait for the rest.
        chunks = b"".join(chunked(b"[" * CHUNK) for _ in range(MB // CHUNK + 2))
        head, body = await exchange(live_server, request_head(Transfer_Encoding="chunked"), chunks)
        assert head.startswith(b"HTTP/1.1 413 "), head
        assert error_codes(json.loads(body)) == ["PAYLOAD_TOO_LARGE"]

    async def test_deep_nesting_over_a_websocket_closes_it_as_invalid(
        self,
        live_server: LiveServer,  # noqa: F811
    ) -> None:
        url = live_server.url.replace("http://", "ws://") + "/graphql"
        init = json.dumps({"type": "connection_init", "payload": {"x": "NESTED"}})
        deep = init.replace('"NESTED"', nested(5000))
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
            await socket.send(deep)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
