import uuid
from typing import Any

from sqlalchemy import Select

from app.comments.models import Comment
from app.kit.repository import TenantRepository


class CommentRepository(TenantRepository[Comment]):
    """Comments of one tenant."""

    model = Comment

    async def by_ids(
        self, comment_ids: list[uuid.UUID], *, include_internal: bool = False
    ) -> list[Comment]:
        query = self.readable_statement().where(Comment.id.in_(comment_ids))
        rows = await self.session.scalars(_visible(query, include_internal))
        return list(rows)

    async def for_tickets(
        self, ticket_ids: list[uuid.UUID], *, include_internal: bool
    ) -> list[Comment]:
        query = self.readable_statement().where(Comment.ticket_id.in_(ticket_ids))
        rows = await self.session.scalars(
            _visible(query, include_internal).order_by(Comment.created_at, Comment.id)
        )
        return list(rows)


def _visible(query: Select[Any], include_internal: bool) -> Select[Any]:
    # Readers who may not see internal notes never receive them, not even to filter later.
    return query if include_internal else query.where(Comment.is_internal.is_(False))
