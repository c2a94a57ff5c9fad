"""Safety case rules: opening a case, moving it through the workflow, assigning it, linking
tickets and setting response deadlines. Each change is recorded once through the journal: on
the case's timeline, as an event for live clients and in the tenant's audit chain."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.repository import UserRepository
from app.cases import sla
from app.cases.access import require_write, sees_csea
from app.cases.events import case_event
from app.cases.models import CaseStatus, CaseTicket, CaseType, SafetyCase
from app.cases.repository import CaseRepository
from app.cases.states import (
    CaseClosed,
    Transition,
    clean_reason,
    decide,
    needs_referral,
    parse_status,
)
from app.cases.timeline import CaseNote
from app.events.models import EventType
from app.journal import service as journal
from app.journal.change import Change, Live, Subject
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.notifications.triggers import case_assigned
from app.tickets.models import Priority
from app.tickets.repository import TicketRepository

SUBJECT = "SafetyCase"


@dataclass
class NewCase:
    case_type: CaseType
    priority: Priority
    subject: str
    description: str | None = None
    ticket_ids: list[uuid.UUID] = field(default_factory=list)
    assignee_id: uuid.UUID | None = None


def cases_of(session: AsyncSession, principal: Principal) -> CaseRepository:
    """The caller's view of the tenant's cases."""
    return CaseRepository(session, principal.tenant_id, sees_csea=sees_csea(principal.role))


def case_gid(case: SafetyCase) -> str:
    return to_global_id("SafetyCase", case.id)


async def _record(
    session: AsyncSession,
    case: SafetyCase,
    actor: Actor,
    action: str,
    note: str,
    details: dict[str, Any],
    live: Live,
    reason: str | None = None,
) -> None:
    """The change to the case, noted as `note` on its timeline with `details`, sent to its
    watchers as `live` and audited as `action`."""
    change = Change(
        case.tenant_id,
        actor,
        action,
        [Subject(SUBJECT, case_gid(case))],
        details,
        reason,
        timeline=[CaseNote(case, note)],
        live=live,
    )
    await journal.record(session, change)


async def _assignee(
    session: AsyncSession, principal: Principal, case_type: str, user_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The user, if they belong to the tenant, are active and may see this kind of case."""
    if user_id is None:
        return None
    user = await UserRepository(session, principal.tenant_id).get(user_id)
    if user is None or not user.is_active:
        raise NotFound("Assignee")
    if case_type == CaseType.CSEA and not sees_csea(user.role):
        raise ValidationFailed(
            "A CSEA case can only be assigned to a safeguarding lead or an administrator",
            field="assigneeId",
        )
    return user.id


