import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.comments.models import Comment


class CommentRepository:
    """Comments of one tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    async def get(self, comment_id: uuid.UUID) -> Comment | None:
        return await self.session.scalar(
            select(Comment).where(Comment.id == comment_id, Comment.tenant_id == self.tenant_id)
        )

    async def by_ids(
        self, comment_ids: list[uuid.UUID], *, include_internal: bool
    ) -> list[Comment]:
        query = select(Comment).where(
            Comment.id.in_(comment_ids), Comment.tenant_id == self.tenant_id
        )
        rows = await self.session.scalars(_visible(query, include_internal))
        return list(rows)

    async def for_tickets(
        self, ticket_ids: list[uuid.UUID], *, include_internal: bool
    ) -> list[Comment]:
        query = select(Comment).where(
            Comment.ticket_id.in_(ticket_ids), Comment.tenant_id == self.tenant_id
        )
        rows = await self.session.scalars(
            _visible(query, include_internal).order_by(Comment.created_at, Comment.id)
        )
        return list(rows)


def _visible(query: Select[Comment], include_internal: bool) -> Select[Comment]:
    # Readers who may not see internal notes never receive them, not even to filter later.
    return query if include_internal else query.where(Comment.is_internal.is_(False))
