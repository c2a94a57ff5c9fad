"""Audit queries, for administrators only."""

import strawberry

from app.audit import service
from app.audit.hashing import storable_text
from app.audit.repository import AuditRepository, Subjects
from app.audit.types import AuditChainReportType, AuditEntryType
from app.graphql.context import Info
from app.graphql.permissions import IsAdmin
from app.graphql.relay import Connection
from app.kit.listing import page_and_total
from app.kit.pagination import page_size


@strawberry.type
class AuditQueries:
    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Recompute the tenant's audit chain from its first entry and report the "
        "first entry that was changed, removed or reordered, if any.",
    )
    async def verify_audit_chain(self, info: Info) -> AuditChainReportType:
        tenant_id = info.context.require().tenant_id
        async with info.context.services.db.read() as session:
            # One snapshot for the whole walk, so entries committed meanwhile cannot look
            # like a mismatch with the head.
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            report = await service.verify_chain(session, tenant_id)
        return AuditChainReportType.from_report(report)

    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Audit entries, newest first, optionally about one kind of subject or one "
        "subject.",
    )
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        subject_type: str | None = None,
        subject_id: str | None = None,
    ) -> Connection[AuditEntryType]:
        tenant_id, size = info.context.require().tenant_id, page_size(first)
        storable_text(subject_type, "subjectType")
        storable_text(subject_id, "subjectId")
        page, total = await page_and_total(
            info.context.services.db,
            lambda session: AuditRepository(session, tenant_id),
            Subjects(subject_type, subject_id),
            size,
            after,
        )
        return Connection.of(page, AuditEntryType.from_row, total)
