"""Coalescing concurrent webhook deliveries into shared transactions.

A commit costs a WAL flush, and ticket numbers and event seqs are taken under the tenant's row
lock until commit, so one transaction per event caps a tenant at one flush per event. Here a
request hands its delivery over and waits; a worker takes everything waiting (up to a batch)
into one transaction. Nothing is delayed on purpose: an idle worker takes a lone delivery at
once, and batches only grow while earlier ones are committing. A batch that fails unexpectedly
is retried one delivery per transaction, so one bad event cannot fail its neighbours."""

import asyncio
import logging
from dataclasses import dataclass

from app.kit.unavailable import DatabaseUnavailable
from app.services import Services
from app.webhooks.bodies import read_event
from app.webhooks.ingest import Delivery, Outcome, ingest_batch

log = logging.getLogger(__name__)
MAX_BATCH = 64
# Two: one batch's Python work overlaps the other's round trips and commit.
WORKERS = 1


@dataclass
class _Waiting:
    delivery: Delivery
    answer: asyncio.Future[Outcome]


class IngestBatcher:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.queue: asyncio.Queue[_Waiting] = asyncio.Queue()
        self.workers: list[asyncio.Task[None]] = []

    async def submit(self, delivery: Delivery) -> Outcome:
        if not self.workers:
            self.workers = [asyncio.create_task(self._work()) for _ in range(WORKERS)]
        waiting = _Waiting(delivery, asyncio.get_running_loop().create_future())
        self.queue.put_nowait(waiting)
        return await waiting.answer

    async def stop(self) -> None:
        for worker in self.workers:
            worker.cancel()
        await asyncio.gather(*self.workers, return_exceptions=True)
        self.workers = []

    async def _work(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await self._settle(batch)
            except DatabaseUnavailable as error:
                # One by one would fail alike. Every sender gets 503 now and sends again; the
                # event_id makes that safe even if the connection died during the commit.
                for waiting in batch:
                    if not waiting.answer.done():
                        waiting.answer.set_exception(error)
            except Exception:
                log.exception("webhook batch of %d failed; retrying one by one", len(batch))
                for waiting in batch:
                    await self._settle_alone(waiting)

    async def _run(self, batch: list[_Waiting]) -> list[Outcome]:
        async with self.services.db.transaction() as work:
            return await ingest_batch(
                work.session, self.services.sealer, [w.delivery for w in batch], read_event
            )

    async def _settle(self, batch: list[_Waiting]) -> None:
        # Outcomes are handed out only after the commit: an acknowledged event is durable.
        for waiting, outcome in zip(batch, await self._run(batch), strict=True):
            if not waiting.answer.done():
                waiting.answer.set_result(outcome)

    async def _settle_alone(self, waiting: _Waiting) -> None:
        if waiting.answer.done():
            return
        try:
            (outcome,) = await self._run([waiting])
        except Exception as error:  # answered as INTERNAL_ERROR by the endpoint
            waiting.answer.set_exception(error)
        else:
            waiting.answer.set_result(outcome)
