"""The workflow jobs on the queue: dispatching a tenant's new events, running one execution,
and a sweep each minute for any tenant whose dispatch was missed (one queued while another ran
finds its place taken)."""

import uuid

from pgqueuer import PgQueuer
from pgqueuer.models import Job, Schedule
from sqlalchemy import text

from app.jobs.queue import payload_of
from app.services import Services
from app.workflows.dispatch import DISPATCH_JOB, RUN_JOB, run_dispatch_job
from app.workflows.runner import run_execution

# Tenants whose log runs ahead of their cursor, each given a dispatch unless one waits.
_SWEEP = text(
    "INSERT INTO pgqueuer (priority, entrypoint, payload, status, execute_after, dedupe_key) "
    "SELECT 0, :entrypoint, convert_to(json_build_object('tenant_id', t.id)::text, 'UTF8'), "
    "'queued', now(), :entrypoint || ':' || t.id "
    "FROM tenants t LEFT JOIN workflow_cursors c ON c.tenant_id = t.id "
    "WHERE t.event_seq > coalesce(c.seq, 0) ON CONFLICT DO NOTHING"
)


async def sweep(services: Services) -> None:
    async with services.db.transaction() as work:
        await work.session.execute(_SWEEP, {"entrypoint": DISPATCH_JOB})


def register_workflows(queue: PgQueuer, services: Services) -> None:
    @queue.entrypoint(DISPATCH_JOB)
    async def dispatch(job: Job) -> None:
        await run_dispatch_job(services, job)

    @queue.entrypoint(RUN_JOB)
    async def run(job: Job) -> None:
        await run_execution(services, uuid.UUID(str(payload_of(job.payload)["execution_id"])))

    @queue.schedule("workflow_sweep", "* * * * *")
    async def behind(schedule: Schedule) -> None:
        await sweep(services)
