"""Without Redis, processes sharing an external database wake each other by LISTEN/NOTIFY."""

import asyncio

import pytest

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


async def test_commits_announced_at_once_each_reach_the_other_hub_without_a_warning(
    factory: Factory, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """One connection carries every NOTIFY: publishes that overlap must take turns on it, or
    all but one fail and their wake-ups are lost until the poll."""
    tenants = [await factory.tenant() for _ in range(8)]
    boards = [await factory.board(tenant) for tenant in tenants]
    writer = EventHub(services.db, make_broadcast(None, services.db.url), poll_seconds=60)
    reader = EventHub(services.db, make_broadcast(None, services.db.url), poll_seconds=60)
    await writer.start()
    await reader.start()
    try:
        subscriptions = [
            await reader.subscribe(tenant.id, board_topic(board.id), True)
            for tenant, board in zip(tenants, boards, strict=True)
        ]
        services.db.event_listeners.append(writer.announce)
        try:
            await asyncio.gather(
                *(
                    factory.ticket(tenant, board, title=f"At once {index}")
                    for index, (tenant, board) in enumerate(zip(tenants, boards, strict=True))
                )
            )
        finally:
            services.db.event_listeners.remove(writer.announce)
        async with asyncio.timeout(3):
            events = [await subscription.get() for subscription in subscriptions]
    finally:
        await reader.stop()
        await writer.stop()
    titles = [event.view.ticket.title for event in events if event.view.ticket is not None]
    assert titles == [f"At once {index}" for index in range(8)]
    assert not [r for r in caplog.records if "cannot publish" in r.getMessage()]
