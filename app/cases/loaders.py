"""Batch loads for a page of cases. They read every case of the tenant: callers reach them only
through a case they were allowed to see (`visible_case`)."""

import uuid
from collections.abc import Sequence

from app.cases.models import CaseTimelineEntry, SafetyCase
from app.cases.repository import CaseRepository
from app.kit.batching import by_id, grouped
from app.kit.db import Database
from app.referrals.models import Referral
from app.tickets.models import Ticket


async def cases(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[SafetyCase | None]:
    async with db.read() as session:
        rows = await CaseRepository(session, tenant_id, sees_csea=True).by_ids(list(keys))
    return by_id(rows, keys)


async def tickets(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[list[Ticket]]:
    async with db.read() as session:
        pairs = await CaseRepository(session, tenant_id, sees_csea=True).linked_tickets(list(keys))
    found: dict[uuid.UUID, list[Ticket]] = {}
    for case_id, ticket in pairs:
        found.setdefault(case_id, []).append(ticket)
    return [found.get(key, []) for key in keys]


async def timelines(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[list[CaseTimelineEntry]]:
    async with db.read() as session:
        rows = await CaseRepository(session, tenant_id, sees_csea=True).timelines(list(keys))
    return grouped(rows, keys, "case_id")


async def referrals(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[list[Referral]]:
    async with db.read() as session:
        rows = await CaseRepository(session, tenant_id, sees_csea=True).referrals(list(keys))
    return grouped(rows, keys, "case_id")
