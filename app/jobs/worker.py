"""The worker: pgqueuer's queue and scheduler over the app's database.

`haven worker` runs it on its own; `haven serve` runs it inside the API process unless
`HAVEN_INLINE_WORKER=false`. Schedules are claimed through the database, so any number of
processes may run it without doing a scheduled job twice."""

import asyncio
import logging
import signal
from datetime import timedelta

import asyncpg
from pgqueuer import PgQueuer
from pgqueuer.models import Schedule
from sqlalchemy.engine import make_url

from app.auth.tasks import prune_sign_ins
from app.events.tasks import prune_events
from app.kit.models import utcnow
from app.services import Services

logger = logging.getLogger("haven.worker")


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def register(queue: PgQueuer, services: Services) -> None:
    """Every scheduled job Haven runs."""
    refresh_ttl = timedelta(seconds=services.settings.refresh_token_seconds)

    @queue.schedule("prune_sign_ins", "23 * * * *")
    async def prune(schedule: Schedule) -> None:
        async with services.db.transaction() as work:
            tokens, sessions = await prune_sign_ins(work.session, refresh_ttl)
        logger.info("pruned %d refresh tokens and %d sign-ins", tokens, sessions)

    retention = timedelta(days=services.settings.event_retention_days)

    @queue.schedule("prune_events", "41 3 * * *")
    async def prune_old_events(schedule: Schedule) -> None:
        async with services.db.transaction() as work:
            removed = await prune_events(work.session, utcnow() - retention)
        logger.info("pruned %d events older than %s", removed, retention)


class Worker:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.queue: PgQueuer | None = None
        self.connection: asyncpg.Connection | None = None

    async def run(self) -> None:
        """Run until `stop()`; the queue holds one connection of its own for LISTEN/NOTIFY."""
        self.connection = await asyncpg.connect(asyncpg_dsn(self.services.db.url))
        self.queue = PgQueuer.from_asyncpg_connection(self.connection)
        register(self.queue, self.services)
        try:
            await self.queue.run()
        finally:
            await self.connection.close()

    def stop(self) -> None:
        if self.queue is not None:
            self.queue.shutdown.set()

    async def serve_forever(self) -> None:
        """Run until SIGINT or SIGTERM, then let running jobs finish."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stop)
        await self.run()
