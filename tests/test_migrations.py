"""The migrations are one line of history, and the database they build is what the models
describe: a model changed without a migration (or the reverse) fails here, not in production."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from app.kit.migrate import alembic_config
from app.models import Base
from app.services import Services


def test_the_migrations_have_a_single_head(database_url: str) -> None:
    heads = ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert len(heads) == 1, f"migration branches to merge: {heads}"


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            # pgqueuer's tables come from its own frozen DDL, not from our models.
            "include_object": lambda obj, name, *_: not (name or "").startswith("pgqueuer"),
        },
    )
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_database_matches_the_models(services: Services) -> None:
    async with services.db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []
