"""GraphQL types of evidence records and their chain of custody."""

import uuid
from datetime import datetime

import strawberry

from app.evidence.inputs import Evidence, Origin
from app.evidence.models import CustodyAction, CustodyEntry, EvidenceSource, EvidenceType
from app.evidence.service import Custody
from app.graphql.actors import ActorKind
from app.graphql.context import Info
from app.graphql.per_viewer import RECORDS_EACH_VIEWER
from app.kit.actors import actor_global_id, shown_name
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id

strawberry.enum(EvidenceType, name="EvidenceType", description="What a piece of evidence is.")
strawberry.enum(
    EvidenceSource, name="EvidenceSource", description="Where preserved evidence came from."
)
strawberry.enum(CustodyAction, name="CustodyAction", description="What was done with evidence.")


@strawberry.type(name="CustodyEntry", description="One access to evidence, as recorded.")
class CustodyEntryType:
    action: CustodyAction = strawberry.field(description="What was done.")
    actor_kind: ActorKind = strawberry.field(description="Who did it: a user or an API key.")
    actor_id: strawberry.ID | None = strawberry.field(description="Their global id.")
    actor_name: str | None = strawberry.field(description="Their display name.")
    reason: str | None = strawberry.field(description="Why, as they gave it.")
    ip: str | None = strawberry.field(description="The address the request came from.")
    user_agent: str | None = strawberry.field(description="The client it came from.")
    at: datetime = strawberry.field(description="When.")

    @classmethod
    def from_row(cls, row: CustodyEntry) -> "CustodyEntryType":
        return from_attributes(
            cls,
            row,
            action=CustodyAction(row.action),
            actor_kind=ActorKind(row.actor_kind),
            actor_id=actor_global_id(row.actor_kind, row.actor_id),
            at=row.created_at,
        )


@strawberry.type(
    name="EvidenceItem",
    description="Content preserved on a safety case: never changed or deleted, re-hashed on "
    "every download, and every access to it recorded in its chain of custody.",
)
class EvidenceItemType:
    id: strawberry.ID = strawberry.field(description="Global id (`evi_<uuid>`).")
    case_id: strawberry.ID = strawberry.field(description="The case it was preserved on.")
    type: EvidenceType = strawberry.field(description="What it is.")
    description: str = strawberry.field(description="What it shows, as the preserver put it.")
    content_type: str = strawberry.field(description="Media type of the content.")
    size: int = strawberry.field(description="Content length in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the content, hex.")
    storage_key: str = strawberry.field(description="Where the content is stored.")
    version_id: str | None = strawberry.field(description="The stored object's version.")
    retention_mode: str = strawberry.field(
        description="COMPLIANCE where the storage refuses deletes (S3 Object Lock), WRITE_ONCE "
        "where Haven does."
    )
    retain_until: datetime | None = strawberry.field(description="Kept at least until then.")
    legal_hold: bool = strawberry.field(description="Whether it is under legal hold now.")
    source: EvidenceSource = strawberry.field(description="An upload or a platform event.")
    source_event_id: str | None = strawberry.field(description="The platform event's id.")
    preserved_by: str = strawberry.field(description="Who preserved it (`system` for Haven).")
    preserved_at: datetime = strawberry.field(description="When it was preserved.")
    pk: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, evidence: Evidence) -> "EvidenceItemType":
        item = evidence.item
        return from_attributes(
            cls,
            item,
            id=strawberry.ID(to_global_id("EvidenceItem", item.id)),
            case_id=strawberry.ID(to_global_id("SafetyCase", item.case_id)),
            type=EvidenceType(item.type),
            legal_hold=evidence.legal_hold,
            source=EvidenceSource(item.source),
            preserved_by=shown_name(item.preserved_by_kind, item.preserved_by_name),
            pk=item.id,
        )

    @strawberry.field(
        description="Every access to this item, oldest first; administrators and safeguarding "
        "leads only (FORBIDDEN to others).",
        metadata=RECORDS_EACH_VIEWER,
    )
    async def custody(self, info: Info) -> list[CustodyEntryType]:
        custody = Custody(info.context.services.db, info.context.require(), origin_of(info))
        return [CustodyEntryType.from_row(row) for row in await custody.custody_of(self.pk)]


def origin_of(info: Info) -> Origin:
    connection = info.context.connection
    if connection is None:
        return Origin()
    host = connection.client.host if connection.client else None
    return Origin.of(host, connection.headers.get("user-agent"))


@strawberry.input(description="Content to preserve on a case.")
class PreserveEvidenceInput:
    case_id: strawberry.ID = strawberry.field(description="The case (`cas_<uuid>`).")
    type: EvidenceType = strawberry.field(description="What it is.")
    description: str = strawberry.field(description="What it shows (1 to 2000 characters).")
    content_base64: str = strawberry.field(
        description="The content, base64; at most HAVEN_EVIDENCE_MAX_BYTES bytes decoded."
    )
    content_type: str = strawberry.field(description="Its media type, e.g. image/jpeg.")
    reason: str = strawberry.field(description="Why it is preserved (recorded in custody).")


@strawberry.input(description="A received platform event to preserve on a case, as sent.")
class PreserveWebhookEvidenceInput:
    case_id: strawberry.ID = strawberry.field(description="The case (`cas_<uuid>`).")
    event_id: str = strawberry.field(description="The event's `event_id`.")
    reason: str = strawberry.field(description="Why it is preserved (recorded in custody).")


@strawberry.input(description="Put evidence under legal hold or release it.")
class SetEvidenceLegalHoldInput:
    id: strawberry.ID = strawberry.field(description="The item (`evi_<uuid>`).")
    on: bool = strawberry.field(description="True to hold, false to release.")
    reason: str = strawberry.field(description="Why (recorded in custody).")


@strawberry.type(description="The evidence item preserved or changed.")
class EvidencePayload:
    evidence: EvidenceItemType = strawberry.field(description="The item.")
