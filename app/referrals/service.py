"""Referral rules: drafting a referral of a case to an authority, moving it through review to
submission (`app.referrals.states`), and exporting what it reports (`app.referrals.nca`).

Only safeguarding leads and administrators make, review, submit or export referrals; to anyone
else a referral of a CSEA case, like the case, does not exist. Each change is recorded once
through the journal: on the case's timeline, as an event to the case's watchers and in the
tenant's audit chain. Once submitted, a referral is frozen but for its acknowledgement, here
and by database triggers."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.people import second_person
from app.auth.principal import Principal
from app.auth.repository import UserRepository
from app.cases.access import sees_csea
from app.cases.events import case_event
from app.cases.models import CaseStatus, CaseType, SafetyCase
from app.cases.service import cases_of
from app.cases.states import CaseClosed
from app.cases.timeline import CaseNote
from app.events.models import EventType
from app.evidence.models import EvidenceItem
from app.evidence.repository import EvidenceRepository
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import Conflict, Forbidden, HavenError, NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.referrals import nca
from app.referrals.models import (
    Referral,
    ReferralEvidence,
    ReferralStatus,
    ReferralType,
    ReferralUrgency,
)
from app.referrals.repository import ReferralRepository
from app.referrals.states import Step, clean_reason, clean_reference, decide
from app.tenants.models import Tenant

SUBJECT = "Referral"
SUMMARY_MAX_BYTES = 16 * 1024
TIMELINE = {
    Step.SUBMIT_FOR_REVIEW: "referral_submitted_for_review",
    Step.RETURN_TO_DRAFT: "referral_returned_to_draft",
    Step.SUBMIT: "referral_submitted",
    Step.ACKNOWLEDGE: "referral_acknowledged",
    Step.WITHDRAW: "referral_withdrawn",
}


class InsufficientEvidence(HavenError):
    code = "INSUFFICIENT_EVIDENCE"
    http_status = 422


@dataclass
class NewReferral:
    case_id: uuid.UUID
    type: ReferralType
    urgency: ReferralUrgency
    summary: str
    contact_details: dict[str, Any] | None = None


def referrals_of(session: AsyncSession, principal: Principal) -> ReferralRepository:
    """The caller's view of the tenant's referrals."""
    return ReferralRepository(session, principal.tenant_id, sees_csea=sees_csea(principal.role))


def referral_gid(referral: Referral) -> str:
    return to_global_id("Referral", referral.id)


def _require_lead(principal: Principal) -> None:
    if not sees_csea(principal.role):
        raise Forbidden("Only safeguarding leads and administrators can handle referrals")


def _summary(value: str) -> str:
    cleaned = validation.text(value, "summary", SUMMARY_MAX_BYTES)
    if cleaned is None or not cleaned.strip():
        raise ValidationFailed("summary is required", field="summary")
    return cleaned.strip()


def _contact(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return validation.metadata(value, "contact_details") or None


async def _record(
    session: AsyncSession,
    referral: Referral,
    case: SafetyCase,
    actor: Actor,
    note: str,
    details: dict[str, Any],
    reason: str | None = None,
) -> None:
    """A change to the referral: noted as `note` on its case's timeline, sent to whoever
    watches the case (as they see the case move) and audited as the referral's."""
    case.updated_at = utcnow()
    change = Change(
        referral.tenant_id,
        actor,
        note.replace("_", ".", 1),
        [Subject(SUBJECT, referral_gid(referral))],
        details,
        reason,
        timeline=[CaseNote(case, note)],
        live=case_event(EventType.REFERRAL_CHANGED, case, {"referral": details}),
    )
    await journal.record(session, change)


async def _attach(
    session: AsyncSession, referral: Referral, items: list[EvidenceItem], carried: set[uuid.UUID]
) -> int:
    """Link the items the referral does not carry yet; flushed now, while it is unsubmitted."""
    new = [item for item in items if item.id not in carried]
    session.add_all(
        ReferralEvidence(tenant_id=referral.tenant_id, referral_id=referral.id, evidence_id=i.id)
        for i in new
    )
    await session.flush()
    return len(carried) + len(new)


def _needs_evidence(case: SafetyCase, type: str) -> bool:
    return case.case_type == CaseType.CSEA or type == ReferralType.NCA


async def create_referral(
    session: AsyncSession, principal: Principal, draft: NewReferral
) -> tuple[Referral, int]:
    """Draft a referral of the case, carrying all the case's preserved evidence; returns it
    with the number of items it carries."""
    case = await cases_of(session, principal).get(draft.case_id, for_update=True)
    if case is None:
        raise NotFound("Case")
    _require_lead(principal)
    summary, contact = _summary(draft.summary), _contact(draft.contact_details)
    if case.status == CaseStatus.CLOSED:
        raise CaseClosed("The case is closed; reopen it before referring it")
    if await referrals_of(session, principal).active_for_case(case.id) is not None:
        raise Conflict("The case already has an active referral")
    items = await EvidenceRepository(session, principal.tenant_id).of_cases([case.id])
    if not items and _needs_evidence(case, draft.type):
        raise InsufficientEvidence("Preserve the case's evidence before referring it")
    actor = Actor.of(principal)
    referral = Referral(
        id=uuid.uuid4(),
        tenant_id=case.tenant_id,
        case_id=case.id,
        type=draft.type,
        urgency=draft.urgency,
        status=ReferralStatus.DRAFT,
        summary=summary,
        contact_details=contact,
        **actor.as_columns("created_by"),
        created_at=utcnow(),
    )
    session.add(referral)
    await session.flush()
    count = await _attach(session, referral, items, set())
    details = {
        "referral_id": referral_gid(referral),
        "type": referral.type,
        "urgency": referral.urgency,
        "evidence_count": count,
    }
    await _record(session, referral, case, actor, "referral_created", details)
    return referral, count


