"""A Redis outage is logged once, not once per commit; commits keep succeeding."""

import asyncio
import logging
import socket
import uuid
from pathlib import Path

import pytest
from broadcaster import Broadcast

from app.events.service import Committed
from app.realtime.broker import RedisBackend
from app.realtime.hub import EventHub
from app.services import Services
from tests.redis_server import RedisServer


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the probe goes


async def test_an_unreachable_redis_is_reported_once(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    backend = RedisBackend(f"redis://127.0.0.1:{closed_port()}/0")
    await backend.connect()
    hub = EventHub(services.db, Broadcast(backend=backend))
    tenant = uuid.uuid4()
    with caplog.at_level(logging.WARNING, logger="haven.realtime"):
        for seq in range(1, 6):
            await hub.announce([Committed(tenant, seq)])
    warnings = [r for r in caplog.records if "cannot publish" in r.getMessage()]
    assert len(warnings) == 1
    assert hub.publish_failing
    await backend.disconnect()


async def test_a_hub_starts_while_redis_is_away_and_wakes_once_it_is_back(
    services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Starting must not wait on Redis (the poll covers); once Redis answers, the listener
    connects by itself, catches up, and wake-ups from another process arrive."""
    server = RedisServer(tmp_path)
    reader = EventHub(services.db, Broadcast(backend=RedisBackend(server.url)), poll_seconds=600)
    writer = EventHub(services.db, Broadcast(backend=RedisBackend(server.url)), poll_seconds=600)
    woken: list[uuid.UUID] = []
    with caplog.at_level(logging.WARNING, logger="haven.realtime"):
        await asyncio.wait_for(reader.start(), timeout=5)
    assert any("cannot connect yet" in r.getMessage() for r in caplog.records)
    reader.wake = woken.append  # type: ignore[method-assign, assignment]
    try:
        server.start()
        await writer.start()
        tenant = uuid.uuid4()
        for _ in range(100):
            await writer.announce([Committed(tenant, 1)])
            if tenant in woken:
                break
            await asyncio.sleep(0.1)
        assert tenant in woken
    finally:
        await writer.stop()
        await reader.stop()
        server.stop()
