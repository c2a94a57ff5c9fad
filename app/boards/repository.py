from app.boards.models import Board
from app.kit.repository import TenantRepository


class BoardRepository(TenantRepository[Board]):
    """Boards of one tenant."""

    model = Board

    async def oldest(self) -> Board | None:
        return await self.session.scalar(
            self.readable_statement().order_by(Board.created_at, Board.id).limit(1)
        )

    async def all(self) -> list[Board]:
        rows = await self.session.scalars(self.readable_statement().order_by(Board.name, Board.id))
        return list(rows)
