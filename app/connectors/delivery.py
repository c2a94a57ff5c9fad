"""Sending a call of an outbound action, as a job queued in the transaction that asked for it
(or approved it).

Each attempt sends the URL and body fixed when the call was asked for, the headers filled
with the connector's secrets of the moment, and the call's own `Idempotency-Key`, the same on
every attempt, so a platform that saw an attempt whose answer was lost does not act twice.
Timeouts, 5xx and 429 are tried again after 1, 5 and 30 minutes (or later, when the platform's
`Retry-After` asks for longer); anything else is the outcome. The call goes out through
`Outbound.send`, which checks where the URL leads before connecting."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pgqueuer import PgQueuer
from pgqueuer.models import Job

from app.cases.models import SafetyCase
from app.cases.repository import CaseRepository
from app.connectors.credentials import opened
from app.connectors.execution_states import RUNNING, SENDABLE, Step, decide
from app.connectors.executions import OWN_HEADERS, SEND_JOB, enqueue_send, record
from app.connectors.models import ActionExecution, ConnectorStatus
from app.connectors.repository import ConnectorRepository, ExecutionRepository
from app.connectors.templates import fill_headers
from app.jobs.queue import payload_of
from app.kit.actors import SYSTEM
from app.kit.errors import ValidationFailed
from app.kit.models import utcnow
from app.kit.outbound import OutboundError, Received, retry_after
from app.services import Services

logger = logging.getLogger("haven.connectors")

RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
# A platform asking for a longer pause than this is waited for this long at most.
LONGEST_PAUSE = timedelta(hours=1)
SEND_SECONDS = 15.0
EXCERPT_BYTES = 2048


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Outcome:
    status: int | None
    excerpt: str | None
    error: str | None
    retry: bool
    pause: timedelta | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def judged(received: Received) -> Outcome:
    """What an answer means: 2xx done, 429 and 5xx worth trying again, anything else final."""
    excerpt = received.content[:EXCERPT_BYTES].decode(errors="replace")
    status = received.status
    retry = status == 429 or status >= 500
    asked = retry_after(received.headers) if retry else None
    pause = None if asked is None else min(timedelta(seconds=asked), LONGEST_PAUSE)
    error = None if 200 <= status < 300 else f"the platform answered {status}"
    return Outcome(status, excerpt, error, retry, pause)


def failed(error: OutboundError) -> Outcome:
    """A call without a usable answer: worth trying again unless the destination is refused."""
    return Outcome(error.status, None, error.message, retry=not error.refused)


async def _case(execution: ActionExecution, session: Any) -> SafetyCase:
    # The job acts for the whole tenant: it sees every case, CSEA included.
    case = await CaseRepository(session, execution.tenant_id, sees_csea=True).get(execution.case_id)
    assert case is not None, "a call's case is never deleted while the call exists"
    return case


async def _give_up(session: Any, execution: ActionExecution, error: str) -> None:
    execution.status = decide(Step.FAIL, execution.status)
    execution.error, execution.finished_at = error, utcnow()
    await session.flush()
    await record(session, await _case(execution, session), execution, SYSTEM, "failed")


async def start(services: Services, tenant_id: uuid.UUID, execution_id: uuid.UUID) -> Call | None:
    """The next attempt of the call, marked as running; None when there is nothing to send."""
    async with services.db.transaction() as work:
        session = work.session
        execution = await ExecutionRepository(session, tenant_id).get(execution_id, for_update=True)
        if execution is None or execution.status not in SENDABLE:
            return None
        connectors = ConnectorRepository(session, tenant_id)
        action = await connectors.action(execution.action_id)
        connector = await connectors.get(action.connector_id) if action else None
        if action is None or connector is None or connector.status != ConnectorStatus.ACTIVE:
            await _give_up(session, execution, "the connector is inactive")
            return None
        secrets = opened(services.sealer, connector, await connectors.secrets([connector.id]))
        try:
            headers = fill_headers(action.headers, secrets, execution.variables)
        except ValidationFailed as refusal:  # a secret was removed or changed since
            await _give_up(session, execution, refusal.message)
            return None
        execution.status = decide(Step.START, execution.status)
        execution.attempts += 1
        execution.next_attempt_at = None
    own = {name.lower() for name in OWN_HEADERS}
    kept = {name: value for name, value in headers.items() if name.lower() not in own}
    kept |= {"Content-Type": "application/json", "Idempotency-Key": execution.idempotency_key}
    return Call(execution.method, execution.url, kept, execution.body.encode())


async def send(services: Services, call: Call) -> Outcome:
    try:
        received = await services.outbound.send(
            call.method, call.url, headers=call.headers, content=call.body, seconds=SEND_SECONDS
        )
    except OutboundError as error:
        return failed(error)
    return judged(received)


async def settle(
    services: Services, tenant_id: uuid.UUID, execution_id: uuid.UUID, outcome: Outcome
) -> None:
    """Record the attempt's outcome; queue the next attempt when one is due."""
    async with services.db.transaction() as work:
        session = work.session
        execution = await ExecutionRepository(session, tenant_id).get(execution_id, for_update=True)
        if execution is None or execution.status != RUNNING:
            return
        execution.response_status, execution.error = outcome.status, outcome.error
        execution.response_excerpt = outcome.excerpt
        due = outcome.retry and execution.attempts <= len(RETRY_AFTER)
        if outcome.succeeded or not due:
            step = Step.SUCCEED if outcome.succeeded else Step.FAIL
            execution.status, execution.finished_at = decide(step, RUNNING), utcnow()
            note = "succeeded" if outcome.succeeded else "failed"
        else:
            pause = max(RETRY_AFTER[execution.attempts - 1], outcome.pause or timedelta(0))
            execution.status = decide(Step.RETRY, RUNNING)
            execution.next_attempt_at = utcnow() + pause
            await enqueue_send(session, execution, after=pause)
            note = "retrying"
        await session.flush()
        await record(session, await _case(execution, session), execution, SYSTEM, note)


async def run_send_job(services: Services, payload: dict[str, Any]) -> None:
    """One `connector_action` job: one attempt of the call."""
    tenant_id = uuid.UUID(str(payload["tenant_id"]))
    execution_id = uuid.UUID(str(payload["execution_id"]))
    call = await start(services, tenant_id, execution_id)
    if call is None:
        return
    outcome = await send(services, call)
    if not outcome.succeeded:
        logger.info("action call %s: %s", execution_id, outcome.error)
    await settle(services, tenant_id, execution_id, outcome)


def register_actions(queue: PgQueuer, services: Services) -> None:
    @queue.entrypoint(SEND_JOB)
    async def send_action(job: Job) -> None:
        await run_send_job(services, payload_of(job.payload))
