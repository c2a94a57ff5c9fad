"""Bodies of /api/v1 referrals as typed models, in the API document's shapes and key order, with
its examples; they check what callers send, serialize the answers and describe both in the
generated document."""

import uuid
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, WithJsonSchema

from app.cases.bodies import CASE_ID, USER_ID
from app.kit.actors import actor_global_id
from app.kit.attributes import from_attributes
from app.referrals import service
from app.referrals.models import Referral, ReferralStatus, ReferralType, ReferralUrgency
from app.referrals.nca import SCHEMA_VERSION
from app.referrals.states import REASON_MAX, REFERENCE_MAX, Step
from app.rest.envelope import invalid
from app.rest.types import Body, CaseId, Page, ReferralId, Timestamp

REFERRAL_ID = "ref_b1c2d3e4-f5a6-7b8c-9d0e-f1a2b3c4d5e6"
REFERENCE_NUMBER = "NCA-2026-04-0042"
SUMMARY_TEXT = (
    "CSEA material detected via PhotoDNA hash match. User account suspended. Evidence "
    "preserved with full chain of custody."
)
# PATCH .../status names the status wanted; each is reached by exactly one step.
STEP_TO: dict[str, Step] = {
    ReferralStatus.PENDING_REVIEW: Step.SUBMIT_FOR_REVIEW,
    ReferralStatus.DRAFT: Step.RETURN_TO_DRAFT,
    ReferralStatus.SUBMITTED: Step.SUBMIT,
    ReferralStatus.ACKNOWLEDGED: Step.ACKNOWLEDGE,
    ReferralStatus.WITHDRAWN: Step.WITHDRAW,
}

SUMMARY: dict[str, Any] = {
    "id": REFERRAL_ID,
    "case_id": CASE_ID,
    "type": "nca",
    "status": "submitted",
    "submitted_at": "2026-04-02T15:00:00.000Z",
    "submitted_by": USER_ID,
    "reference_number": REFERENCE_NUMBER,
    "evidence_count": 3,
    "created_at": "2026-04-02T14:50:00.000Z",
}

Submitter = Annotated[
    str,
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": "^usr_[0-9a-f-]{36}$",
                    "description": "Global id of the submitting user",
                },
                {
                    "type": "string",
                    "pattern": "^key_[0-9a-f-]{36}$",
                    "description": "Global id of the submitting API key",
                },
            ]
        }
    ),
]
EvidenceCount = Annotated[int, Field(ge=0)]


def _submitted_by(referral: Referral) -> str | None:
    """A person, or an API key (which counts as the person who made it)."""
    return actor_global_id(referral.submitted_by_kind, referral.submitted_by_id)


def _one_of(value: str | None, key: str, allowed: type[StrEnum]) -> Any:
    """`value` as a member of `allowed`, or VALIDATION_ERROR naming the field."""
    if value is None:
        raise invalid(f"{key} is required")
    if value not in {member.value for member in allowed}:
        raise invalid(f"{key} must be one of {', '.join(member.value for member in allowed)}")
    return allowed(value)


class ReferralSummary(Body):
    id: ReferralId
    case_id: CaseId
    type: ReferralType
    status: ReferralStatus
    submitted_at: Timestamp | None
    submitted_by: Submitter | None
    reference_number: str | None
    evidence_count: EvidenceCount
    created_at: Timestamp

    @classmethod
    def of(cls, referral: Referral, evidence_count: int) -> "ReferralSummary":
        return from_attributes(
            cls, referral, submitted_by=_submitted_by(referral), evidence_count=evidence_count
        )


class ReferralPage(Page[ReferralSummary]):
    model_config = Page.one_row_example(SUMMARY)


class NewReferral(Body):
    """A referral as drafted; fields the document does not name are ignored."""

    # Fields of the wrong JSON type are refused by name here; the type and urgency against
    # their enums (`draft`), the summary's length and the contact details' size by the service,
    # as for GraphQL.
    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"required": ["type", "urgency", "summary"]}
    )
    MESSAGES: ClassVar[dict[str, str]] = {
        "contact_details": "contact_details must be a JSON object"
    }

    type: Annotated[
        str | None, WithJsonSchema({"type": "string", "enum": [t.value for t in ReferralType]})
    ] = None
    urgency: Annotated[
        str | None, WithJsonSchema({"type": "string", "enum": [u.value for u in ReferralUrgency]})
    ] = None
    summary: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "description": "What the authority is told; at most "
                f"{service.SUMMARY_MAX_BYTES} bytes",
            }
        ),
    ] = None
    contact_details: Annotated[
        dict[str, Any] | None,
        WithJsonSchema(
            {
                "type": "object",
                "description": "Whom the authority should contact, overriding the submitter",
            }
        ),
    ] = None

    def draft(self, case_id: uuid.UUID) -> service.NewReferral:
        return service.NewReferral(
            case_id=case_id,
            type=_one_of(self.type, "type", ReferralType),
            urgency=_one_of(self.urgency, "urgency", ReferralUrgency),
            summary=self._summary(),
            contact_details=self.contact_details,
        )

    def _summary(self) -> str:
        if self.summary is None:
            raise invalid("summary is required")
        return self.summary


