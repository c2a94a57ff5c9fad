"""Evidence records on safety cases and their chain of custody.

Both tables are append-only, enforced by database triggers: a preserved item is never changed or
removed (its legal hold changes are custody entries, applied in the store), and neither is any
entry of the log that says who touched it. Neither table cascades from its tenant or case, so
neither can be deleted from under its evidence."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.actors import ActorKind
from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, same_tenant


class EvidenceType(StrEnum):
    IMAGE_HASH = "image_hash"
    MESSAGE = "message"
    IMAGE = "image"
    FILE = "file"
    WEBHOOK_PAYLOAD = "webhook_payload"
    SCREENSHOT = "screenshot"
    OTHER = "other"


class EvidenceSource(StrEnum):
    UPLOAD = "upload"
    WEBHOOK_EVENT = "webhook_event"


class CustodyAction(StrEnum):
    PRESERVED = "preserved"
    LISTED = "listed"
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"
    LEGAL_HOLD_ON = "legal_hold_on"
    LEGAL_HOLD_OFF = "legal_hold_off"
    TAMPER_DETECTED = "tamper_detected"


class EvidenceItem(RecordMixin, Base):
    """One preserved object, as it was when preserved. `storage_key` addresses the bytes by
    their SHA-256, so identical content preserved twice shares one stored object."""

    __tablename__ = "evidence_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_evidence_items_tenant_id"),
        same_tenant("case_id", "safety_cases", name="fk_evidence_items_case"),
        check_in("type", EvidenceType),
        check_in("source", EvidenceSource),
        check_in("preserved_by_kind", ActorKind),
        Index("ix_evidence_items_case", "tenant_id", "case_id", "created_at", "id"),
        Index("ix_evidence_items_storage_key", "storage_key"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    case_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[str | None] = mapped_column(String(200))
    retention_mode: Mapped[str] = mapped_column(String(20))
    retain_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    legal_hold: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(20))
    # The platform event a webhook payload came from.
    source_event_id: Mapped[str | None] = mapped_column(String(200))
    preserved_by_kind: Mapped[str] = mapped_column(String(20))
    preserved_by_id: Mapped[uuid.UUID | None]
    preserved_by_name: Mapped[str | None] = mapped_column(String(200))
    preserved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustodyEntry(RecordMixin, Base):
    """One access to evidence: who, what, when, why and from where. `evidence_id` is empty for
    a list that found nothing, so that access is on record too."""

    __tablename__ = "evidence_custody"
    __table_args__ = (
        same_tenant("evidence_id", "evidence_items", name="fk_evidence_custody_item"),
        same_tenant("case_id", "safety_cases", name="fk_evidence_custody_case"),
        check_in("action", CustodyAction),
        check_in("actor_kind", ActorKind),
        Index("ix_evidence_custody_item", "tenant_id", "evidence_id", "created_at"),
        Index("ix_evidence_custody_case", "tenant_id", "case_id", "created_at"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    evidence_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(30))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))