async def _load(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID
) -> tuple[Referral, SafetyCase]:
    found = await referrals_of(session, principal).get(referral_id, for_update=True)
    if found is None:
        raise NotFound("Referral")
    _require_lead(principal)
    return found


async def _second_person(session: AsyncSession, referral: Referral, actor: Actor) -> bool:
    """Whether the actor is known to be a person other than the referral's author."""
    author = (referral.created_by_kind, referral.created_by_id)
    return await second_person(session, referral.tenant_id, author, (actor.kind, actor.id))


async def status_of(session: AsyncSession, principal: Principal, referral_id: uuid.UUID) -> str:
    """The referral's status now, as the caller may see it."""
    referral, _ = await _load(session, principal, referral_id)
    return referral.status


async def facts(
    session: AsyncSession, principal: Principal, referral: Referral, case: SafetyCase
) -> nca.Facts:
    """What the report is made from, as the database holds it now."""
    repo = referrals_of(session, principal)
    items = await repo.evidence(referral.id)
    tickets = await repo.tickets(case.id)
    events = [item.source_event_id for item in items if item.source_event_id]
    receipts = await repo.receipts([ticket.id for ticket in tickets], events)
    tenant = await session.get(Tenant, referral.tenant_id)
    assert tenant is not None
    return nca.Facts(
        organisation_id=to_global_id("Tenant", tenant.id),
        organisation_name=tenant.name,
        referral=referral,
        case=case,
        person=await _person(session, referral),
        items=items,
        tickets=tickets,
        receipts=receipts,
    )


async def _person(session: AsyncSession, referral: Referral) -> nca.Person:
    """Who vouches for the report: its submitter once submitted, its author before."""
    submitted = referral.submitted_by_kind is not None
    kind = referral.submitted_by_kind if submitted else referral.created_by_kind
    pk = referral.submitted_by_id if submitted else referral.created_by_id
    name = referral.submitted_by_name if submitted else referral.created_by_name
    if kind != "user" or pk is None:
        return nca.Person(None, name, None)
    user = await UserRepository(session, referral.tenant_id).get(pk)
    email = user.email if user else None
    return nca.Person(to_global_id("User", pk), name, email)


async def _submit(
    session: AsyncSession, principal: Principal, referral: Referral, case: SafetyCase
) -> None:
    """Carry evidence preserved since drafting, then freeze the report as submitted."""
    repo = referrals_of(session, principal)
    carried = {item.id for item in await repo.evidence(referral.id)}
    items = await EvidenceRepository(session, principal.tenant_id).of_cases([case.id])
    await _attach(session, referral, items, carried)
    actor = Actor.of(principal)
    referral.submitted_at = utcnow()
    referral.submitted_by_kind, referral.submitted_by_id = actor.kind, actor.id
    referral.submitted_by_name = actor.name
    referral.report = nca.build_report(await facts(session, principal, referral, case))


async def move(
    session: AsyncSession,
    principal: Principal,
    referral_id: uuid.UUID,
    step: Step,
    *,
    reason: str | None = None,
    reference_number: str | None = None,
) -> Referral:
    """Take one step of the workflow, if `app.referrals.states` allows it now."""
    referral, case = await _load(session, principal, referral_id)
    actor = Actor.of(principal)
    edge = decide(
        step, referral.status, second_person=await _second_person(session, referral, actor)
    )
    cleaned = clean_reason(reason) if edge.needs_reason else None
    reference = clean_reference(reference_number) if step == Step.ACKNOWLEDGE else None
    if step == Step.SUBMIT:
        await _submit(session, principal, referral, case)
    if step == Step.ACKNOWLEDGE:
        referral.reference_number, referral.acknowledged_at = reference, utcnow()
    if step == Step.WITHDRAW:
        referral.withdrawn_at = utcnow()
    referral.status = edge.target
    details: dict[str, Any] = {
        "referral_id": referral_gid(referral),
        "from": edge.source.value,
        "to": edge.target.value,
    }
    if reference is not None:
        details["reference_number"] = reference
    await _record(session, referral, case, actor, TIMELINE[step], details, cleaned)
    return referral


async def export_document(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID
) -> dict[str, Any]:
    """The document to send the authority: the frozen report once submitted, else the report
    as it would be now. Reading it is an access to evidence metadata, so it is audited."""
    found = await referrals_of(session, principal).get(referral_id)
    if found is None:
        raise NotFound("Referral")
    _require_lead(principal)
    referral, case = found
    report = referral.report or nca.build_report(await facts(session, principal, referral, case))
    document: dict[str, Any] = nca.export(referral, report, utcnow())
    details = {"evidence_count": len(report["content"]), "status": referral.status}
    subject = Subject(SUBJECT, referral_gid(referral))
    change = Change(
        referral.tenant_id, Actor.of(principal), "referral.exported", [subject], details
    )
    await journal.record(session, change)
    return document