class ReferralCreated(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": REFERRAL_ID,
                "case_id": CASE_ID,
                "type": "nca",
                "status": "draft",
                "urgency": "urgent",
                "summary": SUMMARY_TEXT,
                "evidence_count": 3,
                "created_at": "2026-04-02T14:50:00.000Z",
            }
        }
    )

    id: ReferralId
    case_id: CaseId
    type: ReferralType
    status: ReferralStatus
    urgency: ReferralUrgency
    summary: str
    evidence_count: EvidenceCount
    created_at: Timestamp

    @classmethod
    def of(cls, referral: Referral, evidence_count: int) -> "ReferralCreated":
        return from_attributes(cls, referral, evidence_count=evidence_count)


class ReferralStatusChange(Body):
    """A step of the workflow, named by the status it reaches; fields the document does not name
    are ignored."""

    # The reason and reference number are the workflow's to judge (REASON_REQUIRED and
    # INVALID_REFERENCE_NUMBER answer 422), so only their types are checked here.
    model_config = ConfigDict(extra="ignore", json_schema_extra={"required": ["status"]})

    status: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "enum": [s.value for s in ReferralStatus],
                "description": "pending_review (ask for review), draft (return, with a "
                "reason), submitted (by a person other than the author; a key counts as its "
                "creator), acknowledged (with reference_number), withdrawn (from draft or "
                "review, with a reason)",
            }
        ),
    ] = None
    reason: Annotated[str | None, WithJsonSchema({"type": "string", "maxLength": REASON_MAX})] = (
        None
    )
    reference_number: Annotated[
        str | None, WithJsonSchema({"type": "string", "maxLength": REFERENCE_MAX})
    ] = None

    def step(self) -> Step:
        if self.status is None:
            raise invalid("status is required")
        step = STEP_TO.get(self.status)
        if step is None:
            raise invalid(f"status must be one of {', '.join(STEP_TO)}")
        return step


class ReferralStatusChanged(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": REFERRAL_ID,
                "status": "acknowledged",
                "previous_status": "submitted",
                "submitted_at": SUMMARY["submitted_at"],
                "submitted_by": USER_ID,
                "reference_number": REFERENCE_NUMBER,
            }
        }
    )

    id: ReferralId
    status: ReferralStatus
    previous_status: ReferralStatus
    submitted_at: Timestamp | None
    submitted_by: Submitter | None
    reference_number: str | None

    @classmethod
    def of(cls, referral: Referral, previous: str) -> "ReferralStatusChanged":
        return from_attributes(
            cls, referral, previous_status=previous, submitted_by=_submitted_by(referral)
        )


JSONObject = dict[str, Any]
ISOMoment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class ReferralExport(Body):
    """The document to submit to the authority: the report (frozen once the referral is
    submitted) with its schema version, status and evidence manifest; every object's keys are
    sorted."""

    # Built by `app.referrals.nca`; declared in sorted order so it is sent in that order too.
    accounts: JSONObject = Field(description="Reported and reporting accounts")
    content: list[JSONObject] = Field(description="Each evidence item the referral carries")
    evidence_manifest: list[JSONObject] = Field(
        description="Each item's id, SHA-256 and size, to check what is sent against"
    )
    generated_at: ISOMoment
    hashes: JSONObject = Field(description="Evidence SHA-256s and the platform's own hashes")
    incident: JSONObject = Field(description="The summary, urgency, case and how it was found")
    reference_number: str | None
    referral: JSONObject
    reporter: JSONObject = Field(description="The organisation, person and whom to contact")
    schema_version: Annotated[str, WithJsonSchema({"const": SCHEMA_VERSION})]
    status: ReferralStatus
    submitted_at: ISOMoment | None
    uploads: list[JSONObject] = Field(description="When and from where the content was uploaded")
