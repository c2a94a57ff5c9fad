"""The vector index of knowledge chunks: one HNSW index (cosine) per vector size.

The `embedding` column takes vectors of any size, so a change of embedder never needs a
migration; each size has its own partial index over `embedding::vector(N)`, made when vectors
of that size are first written. Searches name the same expression and predicate, with the size
written into the statement (not a parameter) so the planner can prove the partial index
applies."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Higher than pgvector's default 40: with a tenant filter, each probe of the graph keeps more
# candidates, and iterative scans (below) go on until enough rows pass the filter.
EF_SEARCH = 100


def vector_index_name(dimensions: int) -> str:
    return f"ix_knowledge_chunks_embedding_{dimensions}"


def vector_expression(dimensions: int) -> str:
    return f"(embedding::vector({dimensions}))"


def vector_index_ddl(dimensions: int) -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS {vector_index_name(dimensions)} ON knowledge_chunks "
        f"USING hnsw ({vector_expression(dimensions)} vector_cosine_ops) "
        f"WHERE dimensions = {dimensions}"
    )


async def ensure_vector_index(session: AsyncSession, dimensions: int) -> None:
    """Make the index for `dimensions` if it is missing (only a new embedder's first vectors
    do: the default size's index comes with the schema)."""
    exists = await session.scalar(
        text("SELECT 1 FROM pg_indexes WHERE indexname = :name"),
        {"name": vector_index_name(dimensions)},
    )
    if not exists:
        await session.execute(text(vector_index_ddl(int(dimensions))))


async def scan_settings(session: AsyncSession) -> None:
    """For the transaction's vector searches: filtered HNSW scans that keep going until they
    have found enough rows of the tenant (pgvector's iterative scans), so a small tenant among
    large ones still gets its nearest chunks rather than an empty or partial list."""
    await session.execute(text(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}"))
    await session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
