"""A real Haven server on a local port, and a small graphql-transport-ws client to talk to it.

The server runs in the test event loop with the session's services, so its hub is the one the
tests can inspect, and commits made by its mutations wake that hub as in production."""

import asyncio
import gc
import json
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from app.realtime.hub import EventHub
from app.services import Services
from app.web.app import create_app

PROTOCOL = "graphql-transport-ws"
WAIT = 10.0  # seconds to wait for something that must arrive
QUIET = 0.6  # seconds of silence taken as "nothing more is coming"


@asynccontextmanager
async def serving(app: Any, **options: Any) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free local port for the life of the block; `options`
    override uvicorn's configuration."""
    settings: dict[str, Any] = {"lifespan": "on", "log_level": "warning", **options}
    config = uvicorn.Config(app, host="127.0.0.1", port=0, **settings)
    server = uvicorn.Server(config)
    # The lifespan tunes the garbage collector for a long-lived server; put it back afterwards
    # so the rest of the test session runs as before.
    thresholds = gc.get_threshold()
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started or task.done():
            break
        await asyncio.sleep(0.025)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@pytest.fixture(scope="session")
async def live_server(services: Services) -> AsyncIterator[str]:
    """The real app over HTTP and WebSocket; no inline worker, the session's hub (started)."""
    settings = services.settings.model_copy(update={"inline_worker": False})
    async with serving(create_app(settings, services)) as url:
        yield url


@pytest.fixture(scope="session")
async def http(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    # Idle connections are dropped well before uvicorn's 5 s keep-alive closes them, or a
    # request could be sent on a connection the server is closing at that moment.
    limits = httpx.Limits(keepalive_expiry=1.0)
    async with httpx.AsyncClient(base_url=live_server, timeout=WAIT, limits=limits) as client:
        yield client


def ws_url(live_server: str) -> str:
    return live_server.replace("http://", "ws://") + "/graphql"


class Closed(Exception):
    """The server closed the socket; `code` says why."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code, self.reason = code, reason


class GraphQLWS:
    """One graphql-transport-ws connection; messages are kept per operation id."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.inbox: dict[str | None, deque[dict[str, Any]]] = defaultdict(deque)
        self.ids = 0

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        live_server: str,
        payload: dict[str, Any] | None = None,
        *,
        init: bool = True,
        user_agent: str | None = None,
    ) -> AsyncIterator["GraphQLWS"]:
        async with connect(
            ws_url(live_server),
            subprotocols=[Subprotocol(PROTOCOL)],
            user_agent_header=user_agent or "Haven-Tests",
        ) as socket:
            client = cls(socket)
            if init:
                ack = await client.init(payload or {})
                assert ack["type"] == "connection_ack", ack
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def init(self, payload: dict[str, Any]) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive(None)

    async def ping(self, payload: dict[str, Any]) -> None:
        await self.send({"type": "ping", "payload": payload})

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self.ids += 1
        op = str(self.ids)
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": op, "type": "subscribe", "payload": payload})
        return op

    async def stop(self, op: str) -> None:
        await self.send({"id": op, "type": "complete"})

    async def _read(self, seconds: float) -> dict[str, Any]:
        try:
            raw = await asyncio.wait_for(self.socket.recv(), seconds)
        except ConnectionClosed as closed:
            frame = closed.rcvd
            raise Closed(frame.code if frame else None, frame.reason if frame else "") from None
        message: dict[str, Any] = json.loads(raw)
        if message["type"] == "ping":
            await self.send({"type": "pong"})
        return message

    async def receive(self, op: str | None, seconds: float = WAIT) -> dict[str, Any]:
        """The next message for `op` (None: messages without an id, such as the ack)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self.inbox[op]:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"nothing for operation {op} within {seconds}s")
            message = await self._read(left)
            if message["type"] not in ("ping", "pong"):
                self.inbox[message.get("id")].append(message)
        return self.inbox[op].popleft()

    async def event(self, op: str, seconds: float = WAIT) -> dict[str, Any]:
        """The next `next` payload's event, failing on anything else."""
        message = await self.receive(op, seconds)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        (event,) = message["payload"]["data"].values()
        return dict(event)

    async def events(self, op: str, count: int) -> list[dict[str, Any]]:
        return [await self.event(op) for _ in range(count)]

    async def silent(self, op: str, quiet: float = QUIET) -> bool:
        """True when nothing arrives for `op` for `quiet` seconds."""
        try:
            message = await self.receive(op, quiet)
        except TimeoutError:
            return True
        self.inbox[op].appendleft(message)
        return False

    async def closed(self, seconds: float = WAIT) -> Closed:
        """Wait for the server to close the socket; every message before that is kept."""
        try:
            while True:
                await self.receive("__never__", seconds)
        except Closed as closed:
            return closed


async def subscribed(hub: EventHub, tenant_id: uuid.UUID, count: int) -> None:
    """Wait until the hub holds `count` subscriptions of the tenant: the server has registered
    them, so anything committed from now on reaches them."""
    for _ in range(400):
        if len(hub.subscriptions.get(tenant_id, ())) == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(hub.subscriptions.get(tenant_id, ()))} subscriptions, not {count}")
