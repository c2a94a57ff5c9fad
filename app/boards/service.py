import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.boards.models import Board
from app.boards.repository import BoardRepository
from app.kit import validation
from app.kit.db import add_unique
from app.kit.errors import Conflict

DEFAULT_BOARD_NAME = "Inbox"


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


async def default_board(session: AsyncSession, tenant_id: uuid.UUID) -> Board:
    """Where tickets that name no board land (the REST API): the tenant's oldest board, or an
    "Inbox" made on first use."""
    boards = BoardRepository(session, tenant_id)
    board = await boards.oldest()
    if board is not None:
        return board
    inbox = Board(tenant_id=tenant_id, name=DEFAULT_BOARD_NAME, description=None)
    try:
        await add_unique(session, inbox, "A board with this name already exists")
    except Conflict:
        # A concurrent first request made the Inbox a moment ago; use that one.
        board = await boards.oldest()
        if board is None:
            raise
        return board
    return inbox
