"""The webhook jobs on the worker's queue: sending an endpoint's deliveries, and the sweep that
queues a sender for any endpoint left with deliveries due."""

import logging
import uuid

from pgqueuer import PgQueuer
from pgqueuer.models import Job, Schedule

from app.jobs.queue import payload_of
from app.outbound_webhooks.sender import WebhookSender
from app.outbound_webhooks.service import DELIVER_JOB
from app.services import Services

logger = logging.getLogger("haven.outbound_webhooks")


def sender_for(services: Services) -> WebhookSender:
    return WebhookSender(services.db, services.outbound, services.sealer)


def register_sender(queue: PgQueuer, sender: WebhookSender) -> None:
    @queue.entrypoint(DELIVER_JOB)
    async def deliver(job: Job) -> None:
        await sender.deliver(uuid.UUID(str(payload_of(job.payload)["endpoint_id"])))

    @queue.schedule("webhook_sweep", "* * * * *")
    async def sweep(schedule: Schedule) -> None:
        found = await sender.sweep()
        if found:
            logger.info("queued senders for %d webhook endpoints with deliveries due", found)


def register_outbound_webhooks(queue: PgQueuer, services: Services) -> None:
    register_sender(queue, sender_for(services))
