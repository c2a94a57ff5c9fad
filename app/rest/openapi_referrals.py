"""Operations and schemas of the /api/v1 referrals: the list, drafting one from a case, its
workflow, and the export document."""

from typing import Any

from app.cases.bodies import CASE_ID, USER_ID
from app.cases.models import ReferralStatus, ReferralType, ReferralUrgency
from app.cases.rest import CASE_PATH_ID
from app.referrals.service import SUMMARY_MAX_BYTES
from app.referrals.states import REASON_MAX, REFERENCE_MAX, ReferralRefused
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    STRING,
    TIMESTAMP,
    TOKEN_OR_KEY,
    Schema,
    closed,
    errors,
    global_id,
    nullable,
    ref,
    values,
)

REFERRAL_ID = "ref_b1c2d3e4-f5a6-7b8c-9d0e-f1a2b3c4d5e6"
SUMMARY_TEXT = (
    "CSEA material detected via PhotoDNA hash match. User account suspended. Evidence "
    "preserved with full chain of custody."
)
REFUSAL_CODES = sorted({kind.code for kind in ReferralRefused.__subclasses__()} | {"CASE_CLOSED"})
PATH_ID: Schema = {
    "name": "referral_id",
    "in": "path",
    "required": True,
    "description": "The referral's global id (`ref_<uuid>`) or its bare UUID",
    "schema": {"type": "string"},
    "example": REFERRAL_ID,
}
SUBMITTER = {
    "anyOf": [global_id("usr", "submitting user"), global_id("key", "submitting API key")],
}

REFERRAL_SCHEMAS: dict[str, Schema] = {
    "ReferralSummary": closed(
        {
            "id": global_id("ref", "referral"),
            "case_id": global_id("cas", "case"),
            "type": {"enum": values(ReferralType)},
            "status": {"enum": values(ReferralStatus)},
            "submitted_at": nullable(TIMESTAMP),
            "submitted_by": nullable(SUBMITTER),
            "reference_number": nullable(STRING),
            "evidence_count": {"type": "integer", "minimum": 0},
            "created_at": TIMESTAMP,
        }
    ),
    "ReferralPage": closed(
        {
            "data": {"type": "array", "items": ref("ReferralSummary")},
            "pagination": ref("Pagination"),
        }
    ),
    "NewReferral": {
        "type": "object",
        "required": ["type", "urgency", "summary"],
        "properties": {
            "type": {"type": "string", "enum": values(ReferralType)},
            "urgency": {"type": "string", "enum": values(ReferralUrgency)},
            "summary": {
                "type": "string",
                "minLength": 1,
                "description": f"What the authority is told; at most {SUMMARY_MAX_BYTES} bytes",
            },
            "contact_details": {
                "type": "object",
                "description": "Whom the authority should contact, overriding the submitter",
            },
        },
    },
    "ReferralCreated": closed(
        {
            "id": global_id("ref", "referral"),
            "case_id": global_id("cas", "case"),
            "type": {"enum": values(ReferralType)},
            "status": {"enum": values(ReferralStatus)},
            "urgency": {"enum": values(ReferralUrgency)},
            "summary": STRING,
            "evidence_count": {"type": "integer", "minimum": 0},
            "created_at": TIMESTAMP,
        }
    ),
    "ReferralStatusChange": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {
                "type": "string",
                "enum": [s.value for s in ReferralStatus],
                "description": "pending_review (ask for review), draft (return, with a "
                "reason), submitted (by a person other than the author; a key counts as its "
                "creator), acknowledged (with "
                "reference_number), withdrawn (from draft or review, with a reason)",
            },
            "reason": {"type": "string", "maxLength": REASON_MAX},
            "reference_number": {"type": "string", "maxLength": REFERENCE_MAX},
        },
    },
    "ReferralStatusChanged": closed(
        {
            "id": global_id("ref", "referral"),
            "status": {"enum": values(ReferralStatus)},
            "previous_status": {"enum": values(ReferralStatus)},
            "submitted_at": nullable(TIMESTAMP),
            "submitted_by": nullable(SUBMITTER),
            "reference_number": nullable(STRING),
        }
    ),
    "ReferralExport": {
        "type": "object",
        "required": [
            "schema_version",
            "generated_at",
            "status",
            "referral",
            "reporter",
            "incident",
            "content",
            "uploads",
            "hashes",
            "accounts",
            "evidence_manifest",
        ],
        "description": "The document to submit to the authority; every object's keys sorted",
    },
}


def _json(description: str, schema_name: str, example: Any) -> Schema:
    media = {"schema": ref(schema_name), "example": example}
    return {"description": description, "content": {"application/json": media}}


def _refused(description: str, codes: list[str], example: dict[str, str]) -> Schema:
    schema = closed({"error": closed({"code": {"enum": codes}, "message": STRING})})
    media = {"schema": schema, "example": {"error": example}}
    return {"description": description, "content": {"application/json": media}}


