import uuid
from collections.abc import Sequence

from app.comments.models import Comment
from app.comments.repository import CommentRepository
from app.kit.batching import by_id, grouped
from app.kit.db import Database


async def comments_by_ticket(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[list[Comment]]:
    async with db.read() as session:
        rows = await CommentRepository(session, tenant_id).for_tickets(list(keys))
    return grouped(rows, keys, "ticket_id")


async def comments(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[Comment | None]:
    async with db.read() as session:
        return by_id(await CommentRepository(session, tenant_id).by_ids(list(keys)), keys)
