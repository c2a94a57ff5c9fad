"""Operations and schemas of /api/v1/cases: the case list, one case, and status changes."""

from typing import Any

from app.cases.models import CaseStatus, CaseType, ReferralStatus, ReferralType
from app.cases.states import REASON_MAX, REFUSALS
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    STRING,
    TIMESTAMP,
    Schema,
    closed,
    errors,
    global_id,
    nullable,
    ref,
    values,
)
from app.tickets.models import Priority

TOKEN_OR_KEY: list[Schema] = [{"BearerJWT": []}, {"ApiKeyBearer": []}, {"ApiKeyHeader": []}]
CASE_ID = "cas_e1f2a3b4-c5d6-7e8f-9a0b-c1d2e3f4a5b6"
TENANT_ID = "ten_f1e2d3c4-b5a6-9788-7c6d-5e4f3a2b1c0d"
TICKET_ID = "tkt_3a2b1c0d-9e8f-7a6b-5c4d-3e2f1a0b9c8d"
USER_ID = "usr_c4d5e6f7-a8b9-0c1d-2e3f-4a5b6c7d8e9f"

CASE_PATH_ID: Schema = {
    "name": "case_id",
    "in": "path",
    "required": True,
    "description": "The case's global id (`cas_<uuid>`) or its bare UUID",
    "schema": {"type": "string"},
    "example": CASE_ID,
}
REFUSAL_CODES = [refusal.code for refusal in REFUSALS]

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
    "evidence_count": 0,
    "referral_id": None,
    "created_at": "2026-04-02T14:30:05.000Z",
    "updated_at": "2026-04-02T14:30:05.000Z",
}
DETAIL: dict[str, Any] = {
    **{key: SUMMARY[key] for key in ("id", "tenant_id", "case_type")},
    "status": "investigating",
    **{key: SUMMARY[key] for key in ("priority", "subject")},
    "description": "PhotoDNA hash match on uploaded image.",
    **{key: SUMMARY[key] for key in ("ticket_ids", "assigned_to", "sla_deadline")},
    "evidence": [],
    "referral": None,
    "timeline": [
        {"type": "case_created", "actor": "system", "timestamp": "2026-04-02T14:30:05.000Z"}
    ],
    "created_at": "2026-04-02T14:30:05.000Z",
    "updated_at": "2026-04-02T14:32:10.000Z",
}

