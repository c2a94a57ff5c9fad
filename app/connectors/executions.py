"""Calling a connector's action from a safety case: asked for with a reason, approved by a
second person when the action needs four eyes, then sent by a job (`app.connectors.delivery`).

Everything that can be refused is refused before anything is stored or sent: a case the caller
may not see, an unknown action, a missing or unknown variable, a header that would break. Each
change is recorded once through the journal: on the case's timeline, as a live event of the
case and in the audit chain."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.people import second_person
from app.auth.principal import Principal
from app.cases.access import require_write
from app.cases.events import case_event
from app.cases.models import SafetyCase
from app.cases.repository import CaseRepository
from app.cases.service import cases_of
from app.cases.timeline import CaseNote
from app.connectors import case_variables
from app.connectors.credentials import opened
from app.connectors.execution_states import (
    AWAITING,
    REQUESTED,
    ConnectorInactive,
    SamePersonApproval,
    Step,
    decide,
)
from app.connectors.models import ActionExecution, ConnectorStatus, OutboundAction
from app.connectors.repository import ConnectorRepository, ExecutionRepository
from app.connectors.templates import fill_body, fill_endpoint, fill_headers, names
from app.events.models import EventType
from app.jobs.queue import enqueue
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit.actors import Actor, ActorKind
from app.kit.errors import NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.kit.sealing import Sealer

SEND_JOB = "connector_action"
SUBJECT = "ActionExecution"
REASON_MAX = 2000
# Set by Haven on every attempt, whatever the action's own headers say.
OWN_HEADERS = ("Content-Type", "Idempotency-Key")


@dataclass(frozen=True)
class ActionRequest:
    case_id: uuid.UUID
    action_id: uuid.UUID
    variables: Any
    reason: str | None


@dataclass(frozen=True)
class Shown:
    """A call as answered to a caller: with the names (never values) of its headers."""

    execution: ActionExecution
    header_names: list[str]


def execution_gid(execution: ActionExecution) -> str:
    return to_global_id(SUBJECT, execution.id)


def header_names(action: OutboundAction | None) -> list[str]:
    """The headers a call of `action` sends, by name."""
    own = {name.lower() for name in OWN_HEADERS}
    theirs = action.headers if action is not None else {}
    return [name for name in theirs if name.lower() not in own] + list(OWN_HEADERS)


def _reason(value: str | None) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationFailed("reason is required", field="reason")
    if len(cleaned) > REASON_MAX:
        raise ValidationFailed(f"reason must be at most {REASON_MAX} characters", field="reason")
    return cleaned


async def visible_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> tuple[CaseRepository, SafetyCase]:
    """The case, if the caller may see it: a CSEA case is missing to those not cleared."""
    cases = cases_of(session, principal)
    case = await cases.get(case_id)
    if case is None:
        raise NotFound("Case")
    return cases, case


def summary(execution: ActionExecution, action: OutboundAction | None = None) -> dict[str, Any]:
    """What the timeline, audit and live event say about a call: never a header value."""
    shown = {
        "execution_id": execution_gid(execution),
        "action_id": to_global_id("OutboundAction", execution.action_id),
        "status": execution.status,
        "attempts": execution.attempts,
        "method": execution.method,
        "url": execution.url,
        "response_status": execution.response_status,
        "response_excerpt": execution.response_excerpt,
        "error": execution.error,
    }
    return shown | ({"action_type": action.action_type} if action is not None else {})


async def record(
    session: AsyncSession,
    case: SafetyCase,
    execution: ActionExecution,
    actor: Actor,
    note: str,
    reason: str | None = None,
) -> None:
    """The call's change, noted as `connector_action_<note>` on the case's timeline, sent to
    the case's watchers and audited as the call's."""
    details = summary(execution)
    change = Change(
        case.tenant_id,
        actor,
        f"connector_action.{note}",
        [Subject(SUBJECT, execution_gid(execution))],
        details,
        reason,
        timeline=[CaseNote(case, f"connector_action_{note}")],
        live=case_event(EventType.CONNECTOR_ACTION_CHANGED, case, {"action_execution": details}),
    )
    await journal.record(session, change)


async def _prepared(
    session: AsyncSession, sealer: Sealer, principal: Principal, action_id: uuid.UUID
) -> tuple[OutboundAction, dict[str, str]]:
    """The action and its connector's secrets, if the connector is working."""
    connectors = ConnectorRepository(session, principal.tenant_id)
    action = await connectors.action(action_id)
    connector = await connectors.get(action.connector_id) if action else None
    if action is None or connector is None:
        raise NotFound("Action")
    if connector.status != ConnectorStatus.ACTIVE:
        raise ConnectorInactive(f"The connector {connector.name} is inactive")
    return action, opened(sealer, connector, await connectors.secrets([connector.id]))


