import uuid
from collections.abc import Sequence

from app.comments.models import Comment
from app.comments.repository import CommentRepository
from app.kit.batching import by_id, grouped
from app.kit.db import Database


async def comments_by_ticket(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID], *, include_internal: bool
) -> list[list[Comment]]:
    async with db.read() as session:
        rows = await CommentRepository(session, tenant_id).for_tickets(
            list(keys), include_internal=include_internal
        )
    return grouped(rows, keys, "ticket_id")


async def comments(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID], *, include_internal: bool
) -> list[Comment | None]:
    async with db.read() as session:
        rows = await CommentRepository(session, tenant_id).by_ids(
            list(keys), include_internal=include_internal
        )
    return by_id(rows, keys)
