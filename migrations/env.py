"""Alembic runs migrations through the same asyncpg engine the app uses."""

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.models import Base

target_metadata = Base.metadata


def ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """The job queue's tables belong to pgqueuer (installed by a migration of their own)."""
    return not (name or "").startswith("pgqueuer")


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=ours,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await engine.dispose()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    asyncio.run(run_online(context.config.get_main_option("sqlalchemy.url") or ""))


main()
