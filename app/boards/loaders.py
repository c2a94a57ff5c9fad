import uuid
from collections.abc import Sequence

from app.boards.models import Board
from app.boards.repository import BoardRepository
from app.kit.batching import by_id
from app.kit.db import Database


async def boards(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[Board | None]:
    async with db.read() as session:
        return by_id(await BoardRepository(session, tenant_id).by_ids(list(keys)), keys)