SUMMARY_EXAMPLE: dict[str, Any] = {
    "id": REFERRAL_ID,
    "case_id": CASE_ID,
    "type": "nca",
    "status": "submitted",
    "submitted_at": "2026-04-02T15:00:00.000Z",
    "submitted_by": USER_ID,
    "reference_number": "NCA-2026-04-0042",
    "evidence_count": 3,
    "created_at": "2026-04-02T14:50:00.000Z",
}
CREATED_EXAMPLE: dict[str, Any] = {
    "id": REFERRAL_ID,
    "case_id": CASE_ID,
    "type": "nca",
    "status": "draft",
    "urgency": "urgent",
    "summary": SUMMARY_TEXT,
    "evidence_count": 3,
    "created_at": "2026-04-02T14:50:00.000Z",
}


def _list() -> Schema:
    page = {
        "data": [SUMMARY_EXAMPLE],
        "pagination": {"cursor": None, "has_more": False, "total": 1},
    }
    status = {"type": "string", "enum": values(ReferralStatus)}
    return {
        "operationId": "listReferrals",
        "tags": ["referrals"],
        "summary": "The tenant's referrals, newest first; those of CSEA cases only for "
        "safeguarding leads and administrators",
        "security": TOKEN_OR_KEY,
        "parameters": [
            {"name": "status", "in": "query", "required": False, "schema": status},
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
        "responses": {
            "200": _json("One page of referrals", "ReferralPage", page),
            **errors(400, 401, 429),
        },
    }


def _create() -> Schema:
    example = {"type": "nca", "urgency": "urgent", "summary": SUMMARY_TEXT}
    return {
        "operationId": "createReferral",
        "tags": ["referrals"],
        "summary": "Draft a referral of a case (safeguarding leads and administrators); it "
        "carries all the case's preserved evidence",
        "security": TOKEN_OR_KEY,
        "parameters": [CASE_PATH_ID],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref("NewReferral"), "example": example}},
        },
        "responses": {
            "201": _json("The draft referral", "ReferralCreated", CREATED_EXAMPLE),
            "422": _refused(
                "INSUFFICIENT_EVIDENCE: a CSEA or NCA referral with no preserved evidence; "
                "CASE_CLOSED: the case is closed",
                ["CASE_CLOSED", "INSUFFICIENT_EVIDENCE"],
                {
                    "code": "INSUFFICIENT_EVIDENCE",
                    "message": "Preserve the case's evidence before referring it",
                },
            ),
            **errors(400, 401, 403, 404, 409, 413, 429),
        },
    }


def _change() -> Schema:
    example = {"status": "acknowledged", "reference_number": "NCA-2026-04-0042"}
    changed = {
        **{key: SUMMARY_EXAMPLE[key] for key in ("id", "submitted_at", "submitted_by")},
        "status": "acknowledged",
        "previous_status": "submitted",
        "reference_number": "NCA-2026-04-0042",
    }
    changed = {key: changed[key] for key in REFERRAL_SCHEMAS["ReferralStatusChanged"]["properties"]}
    return {
        "operationId": "changeReferralStatus",
        "tags": ["referrals"],
        "summary": "Move a referral through its workflow; frozen once submitted but for its "
        "acknowledgement",
        "security": TOKEN_OR_KEY,
        "parameters": [PATH_ID],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ref("ReferralStatusChange"), "example": example}
            },
        },
        "responses": {
            "200": _json("The referral moved", "ReferralStatusChanged", changed),
            "422": _refused(
                "The workflow refuses the step; the referral is unchanged. Codes: "
                "INVALID_REFERRAL_TRANSITION, REFERRAL_LOCKED (submitted), SAME_PERSON_REVIEW "
                "(the author, or a key of theirs, cannot submit), REASON_REQUIRED, "
                "REASON_TOO_LONG, "
                "INVALID_REFERENCE_NUMBER",
                REFUSAL_CODES,
                {"code": "SAME_PERSON_REVIEW", "message": "Submitted by its author"},
            ),
            **errors(400, 401, 403, 404, 413, 429),
        },
    }


def _export() -> Schema:
    return {
        "operationId": "exportReferral",
        "tags": ["referrals"],
        "summary": "The document to submit to the authority (safeguarding leads and "
        "administrators; each export is audited)",
        "security": TOKEN_OR_KEY,
        "parameters": [PATH_ID],
        "responses": {
            "200": {
                "description": "The export document",
                "content": {"application/json": {"schema": ref("ReferralExport")}},
            },
            **errors(401, 403, 404, 429),
        },
    }


def referral_paths() -> dict[str, Schema]:
    return {
        "/api/v1/referrals": {"get": _list()},
        "/api/v1/cases/{case_id}/referrals": {"post": _create()},
        "/api/v1/referrals/{referral_id}/status": {"patch": _change()},
        "/api/v1/referrals/{referral_id}/export": {"get": _export()},
    }
