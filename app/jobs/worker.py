"""The worker: pgqueuer's queue and scheduler over the app's database.

`haven worker` runs it on its own; `haven serve` runs it inside the API process unless
`HAVEN_INLINE_WORKER=false`. Schedules are claimed through the database, so any number of
processes may run it without doing a scheduled job twice.

pgqueuer holds one connection of its own (for LISTEN/NOTIFY) and ends when it is lost, as when
PostgreSQL restarts; the worker then starts it again on a new connection after a pause."""

import asyncio
import logging
import signal
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import timedelta

import asyncpg
from pgqueuer import PgQueuer
from pgqueuer.models import Schedule
from sqlalchemy.engine import make_url

from app.ai.triage import register_triage
from app.auth.tasks import prune_sign_ins
from app.connectors.delivery import register_actions
from app.events.tasks import prune_events
from app.kit.backoff import Backoff
from app.kit.models import utcnow
from app.knowledge.tasks import register_knowledge
from app.notifications.mailing import register_mail_jobs
from app.outbound_webhooks.tasks import register_outbound_webhooks
from app.services import Services
from app.sla.monitor import register_sla
from app.workflows.tasks import register_workflows

logger = logging.getLogger("haven.worker")

Registration = Callable[[PgQueuer, Services], None]
CONNECT_TIMEOUT_SECONDS = 10
# How long running jobs may take to finish once the worker is told to stop.
STOP_GRACE_SECONDS = 25
# A picked job whose worker has not beaten its heartbeat for this long died with its worker;
# another worker picks it up again.
HEARTBEAT_TIMEOUT = timedelta(seconds=30)


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


class ConnectionLost(Exception):
    """The queue's own connection closed under it."""


# A run that lasted this long was healthy: the next failure starts the pauses again.
HEALTHY_AFTER_SECONDS = 60.0


class Worker:
    """pgqueuer's queue and scheduler, with `jobs` registered on them, run on a connection of
    their own and started again whenever that connection or the run dies."""

    def __init__(
        self,
        services: Services,
        *,
        jobs: Sequence[Registration] = (
            register,
            register_knowledge,
            register_triage,
            register_sla,
            register_mail_jobs,
            register_actions,
            register_outbound_webhooks,
            register_workflows,
        ),
        backoff: Backoff = Backoff(),
        heartbeat_timeout: timedelta = HEARTBEAT_TIMEOUT,
    ) -> None:
        self.services = services
        self.jobs = jobs
        self.backoff = backoff
        self.heartbeat_timeout = heartbeat_timeout
        self.queue: PgQueuer | None = None
        # Failed runs in a row (a run that lasted HEALTHY_AFTER_SECONDS counts as the first again).
        self.failures = 0
        self._stopping = asyncio.Event()
        self._attempt: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Run until `stop()`. When the connection or the run dies: one warning, a pause that
        grows with each failure in a row (bounded, jittered), and a fresh start."""
        while not self._stopping.is_set():
            began = time.monotonic()
            error = await self._attempt_run()
            if self._stopping.is_set():
                return
            healthy = time.monotonic() - began >= HEALTHY_AFTER_SECONDS
            self.failures = 1 if healthy else self.failures + 1
            delay = self.backoff.delay(self.failures)
            log = logger.warning if self.failures == 1 else logger.info
            log("job worker stopped (%r); starting again in %.1fs", error, delay)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    def stop(self) -> None:
        """Ask the run to end: running jobs finish; a connection attempt or pause is dropped."""
        self._stopping.set()
        if self.queue is not None:
            self.queue.shutdown.set()
        elif self._attempt is not None:
            self._attempt.cancel()

    def start(self) -> None:
        """Run in the background of the current event loop, until `close()`."""
        self._task = asyncio.create_task(self.run())

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop, letting running jobs finish for up to `grace` seconds, then cancel them."""
        self.stop()
        if self._task is None:
            return
        done, _ = await asyncio.wait({self._task}, timeout=grace)
        if not done:
            logger.warning("jobs still running after %ss; cancelling them", grace)
            self._task.cancel()
        (outcome,) = await asyncio.gather(self._task, return_exceptions=True)
        if isinstance(outcome, Exception):
            logger.error("job worker failed while stopping", exc_info=outcome)

    async def _attempt_run(self) -> BaseException:
        """One connection's worth of running, in a task `stop()` may cancel; what ended it."""
        self._attempt = attempt = asyncio.create_task(self._run_connected())
        try:
            await asyncio.wait({attempt})
        except asyncio.CancelledError:
            attempt.cancel()
            await asyncio.gather(attempt, return_exceptions=True)
            raise
        finally:
            self._attempt = None
        if attempt.cancelled():
            return asyncio.CancelledError()
        return attempt.exception() or ConnectionLost("the job queue's connection closed")

    async def _run_connected(self) -> None:
        connection = await asyncpg.connect(
            asyncpg_dsn(self.services.db.url), timeout=CONNECT_TIMEOUT_SECONDS
        )
        if self.failures:
            logger.info("job worker connected again")
        try:
            queue = PgQueuer.from_asyncpg_connection(connection)
            for job in self.jobs:
                job(queue, self.services)
            # asyncpg calls this when the server goes away; pgqueuer alone would only notice at
            # its next query, up to a dequeue timeout later.
            connection.add_termination_listener(lambda _: queue.shutdown.set())
            self.queue = queue
            if not self._stopping.is_set():
                await queue.run(
                    shutdown_on_listener_failure=True, heartbeat_timeout=self.heartbeat_timeout
                )
        finally:
            self.queue = None
            await _close(connection)

    async def serve_forever(self) -> None:
        """Run until SIGINT or SIGTERM, then let running jobs finish."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stop)
        await self.run()


async def _close(connection: asyncpg.Connection) -> None:
    if connection.is_closed():
        return
    try:
        await asyncio.wait_for(connection.close(), timeout=5)
    except asyncio.CancelledError:
        connection.terminate()
        raise
    except Exception:  # a half-dead connection: drop it without the goodbye
        connection.terminate()
