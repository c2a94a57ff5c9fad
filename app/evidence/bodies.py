"""Bodies of /api/v1/evidence as typed models, in the API document's shape and key order, with
its example; they serialize the answers and describe them in the generated document."""

from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from app.cases.bodies import CASE_ID, EVIDENCE_ID
from app.evidence.inputs import Evidence
from app.evidence.models import EvidenceType
from app.kit.actors import shown_name
from app.kit.attributes import from_attributes
from app.rest.types import Body, CaseId, EvidenceId, Page, Timestamp
from app.storage.store import COMPLIANCE, WRITE_ONCE

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


class EvidenceItem(Body):
    """`s3_key` is the storage key whichever store holds the content, and `object_lock_mode`
    says how it is locked."""

    id: EvidenceId
    case_id: CaseId
    type: EvidenceType
    description: str
    content_type: str
    size_bytes: int = Field(ge=0)
    hash_sha256: str = Field(pattern="^[0-9a-f]{64}$")
    s3_key: str = Field(description="Where the content is stored")
    object_lock_mode: Annotated[
        str,
        WithJsonSchema(
            {
                "enum": [COMPLIANCE, WRITE_ONCE],
                "description": "COMPLIANCE under S3 Object Lock; WRITE_ONCE where Haven itself "
                "refuses every change (the local store)",
            }
        ),
    ]
    object_lock_retain_until: Timestamp | None
    preserved_at: Timestamp
    preserved_by: str = Field(description="`system` or the person's name")
    created_at: Timestamp

    @classmethod
    def of(cls, evidence: Evidence) -> "EvidenceItem":
        item = evidence.item
        return from_attributes(
            cls,
            item,
            size_bytes=item.size,
            hash_sha256=item.sha256,
            s3_key=item.storage_key,
            object_lock_mode=item.retention_mode,
            object_lock_retain_until=item.retain_until,
            preserved_by=shown_name(item.preserved_by_kind, item.preserved_by_name),
        )


class EvidencePage(Page[EvidenceItem]):
    model_config = Page.one_row_example(ITEM)