async def _load(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> tuple[CaseRepository, SafetyCase]:
    require_write(principal)
    cases = cases_of(session, principal)
    case = await cases.get(case_id, for_update=True)
    if case is None:
        raise NotFound("Case")
    return cases, case


async def create_case(session: AsyncSession, principal: Principal, draft: NewCase) -> SafetyCase:
    """Open a case with its first tickets; its SLA clock starts now."""
    require_write(principal)
    if draft.case_type == CaseType.CSEA and not sees_csea(principal.role):
        raise Forbidden("Only safeguarding leads and administrators can open CSEA cases")
    subject = validation.title(draft.subject, "subject")
    description = validation.text(draft.description, "description")
    assignee_id = await _assignee(session, principal, draft.case_type, draft.assignee_id)
    ticket_ids = list(dict.fromkeys(draft.ticket_ids))
    tickets = await TicketRepository(session, principal.tenant_id).by_ids(ticket_ids)
    if len(tickets) != len(ticket_ids):
        raise NotFound("Ticket")
    cases, actor, now = cases_of(session, principal), Actor.of(principal), utcnow()
    case = SafetyCase(
        id=uuid.uuid4(),
        tenant_id=principal.tenant_id,
        number=await cases.next_number(),
        case_type=draft.case_type,
        status=CaseStatus.OPEN,
        priority=draft.priority,
        subject=subject,
        description=description,
        assignee_id=assignee_id,
        sla_deadline=await sla.deadline(
            session, principal.tenant_id, draft.case_type, draft.priority, now
        ),
        **actor.as_columns("created_by"),
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    session.add_all(
        CaseTicket(tenant_id=case.tenant_id, case_id=case.id, ticket_id=ticket_id)
        for ticket_id in ticket_ids
    )
    details = {
        "number": case.number,
        "case_type": case.case_type,
        "priority": case.priority,
        "ticket_ids": [to_global_id("Ticket", ticket_id) for ticket_id in ticket_ids],
        "assignee_id": to_global_id("User", assignee_id) if assignee_id else None,
    }
    live = case_event(EventType.CASE_CREATED, case)
    await _record(session, case, actor, "case.created", "case_created", details, live)
    return case


async def transition_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, status: str, reason: str | None
) -> tuple[SafetyCase, Transition]:
    """Move the case on, if the workflow (`app.cases.states`) allows it."""
    cases, case = await _load(session, principal, case_id)
    referral = needs_referral(case.case_type, parse_status(status))
    has_referral = referral and await cases.has_filed_referral(case.id)
    step = decide(
        case.case_type,
        case.status,
        status,
        reason,
        is_admin=principal.is_admin,
        has_referral=has_referral,
    )
    case.status = step.target
    case.closed_at = utcnow() if step.target == CaseStatus.CLOSED else None
    actor, change = Actor.of(principal), {"from": step.source.value, "to": step.target.value}
    status_change = {"status": {"old": step.source.value, "new": step.target.value}}
    live = case_event(EventType.CASE_STATUS_CHANGED, case, status_change)
    action, note = "case.status_changed", "status_changed"
    await _record(session, case, actor, action, note, change, live, step.reason)
    return case, step


def _optional_reason(reason: str | None) -> str | None:
    return clean_reason(reason) if reason is not None and reason.strip() else None


async def assign_case(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    assignee_id: uuid.UUID | None,
    reason: str | None = None,
) -> SafetyCase:
    """Give the case to a team member (None unassigns); a closed case keeps its assignee."""
    _, case = await _load(session, principal, case_id)
    if case.status == CaseStatus.CLOSED:
        raise CaseClosed("The case is closed; reopen it before reassigning")
    cleaned = _optional_reason(reason)
    new = await _assignee(session, principal, case.case_type, assignee_id)
    if new == case.assignee_id:
        return case
    old, case.assignee_id = case.assignee_id, new
    actor = Actor.of(principal)
    change = {
        "old": to_global_id("User", old) if old else None,
        "new": to_global_id("User", new) if new else None,
    }
    details = {"assignee_id": change}
    live = case_event(EventType.CASE_ASSIGNED, case, details)
    await _record(session, case, actor, "case.assigned", "assigned", details, live, cleaned)
    label = f"#{case.number} ({case.case_type})"
    await case_assigned(session, case.tenant_id, case.id, label, new, actor)
    return case


async def link_ticket(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, ticket_id: uuid.UUID
) -> SafetyCase:
    """Attach one of the tenant's tickets to an open (not closed) case."""
    cases, case = await _load(session, principal, case_id)
    if await TicketRepository(session, principal.tenant_id).get(ticket_id) is None:
        raise NotFound("Ticket")
    if case.status == CaseStatus.CLOSED:
        raise CaseClosed("The case is closed; reopen it before linking tickets")
    if await cases.is_linked(case.id, ticket_id):
        raise Conflict("The ticket is already linked to this case")
    session.add(CaseTicket(tenant_id=case.tenant_id, case_id=case.id, ticket_id=ticket_id))
    case.updated_at = utcnow()
    actor, details = Actor.of(principal), {"ticket_id": to_global_id("Ticket", ticket_id)}
    live = case_event(EventType.TICKET_LINKED, case, details)
    await _record(session, case, actor, "case.ticket_linked", "ticket_linked", details, live)
    return case


async def set_priority(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    priority: Priority,
    reason: str | None,
) -> SafetyCase:
    """Change how urgent the case is; its deadline is recomputed from when it was opened."""
    _, case = await _load(session, principal, case_id)
    if case.status == CaseStatus.CLOSED:
        raise CaseClosed("The case is closed; reopen it before changing its priority")
    cleaned = clean_reason(reason)
    if priority == case.priority:
        return case
    old = case.priority
    case.priority = priority
    case.sla_deadline = await sla.deadline(
        session, case.tenant_id, case.case_type, priority, case.created_at
    )
    actor = Actor.of(principal)
    change = {"priority": {"old": old, "new": priority.value}}
    details = {**change, "sla_deadline": case.sla_deadline.isoformat()}
    live = case_event(EventType.CASE_PRIORITY_CHANGED, case, change)
    action, note = "case.priority_changed", "priority_changed"
    await _record(session, case, actor, action, note, details, live, cleaned)
    return case


async def set_sla(
    session: AsyncSession,
    principal: Principal,
    case_type: CaseType,
    priority: Priority,
    minutes: int,
) -> int:
    """The tenant's deadline for new cases of this type and priority (administrators only)."""
    if not principal.is_admin:
        raise Forbidden("Only administrators can do this")
    before = await sla.minutes_for(session, principal.tenant_id, case_type, priority)
    await sla.set_minutes(session, principal.tenant_id, case_type, priority, minutes)
    details = {"case_type": case_type.value, "priority": priority.value}
    policy = Subject("CaseSlaPolicy", f"{case_type.value}/{priority.value}")
    change = Change(
        principal.tenant_id,
        Actor.of(principal),
        "case_sla.set",
        [policy],
        {**details, "minutes": {"old": before, "new": minutes}},
    )
    await journal.record(session, change)
    return minutes
