"""Building and reading audit chains straight through the service."""

import uuid

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.service import ChainReport, record, verify_chain
from app.kit.actors import SYSTEM
from app.services import Services


async def fill(services: Services, tenant_id: uuid.UUID, count: int) -> None:
    """`count` entries, each in its own transaction, as a busy tenant would write them."""
    for number in range(count):
        async with services.db.transaction() as work:
            await record(
                work.session,
                tenant_id,
                SYSTEM,
                "evidence.viewed",
                "Evidence",
                f"evi_{number}",
                {"number": number, "note": f"read {number}"},
                ip="203.0.113.7",
                reason=None if number % 2 else f"review {number}",
            )


async def entries(services: Services, tenant_id: uuid.UUID) -> list[AuditEntry]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.seq)
        )
        return list(rows)


async def verify(services: Services, tenant_id: uuid.UUID) -> ChainReport:
    async with services.db.read() as session:
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return await verify_chain(session, tenant_id)
