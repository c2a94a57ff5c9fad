"""Building cases for tests through the app's own service, and reading what they left behind."""

import uuid
from typing import Any

from sqlalchemy import func, select, update

from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.auth.principal import Principal
from app.cases import service
from app.cases.models import CaseTimelineEntry, CaseType, SafetyCase
from app.kit.actors import ActorKind
from app.referrals.models import Referral, ReferralStatus, ReferralType, ReferralUrgency
from app.services import Services
from app.tickets.models import Priority
from tests.factories import Factory, World

CASE_FIELDS = """id number caseType status priority subject description slaDeadline slaBreached
slaRemainingSeconds createdBy closedAt assignee { id } tickets { id } referral { status }
timeline { type actorName reason details }"""


def principal_of(user: User) -> Principal:
    return Principal(user.tenant_id, Role(user.role), ActorKind.USER, user.id, user.name)


async def open_case(
    services: Services,
    user: User,
    case_type: CaseType = CaseType.HARASSMENT,
    priority: Priority = Priority.HIGH,
    **overrides: Any,
) -> SafetyCase:
    draft = service.NewCase(
        case_type=case_type,
        priority=priority,
        subject=overrides.pop("subject", f"Case {uuid.uuid4().hex[:8]}"),
        **overrides,
    )
    async with services.db.transaction() as work:
        return await service.create_case(work.session, principal_of(user), draft)


async def force_status(services: Services, case: SafetyCase, status: str) -> None:
    """Put a case straight into a status, as if it had got there through the workflow."""
    async with services.db.transaction() as work:
        await work.session.execute(
            update(SafetyCase).where(SafetyCase.id == case.id).values(status=status)
        )


async def add_referral(
    services: Services, case: SafetyCase, status: ReferralStatus = ReferralStatus.SUBMITTED
) -> Referral:
    async with services.db.transaction() as work:
        referral = Referral(
            tenant_id=case.tenant_id,
            case_id=case.id,
            type=ReferralType.NCA,
            urgency=ReferralUrgency.URGENT,
            status=status,
        )
        work.session.add(referral)
    return referral


async def snapshot(services: Services, case: SafetyCase) -> dict[str, Any]:
    """What a refused change must leave alone: the case, its timeline and the audit chain."""
    async with services.db.read() as session:
        row = await session.get(SafetyCase, case.id, populate_existing=True)
        assert row is not None
        timeline = await session.scalar(
            select(func.count(CaseTimelineEntry.id)).where(CaseTimelineEntry.case_id == case.id)
        )
        audit = await session.scalar(
            select(func.count()).where(AuditEntry.tenant_id == case.tenant_id)
        )
    return {
        "status": row.status,
        "closed_at": row.closed_at,
        "updated_at": row.updated_at,
        "assignee_id": row.assignee_id,
        "timeline": timeline,
        "audit": audit,
    }


async def audit_entries(services: Services, tenant_id: uuid.UUID) -> list[AuditEntry]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.seq)
        )
        return list(rows)


async def timeline(services: Services, case: SafetyCase) -> list[CaseTimelineEntry]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(CaseTimelineEntry)
            .where(CaseTimelineEntry.case_id == case.id)
            .order_by(CaseTimelineEntry.created_at, CaseTimelineEntry.id)
        )
        return list(rows)


async def staff(factory: Factory, world: World) -> dict[str, User]:
    """One user per role in the world's tenant, its admin included."""
    people = {"admin": world.admin}
    for role in (Role.SAFEGUARDING_LEAD, Role.AGENT, Role.VIEWER):
        people[role.value] = await factory.user(world.tenant, role)
    return people
