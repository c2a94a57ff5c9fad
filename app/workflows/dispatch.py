"""Matching the event log against workflows: one dispatcher per tenant at a time reads the
events after its cursor in `seq` order and makes one run per (workflow, event).

Why a cursor, with a job queued by a trigger on `events`, rather than a job per event queued
by each domain: every event reaches the log through one table, so no domain has to remember to
queue anything, and seqs are handed out under the tenant's counter lock so `seq > cursor` never
skips an event committed late. The cursor moves in the transaction that makes the runs, and
the unique (workflow, event) key makes a replayed batch a no-op, so a run happens once per
event even when the dispatch job itself is retried."""

import logging
import uuid
from collections import Counter
from typing import Any

from pgqueuer.models import Job
from sqlalchemy.ext.asyncio import AsyncSession

from app.events.models import Event
from app.jobs.queue import enqueue_each, payload_of
from app.kit.models import utcnow
from app.services import Services
from app.workflows import mandatory
from app.workflows.conditions import matches
from app.workflows.definition import record_is_csea
from app.workflows.models import EventOrigin, ExecutionStatus, Workflow
from app.workflows.repository import ExecutionRepository, LogPosition, WorkflowRepository
from app.workflows.triggers import TRIGGERS, fired_by

logger = logging.getLogger("haven.workflows")

DISPATCH_JOB = "workflow_dispatch"
RUN_JOB = "workflow_run"
BATCH = 200
# A workflow's change may trigger another workflow, whose change may trigger a third, and no
# further: a chain between workflows that feed each other ends here.
MAX_DEPTH = 3


def _ordered(workflows: list[Workflow]) -> list[Workflow]:
    """Mandatory workflows first, in their own order, then the tenant's oldest first."""
    return sorted(workflows, key=lambda w: (not w.mandatory, mandatory.priority_of(w.system_key)))


def _runs_for(
    event: Event, workflows: list[Workflow], origin: EventOrigin | None
) -> list[dict[str, Any]]:
    depth = origin.depth + 1 if origin else 0
    rows: list[dict[str, Any]] = []
    taken: set[uuid.UUID] = set()
    mandatory_run = False
    for fired in fired_by(event):
        for workflow in workflows:
            if workflow.trigger_event != fired.trigger or workflow.id in taken:
                continue
            if origin is not None and origin.workflow_id == workflow.id:
                continue  # a workflow's own change never triggers it again
            if not matches(workflow.conditions, fired.record):
                continue
            if workflow.mandatory and mandatory_run:
                continue  # one event opens one CSEA case, whichever way in it matched
            if depth > MAX_DEPTH and not workflow.mandatory:
                logger.warning(
                    "workflow chain too deep at event %s; %s not run", event.seq, workflow.id
                )
                continue
            mandatory_run = mandatory_run or workflow.mandatory
            taken.add(workflow.id)
            context = {
                "ticket_id": fired.ticket_id,
                "case_id": fired.case_id,
                "csea": record_is_csea(fired.record),
            }
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": event.tenant_id,
                    "workflow_id": workflow.id,
                    "event_seq": event.seq,
                    "trigger": fired.trigger,
                    "status": ExecutionStatus.PENDING,
                    "depth": depth,
                    "attempts": 0,
                    "next_step": 0,
                    "context": context,
                    "log": [],
                }
            )
    return rows


async def dispatch_batch(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[int, bool]:
    """Match up to BATCH new events; (runs made, whether more events wait)."""
    position = LogPosition(WorkflowRepository(session, tenant_id))
    seq = await position.claim()
    events = await position.events_after(seq, BATCH)
    if not events:
        return 0, False
    await mandatory.ensure(session, tenant_id)
    workflows = _ordered(await WorkflowRepository(session, tenant_id).listening(set(TRIGGERS)))
    origins = await position.origins([event.seq for event in events])
    rows = [row for e in events for row in _runs_for(e, workflows, origins.get(e.seq))]
    made = await ExecutionRepository(session, tenant_id).add_new(rows)
    new = set(made)
    counts = Counter(row["workflow_id"] for row in rows if row["id"] in new)
    await WorkflowRepository(session, tenant_id).executed(dict(counts), utcnow())
    await enqueue_each(session, RUN_JOB, [{"execution_id": str(pk)} for pk in made])
    await position.advance(events[-1].seq)
    return len(made), len(events) == BATCH


async def dispatch(services: Services, tenant_id: uuid.UUID) -> int:
    """Match every new event of the tenant; how many runs were made."""
    total, more = 0, True
    while more:
        async with services.db.transaction() as work:
            made, more = await dispatch_batch(work.session, tenant_id)
        total += made
    return total


async def run_dispatch_job(services: Services, job: Job) -> None:
    await dispatch(services, uuid.UUID(str(payload_of(job.payload)["tenant_id"])))
