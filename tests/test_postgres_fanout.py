"""Without Redis, processes sharing an external database wake each other by LISTEN/NOTIFY."""

import asyncio

from app.events.service import board_topic
from app.realtime.broker import make_broadcast
from app.realtime.hub import EventHub
from app.services import Services
from tests.factories import Factory


async def test_a_commit_announced_by_one_hub_reaches_a_subscriber_of_another(
    factory: Factory, services: Services
) -> None:
    world = await factory.world()
    # Two hubs as two processes would have them; the poll is slowed so only NOTIFY can deliver.
    writer = EventHub(services.db, make_broadcast(None, services.db.url), poll_seconds=60)
    reader = EventHub(services.db, make_broadcast(None, services.db.url), poll_seconds=60)
    await writer.start()
    await reader.start()
    try:
        subscription = await reader.subscribe(world.tenant.id, board_topic(world.board.id), True)
        services.db.event_listeners.append(writer.announce)
        try:
            ticket = await factory.ticket(world.tenant, world.board, title="Across processes")
        finally:
            services.db.event_listeners.remove(writer.announce)
        event = await asyncio.wait_for(subscription.get(), timeout=3)
    finally:
        await reader.stop()
        await writer.stop()
    assert event.view.kind.value == "ticket_created"
    assert event.view.ticket is not None and event.view.ticket.title == ticket.title
