"""Batch loads for a page of referrals. They read every referral of the tenant: callers reach
them only through a referral or case they were allowed to see."""

import uuid
from collections.abc import Sequence

from app.kit.db import Database
from app.referrals.repository import ReferralRepository


async def evidence_counts(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[int]:
    async with db.read() as session:
        counts = await ReferralRepository(session, tenant_id, sees_csea=True).evidence_counts(
            list(keys)
        )
    return [counts.get(key, 0) for key in keys]
