"""Bodies of /api/v1/cases as typed models, in the API document's shapes and key order, with
its examples; they serialize the answers and describe them in the generated document."""

import uuid
from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema

from app.cases.models import CaseStatus, CaseTimelineEntry, CaseType, SafetyCase
from app.cases.states import REASON_MAX
from app.evidence.models import EvidenceItem, EvidenceType
from app.kit.actors import shown_name
from app.kit.attributes import from_attributes
from app.referrals.models import Referral, ReferralStatus, ReferralType
from app.rest.types import (
    Body,
    CaseId,
    EvidenceId,
    Page,
    ReferralId,
    TenantId,
    TicketId,
    Timestamp,
    UserId,
)
from app.storage.store import COMPLIANCE
from app.tickets.models import Priority

CASE_ID = "cas_e1f2a3b4-c5d6-7e8f-9a0b-c1d2e3f4a5b6"
TENANT_ID = "ten_f1e2d3c4-b5a6-9788-7c6d-5e4f3a2b1c0d"
TICKET_ID = "tkt_3a2b1c0d-9e8f-7a6b-5c4d-3e2f1a0b9c8d"
USER_ID = "usr_c4d5e6f7-a8b9-0c1d-2e3f-4a5b6c7d8e9f"
EVIDENCE_ID = "evi_f1a2b3c4-d5e6-7f8a-9b0c-d1e2f3a4b5c6"

SUMMARY: dict[str, Any] = {
    "id": CASE_ID,
    "tenant_id": TENANT_ID,
    "case_type": "csea",
    "status": "open",
    "priority": "critical",
    "subject": "Potential CSEA — hash match detected",
    "ticket_ids": [TICKET_ID],
    "assigned_to": USER_ID,
    "sla_deadline": "2026-04-02T15:30:00.000Z",
    "evidence_count": 1,
    "referral_id": None,
    "created_at": "2026-04-02T14:30:05.000Z",
    "updated_at": "2026-04-02T14:30:05.000Z",
}

Actor = Annotated[str, Field(description="`system` or the person's name")]


class CaseSummary(Body):
    model_config = ConfigDict(json_schema_extra={"example": SUMMARY})

    id: CaseId
    tenant_id: TenantId
    case_type: CaseType
    status: CaseStatus
    priority: Priority
    subject: str
    ticket_ids: list[TicketId]
    assigned_to: UserId | None
    sla_deadline: Timestamp
    evidence_count: int = Field(ge=0)
    referral_id: ReferralId | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(
        cls,
        case: SafetyCase,
        ticket_ids: list[uuid.UUID],
        referral: Referral | None,
        evidence_count: int,
    ) -> "CaseSummary":
        return from_attributes(
            cls,
            case,
            ticket_ids=ticket_ids,
            assigned_to=case.assignee_id,
            evidence_count=evidence_count,
            referral_id=referral.id if referral else None,
        )


class CasePage(Page[CaseSummary]):
    model_config = Page.one_row_example(SUMMARY)


class CaseReferral(Body):
    id: ReferralId
    case_id: CaseId
    type: ReferralType
    status: ReferralStatus
    submitted_at: Timestamp | None
    reference_number: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, referral: Referral) -> "CaseReferral":
        return from_attributes(cls, referral)


class CaseTimelineEvent(Body):
    type: str
    actor: Actor
    timestamp: Timestamp

    @classmethod
    def of(cls, entry: CaseTimelineEntry) -> "CaseTimelineEvent":
        actor = shown_name(entry.actor_kind, entry.actor_name)
        return from_attributes(cls, entry, actor=actor, timestamp=entry.created_at)


class CaseEvidence(Body):
    """Evidence preserved on the case, in the short form; GET /api/v1/evidence has it whole."""

    id: EvidenceId
    type: EvidenceType
    preserved_at: Timestamp
    s3_object_lock: bool = Field(
        description="Whether the content is held under S3 Object Lock (COMPLIANCE)"
    )

    @classmethod
    def of(cls, item: EvidenceItem) -> "CaseEvidence":
        return from_attributes(cls, item, s3_object_lock=item.retention_mode == COMPLIANCE)


class CaseDetail(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                **{key: SUMMARY[key] for key in ("id", "tenant_id", "case_type")},
                "status": "investigating",
                **{key: SUMMARY[key] for key in ("priority", "subject")},
                "description": "PhotoDNA hash match on uploaded image.",
                **{key: SUMMARY[key] for key in ("ticket_ids", "assigned_to", "sla_deadline")},
                "evidence": [
                    {
                        "id": EVIDENCE_ID,
                        "type": "image_hash",
                        "preserved_at": "2026-04-02T14:30:03.000Z",
                        "s3_object_lock": True,
                    }
                ],
                "referral": None,
                "timeline": [
                    {
                        "type": "case_created",
                        "actor": "system",
                        "timestamp": "2026-04-02T14:30:05.000Z",
                    }
                ],
                "created_at": "2026-04-02T14:30:05.000Z",
                "updated_at": "2026-04-02T14:32:10.000Z",
            }
        }
    )

    id: CaseId
    tenant_id: TenantId
    case_type: CaseType
    status: CaseStatus
    priority: Priority
    subject: str
    description: str | None
    ticket_ids: list[TicketId]
    assigned_to: UserId | None
    sla_deadline: Timestamp
    evidence: list[CaseEvidence]
    referral: CaseReferral | None
    timeline: list[CaseTimelineEvent]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(
        cls,
        case: SafetyCase,
        ticket_ids: list[uuid.UUID],
        referral: Referral | None,
        timeline: list[CaseTimelineEntry],
        evidence: list[EvidenceItem],
    ) -> "CaseDetail":
        return from_attributes(
            cls,
            case,
            ticket_ids=ticket_ids,
            assigned_to=case.assignee_id,
            evidence=[CaseEvidence.of(item) for item in evidence],
            referral=CaseReferral.of(referral) if referral else None,
            timeline=[CaseTimelineEvent.of(entry) for entry in timeline],
        )


class CaseStatusChange(Body):
    """A status change as sent. Values are the workflow's to judge (UNKNOWN_STATUS,
    REASON_REQUIRED, REASON_TOO_LONG answer 422), so only their types are checked here;
    the document still says what the workflow accepts."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"required": ["status", "reason"]})

    status: Annotated[
        str | None, WithJsonSchema({"type": "string", "enum": [s.value for s in CaseStatus]})
    ] = None
    reason: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": REASON_MAX,
                "description": "Why; recorded on the timeline and in the audit log",
            }
        ),
    ] = None


class CaseStatusChanged(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": CASE_ID,
                "status": "escalated",
                "previous_status": "investigating",
                "updated_at": "2026-04-02T14:45:00.000Z",
            }
        }
    )

    id: CaseId
    status: CaseStatus
    previous_status: CaseStatus
    updated_at: Timestamp

    @classmethod
    def of(cls, case: SafetyCase, previous: str) -> "CaseStatusChanged":
        return from_attributes(cls, case, previous_status=previous)
