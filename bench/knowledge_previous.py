"""The search strategy this one replaced, for a comparison in the same process (the machine's
other work makes figures from separate runs hard to compare): the vector list through HNSW
for every tenant at `hnsw.ef_search` 100, and the indexes of the knowledge base's first
migration: a GIN index on the search document alone, no B-tree on the tenant, and the HNSW
graph built with pgvector's defaults. The benchmark switches to those indexes (rebuilding the
graph), measures, and switches back."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from unittest import mock

from sqlalchemy import text
from sqlalchemy.schema import CreateIndex, Index

from app.knowledge import search as knowledge
from app.knowledge.models import Chunk
from app.services import Services
from bench.knowledge_corpus import BUILD_MEMORY
from bench.knowledge_recall import path

EF_SEARCH = 100
PREVIOUS = {
    "ix_knowledge_chunks_search": "CREATE INDEX ix_knowledge_chunks_search ON knowledge_chunks "
    "USING gin (search)",
    "ix_knowledge_chunks_embedding_256": "CREATE INDEX ix_knowledge_chunks_embedding_256 ON "
    "knowledge_chunks USING hnsw ((embedding::vector(256)) vector_cosine_ops) "
    "WHERE dimensions = 256",
}
# The one chunk index search did not change.
UNCHANGED = "ix_knowledge_chunks_article"


def _shipped_indexes() -> list[Index]:
    """The chunk indexes search has now, as the models define them."""
    table = Chunk.metadata.tables[Chunk.__tablename__]
    return [index for index in table.indexes if index.name != UNCHANGED]


async def _switched(services: Services, dropped: list[str], made: list[Any]) -> None:
    async with services.db.transaction() as work:
        await work.session.execute(text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
        for name in dropped:
            await work.session.execute(text(f"DROP INDEX {name}"))
        for statement in made:
            await work.session.execute(statement)
        await work.session.execute(text("ANALYZE knowledge_chunks"))


async def _uncounted(*_: object) -> int:
    """Every scope holds at least one chunk: above a cut-off of 0, so HNSW."""
    return 1


@asynccontextmanager
async def previous_strategy(services: Services) -> AsyncIterator[None]:
    """Search as it was, for the duration."""
    shipped = _shipped_indexes()
    await _switched(services, [str(i.name) for i in shipped], [text(s) for s in PREVIOUS.values()])
    try:
        with path(0, EF_SEARCH), mock.patch.object(knowledge, "scope_size", _uncounted):
            yield
    finally:
        await _switched(services, list(PREVIOUS), [CreateIndex(i) for i in shipped])