def _filled(
    action: OutboundAction, secrets: dict[str, str], values: dict[str, Any], extra: set[str]
) -> tuple[str, str]:
    """The URL and body, with the headers checked too; `extra` are the caller's own names,
    each of which the action must use."""
    header_names = {name for value in action.headers.values() for name in names(value)}
    used = names(action.endpoint) | names(action.payload_template) | header_names
    unknown = sorted(extra - used)
    if unknown:
        raise ValidationFailed(
            f"variable {unknown[0]} is unknown: the action does not use it",
            field=f"variables.{unknown[0]}",
        )
    url = fill_endpoint(action.endpoint, values)
    body = fill_body(action.payload_template, values)
    fill_headers(action.headers, secrets, values)
    return url, body


async def request_execution(
    session: AsyncSession, sealer: Sealer, principal: Principal, request: ActionRequest
) -> Shown:
    """Ask for the action to be called for the case: queued for sending at once, or waiting for
    a second person when the action needs four eyes."""
    require_write(principal)
    cases, case = await visible_case(session, principal, request.case_id)
    reason = _reason(request.reason)
    extra = case_variables.given(request.variables)
    action, secrets = await _prepared(session, sealer, principal, request.action_id)
    executions = ExecutionRepository(session, principal.tenant_id)
    known = await case_variables.from_case(cases, executions, case) | {"reason": reason}
    taken = sorted(set(extra) & set(known))
    if taken:
        raise ValidationFailed(
            f"variable {taken[0]} comes from the case and cannot be given",
            field=f"variables.{taken[0]}",
        )
    values = known | extra
    url, body = _filled(action, secrets, values, set(extra))
    execution = ActionExecution(
        id=uuid.uuid4(),
        tenant_id=principal.tenant_id,
        case_id=case.id,
        action_id=action.id,
        status=AWAITING if action.requires_approval else REQUESTED,
        idempotency_key=f"haven-{uuid.uuid4()}",
        reason=reason,
        variables=values,
        method=action.method,
        url=url,
        body=body,
        attempts=0,
        **Actor.of(principal).as_columns("requested_by"),
    )
    session.add(execution)
    await session.flush()
    if execution.status == REQUESTED:
        await enqueue_send(session, execution)
    await record(session, case, execution, Actor.of(principal), "requested", reason)
    return Shown(execution, header_names(action))


async def enqueue_send(session: AsyncSession, execution: ActionExecution, **later: Any) -> None:
    payload = {"tenant_id": str(execution.tenant_id), "execution_id": str(execution.id)}
    await enqueue(session, SEND_JOB, payload, **later)


async def approve_execution(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, execution_id: uuid.UUID
) -> Shown:
    """A second person agrees to the call, which is then queued for sending."""
    require_write(principal)
    _, case = await visible_case(session, principal, case_id)
    executions = ExecutionRepository(session, principal.tenant_id)
    execution = await executions.in_case(case.id, execution_id, for_update=True)
    if execution is None:
        raise NotFound("Action execution")
    target = decide(Step.APPROVE, execution.status)
    requester = (execution.requested_by_kind, execution.requested_by_id)
    approver = (principal.kind, principal.actor_id)
    if principal.kind != ActorKind.USER or not await second_person(
        session, principal.tenant_id, requester, approver
    ):
        raise SamePersonApproval(
            "The call must be approved by a signed-in person other than the one who asked for "
            "it; an API key is the person who created it, and cannot approve"
        )
    execution.status = target
    execution.approved_at = utcnow()
    for column, value in Actor.of(principal).as_columns("approved_by").items():
        setattr(execution, column, value)
    await session.flush()
    await enqueue_send(session, execution)
    await record(session, case, execution, Actor.of(principal), "approved")
    action = await ConnectorRepository(session, principal.tenant_id).action(execution.action_id)
    return Shown(execution, header_names(action))


async def executions_of_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[Shown]:
    """The case's calls, oldest first, if the caller may see the case."""
    _, case = await visible_case(session, principal, case_id)
    rows = await ExecutionRepository(session, principal.tenant_id).of_case(case.id)
    connectors = ConnectorRepository(session, principal.tenant_id)
    actions = {a.id: a for a in await connectors.actions_by_ids([r.action_id for r in rows])}
    return [Shown(row, header_names(actions.get(row.action_id))) for row in rows]
