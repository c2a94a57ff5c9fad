"""What `/metrics` reads when it is scraped rather than counts as it goes: the database pool,
the live hub's subscriptions, and the job queue.

The job figures come from pgqueuer's tables, shared by the whole deployment, so every process
reports the same values: aggregate them with `max`, not `sum`. Those reads are three small
queries on indexed or tiny tables, bounded by a statement timeout."""

import logging
from collections.abc import Iterable, Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text

from app.services import Services

logger = logging.getLogger("haven.metrics")
RECENT_MINUTES = 5
TIMEOUT_MS = 2000

QUEUE_DEPTH = text(
    "SELECT entrypoint, status::text, count(*) FROM pgqueuer GROUP BY entrypoint, status"
)
# pgqueuer_log keeps a row per status change, indexed by time.
FINISHED = text(
    "SELECT entrypoint, status::text, count(*) FROM pgqueuer_log"
    " WHERE created > now() - make_interval(mins => :minutes)"
    " AND status IN ('successful', 'exception', 'canceled', 'deleted', 'failed')"
    " GROUP BY entrypoint, status"
)
SCHEDULES = text(
    "SELECT entrypoint, extract(epoch FROM now() - max(last_run))::float"
    " FROM pgqueuer_schedules WHERE last_run IS NOT NULL GROUP BY entrypoint"
)


def pool_gauges(services: Services) -> Iterator[Metric]:
    pool = services.db.engine.pool
    readings = {
        "haven_db_pool_size": ("Connections the pool keeps open.", "size"),
        "haven_db_pool_checked_out": ("Connections in use now.", "checkedout"),
        "haven_db_pool_overflow": ("Connections open beyond the pool's size now.", "overflow"),
    }
    for name, (documentation, method) in readings.items():
        reading = getattr(pool, method, None)
        if reading is not None:
            # The pool counts overflow from -size up; below its size there is none.
            yield GaugeMetricFamily(name, documentation, value=max(reading(), 0))


def live_gauges(services: Services) -> Iterator[Metric]:
    # Read-only: the hub's own dict, iterated without touching a key (it is a defaultdict).
    subscriptions = services.hub.subscriptions
    yield GaugeMetricFamily(
        "haven_live_subscriptions",
        "Live event subscriptions held by this process.",
        value=sum(len(held) for held in subscriptions.values()),
    )
    yield GaugeMetricFamily(
        "haven_live_tenants",
        "Tenants with a live subscriber in this process.",
        value=len(subscriptions),
    )


def _family(
    name: str, documentation: str, labels: list[str], rows: Iterable[tuple[object, ...]]
) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for *values, reading in rows:
        family.add_metric([str(value) for value in values], float(reading or 0))  # type: ignore[arg-type]
    return family


async def job_gauges(services: Services) -> list[Metric]:
    """The queue's depth by job and status, jobs finished lately by outcome, and how long ago
    each schedule last ran; nothing (and a warning) when the database cannot answer."""
    try:
        async with services.db.read() as session:
            await session.execute(text(f"SET LOCAL statement_timeout = {TIMEOUT_MS}"))
            depth = (await session.execute(QUEUE_DEPTH)).all()
            finished = (await session.execute(FINISHED, {"minutes": RECENT_MINUTES})).all()
            schedules = (await session.execute(SCHEDULES)).all()
    except Exception as error:
        logger.warning("cannot read the job queue for metrics: %s", type(error).__name__)
        return []
    return [
        _family(
            "haven_job_queue_depth",
            "Jobs in the queue by entrypoint and status (queued, picked, failed).",
            ["entrypoint", "status"],
            depth,
        ),
        _family(
            "haven_jobs_finished_recent",
            f"Jobs finished in the last {RECENT_MINUTES} minutes by entrypoint and outcome "
            "(successful, exception, canceled, deleted, failed).",
            ["entrypoint", "status"],
            finished,
        ),
        _family(
            "haven_job_schedule_last_run_age_seconds",
            "Seconds since each scheduled job last ran.",
            ["entrypoint"],
            schedules,
        ),
    ]


class Readings(Collector):
    """Metric families read once for one scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families

    def describe(self) -> Iterable[Metric]:
        return []


async def scrape_readings(services: Services) -> Readings:
    families = [*pool_gauges(services), *live_gauges(services), *await job_gauges(services)]
    return Readings(families)
