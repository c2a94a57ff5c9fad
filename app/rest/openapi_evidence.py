"""Operations and schemas of /api/v1/evidence: a case's evidence and an item's content."""

from typing import Any

from app.custody.inputs import REASON_MAX
from app.custody.models import EvidenceType
from app.evidence.store import COMPLIANCE, WRITE_ONCE
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    STRING,
    TIMESTAMP,
    Schema,
    closed,
    errors,
    global_id,
    ref,
    values,
)

TOKEN_OR_KEY: list[Schema] = [{"BearerJWT": []}, {"ApiKeyBearer": []}, {"ApiKeyHeader": []}]
EVIDENCE_ID = "evi_f1a2b3c4-d5e6-7f8a-9b0c-d1e2f3a4b5c6"
CASE_ID = "cas_e1f2a3b4-c5d6-7e8f-9a0b-c1d2e3f4a5b6"
SHA256 = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2"

ITEM: dict[str, Any] = {
    "id": EVIDENCE_ID,
    "case_id": CASE_ID,
    "type": "image_hash",
    "description": "PhotoDNA hash match — original image preserved",
    "content_type": "image/jpeg",
    "size_bytes": 245760,
    "hash_sha256": SHA256,
    "s3_key": f"sha256/a1/{SHA256}",
    "object_lock_mode": "COMPLIANCE",
    "object_lock_retain_until": "2033-04-02T14:30:03.000Z",
    "preserved_at": "2026-04-02T14:30:03.000Z",
    "preserved_by": "system",
    "created_at": "2026-04-02T14:30:03.000Z",
}

EVIDENCE_SCHEMAS: dict[str, Schema] = {
    "EvidenceItem": closed(
        {
            "id": global_id("evi", "evidence item"),
            "case_id": global_id("cas", "case"),
            "type": {"enum": values(EvidenceType)},
            "description": STRING,
            "content_type": STRING,
            "size_bytes": {"type": "integer", "minimum": 0},
            "hash_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "s3_key": {"type": "string", "description": "Where the content is stored"},
            "object_lock_mode": {
                "enum": [COMPLIANCE, WRITE_ONCE],
                "description": "COMPLIANCE under S3 Object Lock; WRITE_ONCE where Haven itself "
                "refuses every change (the local store)",
            },
            "object_lock_retain_until": {"type": ["string", "null"], "format": "date-time"},
            "preserved_at": TIMESTAMP,
            "preserved_by": {"type": "string", "description": "`system` or the person's name"},
            "created_at": TIMESTAMP,
        }
    ),
    "EvidencePage": closed(
        {"data": {"type": "array", "items": ref("EvidenceItem")}, "pagination": ref("Pagination")}
    ),
}


def _reason(required: bool, description: str) -> Schema:
    return {
        "name": "reason",
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "maxLength": REASON_MAX},
    }


def evidence_paths() -> dict[str, Schema]:
    return {
        "/api/v1/evidence": {
            "get": {
                "operationId": "listEvidence",
                "tags": ["evidence"],
                "summary": "A case's evidence, oldest first. Every item listed is recorded in "
                "its chain of custody with the caller, time, address and client",
                "security": TOKEN_OR_KEY,
                "parameters": [
                    {
                        "name": "case_id",
                        "in": "query",
                        "required": True,
                        "description": "The case's global id (`cas_<uuid>`) or its bare UUID",
                        "schema": STRING,
                        "example": CASE_ID,
                    },
                    CURSOR_PARAMETER,
                    LIMIT_PARAMETER,
                    _reason(False, "Why the list is read, recorded in custody"),
                ],
                "responses": {
                    "200": {
                        "description": "One page of evidence",
                        "content": {
                            "application/json": {
                                "schema": ref("EvidencePage"),
                                "example": {
                                    "data": [ITEM],
                                    "pagination": {"cursor": None, "has_more": False, "total": 1},
                                },
                            }
                        },
                    },
                    **errors(400, 401, 404, 429),
                },
            }
        },
        "/api/v1/evidence/{evidence_id}/content": {
            "get": {
                "operationId": "downloadEvidence",
                "tags": ["evidence"],
                "summary": "An item's content, sent only once its SHA-256 matches the record; "
                "recorded in custody as a download. Viewers may not download content",
                "security": TOKEN_OR_KEY,
                "parameters": [
                    {
                        "name": "evidence_id",
                        "in": "path",
                        "required": True,
                        "description": "The item's global id (`evi_<uuid>`) or its bare UUID",
                        "schema": STRING,
                        "example": EVIDENCE_ID,
                    },
                    _reason(True, "Why the content is read, recorded in custody"),
                ],
                "responses": {
                    "200": {
                        "description": "The content as preserved, with its media type",
                        "headers": {
                            "Repr-Digest": {
                                "description": "`sha-256=:<base64>:` of the content",
                                "schema": STRING,
                            },
                            "Digest": {
                                "description": "`SHA-256=<base64>`, for older clients",
                                "schema": STRING,
                            },
                        },
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    "409": {
                        "description": "EVIDENCE_TAMPERED: the stored bytes no longer match "
                        "the record; the attempt is recorded in custody",
                        "content": {
                            "application/json": {
                                "schema": closed(
                                    {
                                        "error": closed(
                                            {
                                                "code": {"const": "EVIDENCE_TAMPERED"},
                                                "message": STRING,
                                            }
                                        )
                                    }
                                ),
                                "example": {
                                    "error": {
                                        "code": "EVIDENCE_TAMPERED",
                                        "message": "Evidence failed its integrity check",
                                    }
                                },
                            }
                        },
                    },
                    **errors(400, 401, 403, 404, 429),
                },
            }
        },
    }
