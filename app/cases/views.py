"""Response bodies of /api/v1/cases, in the API document's shapes and key order."""

from typing import Any

from app.cases.models import CaseTimelineEntry, Referral, SafetyCase
from app.kit.ids import to_global_id
from app.rest.params import timestamp
from app.tickets.models import ActorKind


def _assignee(case: SafetyCase) -> str | None:
    return to_global_id("User", case.assignee_id) if case.assignee_id else None


def _tickets(ticket_ids: list[Any]) -> list[str]:
    return [to_global_id("Ticket", ticket_id) for ticket_id in ticket_ids]


def summary(
    case: SafetyCase, ticket_ids: list[Any], referral: Referral | None, evidence_count: int
) -> dict[str, Any]:
    return {
        "id": to_global_id("SafetyCase", case.id),
        "tenant_id": to_global_id("Tenant", case.tenant_id),
        "case_type": case.case_type,
        "status": case.status,
        "priority": case.priority,
        "subject": case.subject,
        "ticket_ids": _tickets(ticket_ids),
        "assigned_to": _assignee(case),
        "sla_deadline": timestamp(case.sla_deadline),
        "evidence_count": evidence_count,
        "referral_id": to_global_id("Referral", referral.id) if referral else None,
        "created_at": timestamp(case.created_at),
        "updated_at": timestamp(case.updated_at),
    }


def referral_view(referral: Referral) -> dict[str, Any]:
    return {
        "id": to_global_id("Referral", referral.id),
        "case_id": to_global_id("SafetyCase", referral.case_id),
        "type": referral.type,
        "status": referral.status,
        "submitted_at": timestamp(referral.submitted_at) if referral.submitted_at else None,
        "reference_number": referral.reference_number,
        "created_at": timestamp(referral.created_at),
    }


def timeline_item(entry: CaseTimelineEntry) -> dict[str, Any]:
    automated = entry.actor_kind == ActorKind.SYSTEM or not entry.actor_name
    return {
        "type": entry.type,
        "actor": "system" if automated else entry.actor_name,
        "timestamp": timestamp(entry.created_at),
    }


def detail(
    case: SafetyCase,
    ticket_ids: list[Any],
    referral: Referral | None,
    timeline: list[CaseTimelineEntry],
    evidence: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "id": to_global_id("SafetyCase", case.id),
        "tenant_id": to_global_id("Tenant", case.tenant_id),
        "case_type": case.case_type,
        "status": case.status,
        "priority": case.priority,
        "subject": case.subject,
        "description": case.description,
        "ticket_ids": _tickets(ticket_ids),
        "assigned_to": _assignee(case),
        "sla_deadline": timestamp(case.sla_deadline),
        "evidence": evidence,
        "referral": referral_view(referral) if referral else None,
        "timeline": [timeline_item(entry) for entry in timeline],
        "created_at": timestamp(case.created_at),
        "updated_at": timestamp(case.updated_at),
    }


def transitioned(case: SafetyCase, previous: str) -> dict[str, Any]:
    return {
        "id": to_global_id("SafetyCase", case.id),
        "status": case.status,
        "previous_status": previous,
        "updated_at": timestamp(case.updated_at),
    }
