"""Response bodies of /api/v1 referrals, in the API document's shapes and key order."""

from typing import Any

from app.cases.models import Referral
from app.kit.ids import to_global_id
from app.rest.params import timestamp

ACTOR_TYPES = {"user": "User", "api_key": "ApiKey"}


def _submitted_by(referral: Referral) -> str | None:
    type_name = ACTOR_TYPES.get(referral.submitted_by_kind or "")
    if type_name is None or referral.submitted_by_id is None:
        return None
    return to_global_id(type_name, referral.submitted_by_id)


def _moment(value: Any) -> str | None:
    return timestamp(value) if value else None


def summary(referral: Referral, evidence_count: int) -> dict[str, Any]:
    return {
        "id": to_global_id("Referral", referral.id),
        "case_id": to_global_id("SafetyCase", referral.case_id),
        "type": referral.type,
        "status": referral.status,
        "submitted_at": _moment(referral.submitted_at),
        "submitted_by": _submitted_by(referral),
        "reference_number": referral.reference_number,
        "evidence_count": evidence_count,
        "created_at": timestamp(referral.created_at),
    }


def created(referral: Referral, evidence_count: int) -> dict[str, Any]:
    return {
        "id": to_global_id("Referral", referral.id),
        "case_id": to_global_id("SafetyCase", referral.case_id),
        "type": referral.type,
        "status": referral.status,
        "urgency": referral.urgency,
        "summary": referral.summary,
        "evidence_count": evidence_count,
        "created_at": timestamp(referral.created_at),
    }


def moved(referral: Referral, previous: str) -> dict[str, Any]:
    return {
        "id": to_global_id("Referral", referral.id),
        "status": referral.status,
        "previous_status": previous,
        "submitted_at": _moment(referral.submitted_at),
        "submitted_by": _submitted_by(referral),
        "reference_number": referral.reference_number,
    }
