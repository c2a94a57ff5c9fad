"""A Redis outage is logged once, not once per commit; commits keep succeeding."""

import logging
import socket
import uuid

import pytest
from broadcaster import Broadcast

from app.events.service import Committed
from app.realtime.broker import RedisBackend
from app.realtime.hub import EventHub
from app.services import Services


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
