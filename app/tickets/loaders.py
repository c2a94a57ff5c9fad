import uuid
from collections.abc import Sequence

from app.kit.batching import by_id, grouped
from app.kit.db import Database
from app.tickets.models import Ticket, TimelineEntry
from app.tickets.repository import TicketRepository


async def tickets(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[Ticket | None]:
    async with db.read() as session:
        return by_id(await TicketRepository(session, tenant_id).by_ids(list(keys)), keys)


async def timelines(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[list[TimelineEntry]]:
    async with db.read() as session:
        rows = await TicketRepository(session, tenant_id).timelines(list(keys))
    return grouped(rows, keys, "ticket_id")
