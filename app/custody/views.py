"""Evidence as the API document's /api/v1/evidence shows it, and as a case's detail lists it."""

from typing import Any

from app.custody.inputs import Evidence, preserved_by
from app.custody.models import EvidenceItem
from app.evidence.store import COMPLIANCE
from app.kit.ids import to_global_id
from app.rest.params import timestamp


def evidence_item(evidence: Evidence) -> dict[str, Any]:
    """The document's fields, in its order. `s3_key` is the storage key whichever store holds
    it, and `object_lock_mode` says how it is locked: COMPLIANCE under S3 Object Lock,
    WRITE_ONCE where Haven itself refuses every change."""
    item = evidence.item
    return {
        "id": to_global_id("EvidenceItem", item.id),
        "case_id": to_global_id("SafetyCase", item.case_id),
        "type": item.type,
        "description": item.description,
        "content_type": item.content_type,
        "size_bytes": item.size,
        "hash_sha256": item.sha256,
        "s3_key": item.storage_key,
        "object_lock_mode": item.retention_mode,
        "object_lock_retain_until": timestamp(item.retain_until) if item.retain_until else None,
        "preserved_at": timestamp(item.preserved_at),
        "preserved_by": preserved_by(item.preserved_by_kind, item.preserved_by_name),
        "created_at": timestamp(item.created_at),
    }


def case_evidence(item: EvidenceItem) -> dict[str, Any]:
    """The short form a case's detail lists (`evidence` in GET /api/v1/cases/{id})."""
    return {
        "id": to_global_id("EvidenceItem", item.id),
        "type": item.type,
        "preserved_at": timestamp(item.preserved_at),
        "s3_object_lock": item.retention_mode == COMPLIANCE,
    }
