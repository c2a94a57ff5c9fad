from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.boards.models import Board
from app.kit import validation
from app.kit.db import add_unique


async def create_board(
    session: AsyncSession, principal: Principal, *, name: str, description: str | None
) -> Board:
    """A new board; names are unique within a tenant."""
    board = Board(
        tenant_id=principal.tenant_id,
        name=validation.title(name, "name"),
        description=validation.text(description, "description"),
    )
    await add_unique(session, board, "A board with this name already exists")
    return board
