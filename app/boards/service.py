from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.boards.models import Board
from app.kit import validation
from app.kit.errors import Conflict


async def create_board(
    session: AsyncSession, principal: Principal, *, name: str, description: str | None
) -> Board:
    """A new board; names are unique within a tenant."""
    board = Board(
        tenant_id=principal.tenant_id,
        name=validation.title(name, "name"),
        description=validation.text(description, "description"),
    )
    try:
        async with session.begin_nested():
            session.add(board)
            await session.flush()
    except IntegrityError:
        raise Conflict("A board with this name already exists") from None
    return board
