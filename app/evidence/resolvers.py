"""Evidence queries and mutations. There is no mutation that changes or removes evidence; the
content itself is downloaded over REST (GET /api/v1/evidence/{id}/content), as bytes."""

import uuid

import strawberry

from app.evidence.inputs import Upload, decode_content
from app.evidence.service import Custody
from app.evidence.types import (
    EvidenceItemType,
    EvidencePayload,
    PreserveEvidenceInput,
    PreserveWebhookEvidenceInput,
    SetEvidenceLegalHoldInput,
    origin_of,
)
from app.graphql.context import Info
from app.graphql.permissions import CanWrite, IsAuthenticated
from app.graphql.relay import Connection
from app.kit.ids import expect_global_id
from app.kit.pagination import page_size


def _custody(info: Info) -> Custody:
    return Custody(info.context.services.db, info.context.require(), origin_of(info))


async def case_evidence(
    info: Info, case_id: uuid.UUID, first: int | None, after: str | None, reason: str | None
) -> Connection[EvidenceItemType]:
    """One page of a case's evidence, each listed item recorded in its chain of custody."""
    listing = await _custody(info).listing(case_id, page_size(first), after, reason)

    async def counter() -> int:
        return listing.total

    return Connection.of(listing.page, EvidenceItemType.of, counter)


@strawberry.type
class EvidenceQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="A case's evidence, oldest first. Each item listed (or the case, when it "
        "has none) is recorded in the chain of custody with the caller, time and address.",
    )
    async def evidence(
        self,
        info: Info,
        case_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        reason: str | None = None,
    ) -> Connection[EvidenceItemType]:
        return await case_evidence(
            info, expect_global_id(case_id, "SafetyCase"), first, after, reason
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="One evidence item's record, with the reason for looking (recorded in "
        "its chain of custody as `viewed`).",
    )
    async def evidence_item(self, info: Info, id: strawberry.ID, reason: str) -> EvidenceItemType:
        evidence = await _custody(info).view(expect_global_id(id, "EvidenceItem"), reason)
        return EvidenceItemType.of(evidence)


@strawberry.type
class EvidenceMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Preserve content on a case: stored write-once under its SHA-256 and kept "
        "for the retention period.",
    )
    async def preserve_evidence(self, info: Info, input: PreserveEvidenceInput) -> EvidencePayload:
        services = info.context.services
        custody = _custody(info)
        upload = Upload(
            case_id=expect_global_id(input.case_id, "SafetyCase"),
            type=input.type,
            description=input.description,
            content_type=input.content_type,
            content=decode_content(input.content_base64, services.settings.evidence_max_bytes),
            reason=input.reason,
        )
        evidence = await custody.preserve_upload(services.evidence, upload)
        return EvidencePayload(evidence=EvidenceItemType.of(evidence))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Preserve a received platform event, as it was sent, on a case.",
    )
    async def preserve_webhook_evidence(
        self, info: Info, input: PreserveWebhookEvidenceInput
    ) -> EvidencePayload:
        case_id = expect_global_id(input.case_id, "SafetyCase")
        evidence = await _custody(info).preserve_webhook_event(
            info.context.services.evidence, case_id, input.event_id, input.reason
        )
        return EvidencePayload(evidence=EvidenceItemType.of(evidence))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Put evidence under legal hold or release it (administrators and "
        "safeguarding leads).",
    )
    async def set_evidence_legal_hold(
        self, info: Info, input: SetEvidenceLegalHoldInput
    ) -> EvidencePayload:
        evidence = await _custody(info).set_legal_hold(
            info.context.services.evidence,
            expect_global_id(input.id, "EvidenceItem"),
            input.on,
            input.reason,
        )
        return EvidencePayload(evidence=EvidenceItemType.of(evidence))