COMMON: dict[str, Schema] = {
    "id": global_id("cas", "case"),
    "tenant_id": global_id("ten", "tenant"),
    "case_type": {"enum": values(CaseType)},
    "status": {"enum": values(CaseStatus)},
    "priority": {"enum": values(Priority)},
    "subject": STRING,
}
LINKS: dict[str, Schema] = {
    "ticket_ids": {"type": "array", "items": global_id("tkt", "linked ticket")},
    "assigned_to": nullable(global_id("usr", "assignee")),
    "sla_deadline": TIMESTAMP,
}
CASE_SCHEMAS: dict[str, Schema] = {
    "CaseSummary": closed(
        {
            **COMMON,
            **LINKS,
            "evidence_count": {"type": "integer", "minimum": 0},
            "referral_id": nullable(global_id("ref", "latest referral")),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
    "CasePage": closed(
        {"data": {"type": "array", "items": ref("CaseSummary")}, "pagination": ref("Pagination")}
    ),
    "CaseReferral": closed(
        {
            "id": global_id("ref", "referral"),
            "case_id": global_id("cas", "case"),
            "type": {"enum": values(ReferralType)},
            "status": {"enum": values(ReferralStatus)},
            "submitted_at": {"type": ["string", "null"], "format": "date-time"},
            "reference_number": {"type": ["string", "null"]},
            "created_at": TIMESTAMP,
        }
    ),
    "CaseTimelineEvent": closed(
        {
            "type": STRING,
            "actor": {"type": "string", "description": "`system` or the person's name"},
            "timestamp": TIMESTAMP,
        }
    ),
    "CaseDetail": closed(
        {
            **COMMON,
            "description": {"type": ["string", "null"]},
            **LINKS,
            "evidence": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Preserved evidence; empty until evidence records exist",
            },
            "referral": nullable(ref("CaseReferral")),
            "timeline": {"type": "array", "items": ref("CaseTimelineEvent")},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
    "CaseStatusChange": {
        "type": "object",
        "required": ["status", "reason"],
        "properties": {
            "status": {"type": "string", "enum": values(CaseStatus)},
            "reason": {
                "type": "string",
                "minLength": 1,
                "maxLength": REASON_MAX,
                "description": "Why; recorded on the timeline and in the audit log",
            },
        },
    },
    "CaseStatusChanged": closed(
        {
            "id": global_id("cas", "case"),
            "status": {"enum": values(CaseStatus)},
            "previous_status": {"enum": values(CaseStatus)},
            "updated_at": TIMESTAMP,
        }
    ),
}


def _json(description: str, schema_name: str, example: Any) -> Schema:
    media = {"schema": ref(schema_name), "example": example}
    return {"description": description, "content": {"application/json": media}}


def _choice(name: str, enum: Any, description: str) -> Schema:
    schema = {"type": "string", "enum": values(enum)}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


REFUSED: Schema = {
    "description": "The workflow refuses the change; the case is unchanged. Codes: "
    "INVALID_TRANSITION (no such step for this case), REFERRAL_REQUIRED (a CSEA case without a "
    "submitted referral), CASE_CLOSED (only an administrator reopens, to investigating), "
    "SAME_STATUS, UNKNOWN_STATUS, REASON_REQUIRED, REASON_TOO_LONG",
    "content": {
        "application/json": {
            "schema": closed(
                {"error": closed({"code": {"enum": REFUSAL_CODES}, "message": STRING})}
            ),
            "example": {
                "error": {
                    "code": "REFERRAL_REQUIRED",
                    "message": "A CSEA case can be closed only after a referral has been submitted",
                }
            },
        }
    },
}


def case_paths() -> dict[str, Schema]:
    return {
        "/api/v1/cases": {
            "get": {
                "operationId": "listCases",
                "tags": ["cases"],
                "summary": "The tenant's safety cases, newest first; CSEA cases only for "
                "safeguarding leads and administrators",
                "security": TOKEN_OR_KEY,
                "parameters": [
                    _choice("status", CaseStatus, "Filter by status"),
                    _choice("caseType", CaseType, "Filter by case type"),
                    CURSOR_PARAMETER,
                    LIMIT_PARAMETER,
                ],
                "responses": {
                    "200": _json(
                        "One page of cases",
                        "CasePage",
                        {
                            "data": [SUMMARY],
                            "pagination": {"cursor": None, "has_more": False, "total": 1},
                        },
                    ),
                    **errors(400, 401, 429),
                },
            }
        },
        "/api/v1/cases/{case_id}": {
            "get": {
                "operationId": "getCase",
                "tags": ["cases"],
                "summary": "A case with its tickets, referral and timeline",
                "security": TOKEN_OR_KEY,
                "parameters": [CASE_PATH_ID],
                "responses": {
                    "200": _json("The case", "CaseDetail", DETAIL),
                    **errors(401, 404, 429),
                },
            }
        },
        "/api/v1/cases/{case_id}/status": {
            "patch": {
                "operationId": "changeCaseStatus",
                "tags": ["cases"],
                "summary": "Move a case through its workflow, with a reason",
                "security": TOKEN_OR_KEY,
                "parameters": [CASE_PATH_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": ref("CaseStatusChange"),
                            "example": {
                                "status": "escalated",
                                "reason": "Confirmed CSEA material — escalating to "
                                "safeguarding lead",
                            },
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "The case moved",
                        "CaseStatusChanged",
                        {
                            "id": CASE_ID,
                            "status": "escalated",
                            "previous_status": "investigating",
                            "updated_at": "2026-04-02T14:45:00.000Z",
                        },
                    ),
                    "422": REFUSED,
                    **errors(400, 401, 403, 404, 413, 429),
                },
            }
        },
    }
