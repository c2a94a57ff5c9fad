"""Running a workflow's steps in order, one transaction per step with its line in the log.

A failed step stops the run; the run is tried again after 1, 5 and 30 minutes from that step
(the steps before it are done and stay done), then recorded as failed. Events a step writes
are noted with the workflow and the run's depth, for the dispatcher (`app.workflows.dispatch`)."""

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs.queue import enqueue
from app.kit.db import COMMITTED_EVENTS
from app.kit.errors import HavenError
from app.kit.models import utcnow
from app.services import Services
from app.workflows.dispatch import RUN_JOB
from app.workflows.models import EventOrigin, ExecutionStatus, Workflow, WorkflowExecution
from app.workflows.states import DONE, move
from app.workflows.step_run import Outcome, StepRun
from app.workflows.steps import perform

logger = logging.getLogger("haven.workflows")

RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


def _line(step: dict[str, Any], outcome: str, detail: str) -> dict[str, Any]:
    return {
        "order": step["order"],
        "action": step["action"],
        "outcome": outcome,
        "detail": detail,
        "at": utcnow().isoformat(),
    }


async def _locked(session: AsyncSession, execution_id: uuid.UUID) -> WorkflowExecution | None:
    return await session.get(
        WorkflowExecution, execution_id, with_for_update=True, populate_existing=True
    )


async def _note_origins(session: AsyncSession, execution: WorkflowExecution) -> None:
    written = [found.seq for found in session.info.get(COMMITTED_EVENTS, [])]
    if written:
        rows = [
            {"tenant_id": execution.tenant_id, "seq": seq,
             "workflow_id": execution.workflow_id, "depth": execution.depth}
            for seq in written
        ]  # fmt: skip
        await session.execute(insert(EventOrigin).values(rows).on_conflict_do_nothing())


def _finish(execution: WorkflowExecution, status: ExecutionStatus) -> None:
    execution.status = move(execution.status, status)
    execution.finished_at = utcnow()


async def _step(services: Services, execution_id: uuid.UUID) -> bool:
    """Run the next step; whether the run goes on."""
    async with services.db.transaction() as work:
        session = work.session
        execution = await _locked(session, execution_id)
        if execution is None or execution.status != ExecutionStatus.RUNNING:
            return False
        workflow = await session.get(Workflow, execution.workflow_id)
        steps = workflow.steps if workflow is not None else []
        if execution.next_step >= len(steps):
            _finish(execution, ExecutionStatus.COMPLETED)
            return False
        step = steps[execution.next_step]
        assert workflow is not None
        run = StepRun(services, session, workflow, execution, step["config"], step["action"])
        outcome: Outcome = await perform(run)
        await session.flush()
        await _note_origins(session, execution)
        execution.log = [*execution.log, _line(step, outcome.outcome, outcome.detail)]
        execution.context = {**execution.context, **outcome.context}
        execution.next_step += 1
        if outcome.stop or execution.next_step >= len(steps):
            _finish(execution, ExecutionStatus.COMPLETED)
            return False
        return True


async def _failed(services: Services, execution_id: uuid.UUID, error: BaseException) -> None:
    """Log the failed step, then schedule the retry or give up."""
    detail = error.message if isinstance(error, HavenError) else "Unexpected error (logged)"
    async with services.db.transaction() as work:
        execution = await _locked(work.session, execution_id)
        if execution is None or execution.status != ExecutionStatus.RUNNING:
            return
        workflow = await work.session.get(Workflow, execution.workflow_id)
        steps = workflow.steps if workflow is not None else []
        step = (
            steps[execution.next_step]
            if execution.next_step < len(steps)
            else {"order": 0, "action": "?"}
        )
        execution.log = [*execution.log, _line(step, "failed", detail)]
        execution.attempts += 1
        if execution.attempts > len(RETRY_AFTER):
            _finish(execution, ExecutionStatus.FAILED)
            return
        execution.status = move(execution.status, ExecutionStatus.RETRYING)
        after = RETRY_AFTER[execution.attempts - 1]
        await enqueue(work.session, RUN_JOB, {"execution_id": str(execution_id)}, after=after)


async def _start(services: Services, execution_id: uuid.UUID) -> bool:
    async with services.db.transaction() as work:
        execution = await _locked(work.session, execution_id)
        if execution is None or execution.status in DONE:
            return False
        execution.status = move(execution.status, ExecutionStatus.RUNNING)
        execution.started_at = execution.started_at or utcnow()
        return True


async def run_execution(services: Services, execution_id: uuid.UUID) -> None:
    """Run the execution from its next step to its end or to a failing step."""
    if not await _start(services, execution_id):
        return
    try:
        while await _step(services, execution_id):
            pass
    except Exception as error:
        if not isinstance(error, HavenError):
            logger.exception("workflow run %s failed", execution_id)
        await _failed(services, execution_id, error)
