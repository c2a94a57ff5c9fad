"""Indexing through the real queue: an article written is searchable once its job has run, an
edit is indexed again, and a job whose worker died is picked up by the next worker."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import func, select, text

from app.jobs.worker import Worker
from app.knowledge.models import Article, Chunk, EmbeddingStatus
from app.knowledge.search import Scope, search
from app.knowledge.service import INDEX_JOB, ArticleFields, update_article
from app.services import Services
from tests.factories import Factory
from tests.knowledge.helpers import write, writer

WAIT = 20.0


@asynccontextmanager
async def worker(services: Services, **options: object) -> AsyncIterator[Worker]:
    running = Worker(services, **options)  # type: ignore[arg-type]
    running.start()
    try:
        yield running
    finally:
        await running.close(grace=5)


async def article_state(services: Services, article_id: uuid.UUID) -> Article:
    async with services.db.read() as session:
        found = await session.get(Article, article_id)
    assert found is not None
    return found


async def indexed(services: Services, article_id: uuid.UUID, version: int) -> Article:
    """The article once its `version` is indexed; fails after WAIT seconds."""
    for _ in range(int(WAIT / 0.1)):
        article = await article_state(services, article_id)
        if (
            article.embedding_status == EmbeddingStatus.INDEXED
            and article.indexed_version == version
        ):
            return article
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"version {version} of {article_id} was not indexed: {article.embedding_status}"
    )


async def titles_found(services: Services, tenant_id: uuid.UUID, query: str) -> list[str]:
    async with services.db.read() as session:
        found = await search(session, services.embedder, Scope(tenant_id), query, limit=5)
    return [hit.article.title for hit in found.hits]


async def test_a_new_article_is_searchable_once_its_job_has_run(
    services: Services, factory: Factory
) -> None:
    tenant = await factory.tenant()
    article = await write(
        services,
        tenant.id,
        title="Shipping to Norway",
        content="## Delivery times\nParcels to Norway take five to seven working days.",
    )
    assert article.embedding_status == EmbeddingStatus.PENDING
    assert await titles_found(services, tenant.id, "parcel to Norway") == []
    async with worker(services):
        done = await indexed(services, article.id, 1)
    assert done.embedding_model == services.embedder.model
    assert await titles_found(services, tenant.id, "how long does a parcel to Norway take") == [
        "Shipping to Norway"
    ]


async def test_an_edited_article_is_indexed_again_and_keeps_its_updated_time(
    services: Services, factory: Factory
) -> None:
    tenant = await factory.tenant()
    article = await write(
        services, tenant.id, title="Gift cards", content="Gift cards never expire."
    )
    async with worker(services):
        first = await indexed(services, article.id, 1)
        async with services.db.transaction() as work:
            await update_article(
                work.session,
                writer(tenant.id),
                article.id,
                ArticleFields(content="Gift cards can be refunded to the card that paid."),
            )
        edited = await article_state(services, article.id)
        assert edited.embedding_status == EmbeddingStatus.PENDING
        second = await indexed(services, article.id, 2)
    assert second.updated_at == edited.updated_at > first.updated_at
    async with services.db.read() as session:
        bodies = list(
            await session.scalars(select(Chunk.body).where(Chunk.article_id == article.id))
        )
    assert bodies == ["Gift cards can be refunded to the card that paid."]


async def test_a_job_whose_worker_died_is_picked_up_by_the_next_worker(
    services: Services, factory: Factory
) -> None:
    tenant = await factory.tenant()
    article = await write(
        services, tenant.id, title="Lost luggage", content="Report lost luggage within a day."
    )
    # What a worker killed mid-job leaves: the job picked, its heartbeat stopped long ago.
    async with services.db.transaction() as work:
        picked = await work.session.execute(
            text(
                "UPDATE pgqueuer SET status = 'picked', queue_manager_id = gen_random_uuid(), "
                "heartbeat = now() - interval '1 hour' "
                "WHERE entrypoint = :entrypoint AND convert_from(payload, 'UTF8')::jsonb "
                "->> 'article_id' = :article RETURNING id"
            ),
            {"entrypoint": INDEX_JOB, "article": str(article.id)},
        )
        assert len(picked.all()) == 1
    async with worker(services, heartbeat_timeout=timedelta(seconds=1)):
        await indexed(services, article.id, 1)
    async with services.db.read() as session:
        chunks = await session.scalar(
            select(func.count()).select_from(Chunk).where(Chunk.article_id == article.id)
        )
    assert chunks == 1
