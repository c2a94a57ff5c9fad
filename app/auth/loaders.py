import uuid
from collections.abc import Sequence

from app.auth.models import User
from app.auth.repository import UserRepository
from app.kit.batching import by_id
from app.kit.db import Database


async def users(db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]) -> list[User | None]:
    async with db.read() as session:
        return by_id(await UserRepository(session, tenant_id).by_ids(list(keys)), keys)
