"""The benchmark's WebSocket subscribers: open, subscribe, keep every frame with its arrival
time, and close (graphql-transport-ws, as a browser's client speaks it)."""

import asyncio
import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bench.seed import SeededBoard

# What browsers offer; uvicorn accepts it by default. "none" measures uncompressed sockets.
COMPRESSION = os.environ.get("BENCH_FANOUT_COMPRESSION", "deflate")
OPEN_CONCURRENCY = 50

SUBSCRIPTION = """
subscription Board($boardId: ID!) {
  boardEvents(boardId: $boardId) { cursor seq kind ticket { id title status } }
}
"""


@dataclass
class Subscriber:
    ws: ClientConnection
    received: list[tuple[int, str]] = field(default_factory=list)  # (monotonic ns, raw frame)
    task: asyncio.Task[None] | None = None

    async def read(self) -> None:
        # Only stamps and keeps frames; decoding waits until the run is over.
        async for raw in self.ws:
            self.received.append((time.monotonic_ns(), str(raw)))
            if '"next"' not in raw:
                await self._control(str(raw))

    async def _control(self, raw: str) -> None:
        message = json.loads(raw)
        if message.get("type") == "ping":
            await self.ws.send(json.dumps({"type": "pong"}))


async def open_all(ws_url: str, api_key: str, count: int) -> list[Subscriber]:
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def one() -> Subscriber:
        async with gate:
            return await open_one(ws_url, api_key)

    opened = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    subscribers = [item for item in opened if isinstance(item, Subscriber)]
    failures = [item for item in opened if isinstance(item, BaseException)]
    if failures:
        await close_all(subscribers)
        raise RuntimeError(f"{len(failures)} of {count} websockets failed: {failures[0]!r}")
    return subscribers


async def open_one(ws_url: str, api_key: str) -> Subscriber:
    compression: Literal["deflate"] | None = "deflate" if COMPRESSION == "deflate" else None
    ws = await connect(
        ws_url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        compression=compression,
        open_timeout=30,
        ping_interval=None,  # the server pings; answering is enough
        max_queue=None,
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"apiKey": api_key}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
    if ack.get("type") != "connection_ack":
        await ws.close()
        raise RuntimeError(f"expected connection_ack, got {ack}")
    subscriber = Subscriber(ws)
    subscriber.task = asyncio.create_task(subscriber.read())
    return subscriber


async def subscribe(subscriber: Subscriber, board: SeededBoard, op_id: str) -> None:
    payload = {"query": SUBSCRIPTION, "variables": {"boardId": board.board_gid}}
    await subscriber.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))


async def close_all(subscribers: list[Subscriber]) -> None:
    async def close(subscriber: Subscriber) -> None:
        with contextlib.suppress(TimeoutError, OSError):
            await asyncio.wait_for(subscriber.ws.close(), timeout=10)
        if subscriber.task is not None:
            subscriber.task.cancel()
            await asyncio.gather(subscriber.task, return_exceptions=True)

    await asyncio.gather(*(close(subscriber) for subscriber in subscribers))


def has_any(subscriber: Subscriber, markers: list[str]) -> bool:
    return any(marker in raw for _, raw in subscriber.received for marker in markers)


def event_of(raw: str) -> dict[str, Any] | None:
    message = json.loads(raw)
    if message.get("type") != "next":
        return None
    data = (message.get("payload") or {}).get("data") or {}
    event: dict[str, Any] | None = data.get("boardEvents")
    return event
