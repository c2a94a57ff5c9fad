"""Through the job queue: a worker stopped mid-way and started again loses no delivery, and
every event still arrives in order."""

import asyncio

from pgqueuer import PgQueuer
from starlette.responses import Response

from app.jobs.worker import Worker
from app.kit.backoff import Backoff
from app.outbound_webhooks.sender import WebhookSender
from app.outbound_webhooks.tasks import register_sender
from app.services import Services
from tests.factories import Factory
from tests.outbound_webhooks.conftest import Receiver
from tests.outbound_webhooks.helpers import endpoint, settled


async def wait_until(check: object, seconds: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if await check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.1)
    return False


def worker(local: Services, sender: WebhookSender) -> Worker:
    def jobs(queue: PgQueuer, services: Services) -> None:
        register_sender(queue, sender)

    return Worker(local, jobs=(jobs,), backoff=Backoff(first=0.1, ceiling=0.5))


async def test_a_worker_stopped_and_started_mid_way_loses_nothing(
    local: Services, sender: WebhookSender, receiver: Receiver, factory: Factory
) -> None:
    world = await factory.world()
    hook, secret = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    receiver.secrets = [secret]
    # Every fourth request fails, so retries wait behind while the worker stops and starts.
    receiver.plan = lambda n: Response("flaky", 502) if n % 4 == 0 else Response("ok")
    titles = [f"T{i:02}" for i in range(30)]

    first = worker(local, sender)
    first.start()
    for title in titles[:15]:
        await factory.ticket(world.tenant, world.board, title=title)
    assert await wait_until(lambda: _some(receiver), 20)
    await first.close(grace=5)
    for title in titles[15:]:
        await factory.ticket(world.tenant, world.board, title=title)

    second = worker(local, sender)
    second.start()
    try:
        assert await wait_until(lambda: settled(local, hook.id), 40), "deliveries left pending"
    finally:
        await second.close(grace=5)
    arrived = [item["data"]["subject"] for item in receiver.unique()]
    assert arrived == titles
    assert receiver.refused_signatures == 0
    duplicates = len(receiver.delivered) - len(receiver.unique())
    print(f"{len(receiver.delivered)} received, {duplicates} duplicates")


async def _some(receiver: Receiver) -> bool:
    return len(receiver.delivered) >= 3
