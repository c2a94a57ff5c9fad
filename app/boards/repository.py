import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boards.models import Board


class BoardRepository:
    """Boards of one tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    async def get(self, board_id: uuid.UUID) -> Board | None:
        return await self.session.scalar(
            select(Board).where(Board.id == board_id, Board.tenant_id == self.tenant_id)
        )

    async def by_ids(self, board_ids: list[uuid.UUID]) -> list[Board]:
        rows = await self.session.scalars(
            select(Board).where(Board.id.in_(board_ids), Board.tenant_id == self.tenant_id)
        )
        return list(rows)

    async def oldest(self) -> Board | None:
        return await self.session.scalar(
            select(Board)
            .where(Board.tenant_id == self.tenant_id)
            .order_by(Board.created_at, Board.id)
            .limit(1)
        )

    async def all(self) -> list[Board]:
        rows = await self.session.scalars(
            select(Board).where(Board.tenant_id == self.tenant_id).order_by(Board.name, Board.id)
        )
        return list(rows)
