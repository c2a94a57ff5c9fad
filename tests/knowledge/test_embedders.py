"""The embedders: the HTTP provider against a local stand-in speaking its protocol (with the
real client path), and the local default, which must work with no network at all."""

import dataclasses
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.kit.outbound import Outbound
from app.kit.settings import Settings
from app.knowledge.embedders import EmbeddingFailed, HttpEmbedder
from app.knowledge.models import EmbeddingStatus
from app.knowledge.service import INDEX_JOB
from app.knowledge.tasks import run_index_job
from app.services import Services
from tests.factories import Factory
from tests.knowledge.embeddings_stand_in import StandIn, vector_of
from tests.knowledge.helpers import write
from tests.realtime.conftest import serving


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[StandIn, str]]:
    found = StandIn()
    async with serving(found.app(), lifespan="off") as url:
        yield found, url


async def embedder_for(url: str) -> HttpEmbedder:
    settings = Settings(
        env="test",
        embeddings_provider="http",
        embeddings_url=f"{url}/v1",
        embeddings_model="stand-in-embed",
        embeddings_api_key="sk-stand-in",
        embeddings_timeout_seconds=5,
    )
    return HttpEmbedder(settings, Outbound())


async def test_vectors_come_back_in_input_order_with_the_tokens_counted(
    stand_in: tuple[StandIn, str],
) -> None:
    server, url = stand_in
    embedder = await embedder_for(url)
    embedded = await embedder.embed(["first text", "the second text"])
    assert embedded.vectors == [vector_of("first text"), vector_of("the second text")]
    assert embedded.tokens == 5
    assert embedder.model == "http/stand-in-embed"
    assert server.requests[0]["model"] == "stand-in-embed"
    assert server.authorizations == ["Bearer sk-stand-in"]


async def test_a_rate_limited_call_waits_as_asked_and_succeeds(
    stand_in: tuple[StandIn, str],
) -> None:
    server, url = stand_in
    server.failures = [(429, {"Retry-After": "0"}), (503, {})]
    embedded = await (await embedder_for(url)).embed(["hello"])
    assert embedded.vectors == [vector_of("hello")]
    assert len(server.requests) == 3


async def test_a_provider_that_keeps_failing_is_reported_in_its_own_words(
    stand_in: tuple[StandIn, str],
) -> None:
    server, url = stand_in
    server.failures = [(503, {"Retry-After": "0"})] * 3
    with pytest.raises(EmbeddingFailed, match=r"answered 503: .*try later"):
        await (await embedder_for(url)).embed(["hello"])


@pytest.mark.parametrize(
    "body",
    [{"data": "nope"}, {"data": [{"index": 0}]}, {"data": []}, ["not", "an", "object"]],
)
async def test_a_malformed_answer_is_a_failure_not_a_crash(
    stand_in: tuple[StandIn, str], body: object
) -> None:
    server, url = stand_in
    server.malformed = body
    with pytest.raises(EmbeddingFailed):
        await (await embedder_for(url)).embed(["hello"])


async def test_an_article_the_provider_cannot_embed_is_marked_failed_and_retried_later(
    services: Services, factory: Factory, stand_in: tuple[StandIn, str]
) -> None:
    server, url = stand_in
    server.failures = [(500, {})] * 3
    tenant = await factory.tenant()
    article = await write(services, tenant.id, title="Pets", content="Pets travel in the hold.")
    failing = dataclasses.replace(services, embedder=await embedder_for(url))
    await run_index_job(failing, {"article_id": str(article.id)})
    async with services.db.read() as session:
        row = (
            await session.execute(
                text(
                    "SELECT embedding_status, embedding_error FROM knowledge_articles "
                    "WHERE id = :id"
                ),
                {"id": article.id},
            )
        ).one()
    assert row.embedding_status == EmbeddingStatus.FAILED
    assert "answered 500" in row.embedding_error
    async with services.db.read() as session:
        retry = (
            await session.execute(
                text(
                    "SELECT execute_after - now() AS wait FROM pgqueuer "
                    "WHERE entrypoint = :entrypoint AND status = 'queued' "
                    "AND convert_from(payload, 'UTF8')::jsonb ->> 'article_id' = :article "
                    "AND convert_from(payload, 'UTF8')::jsonb ->> 'attempt' = '1'"
                ),
                {"entrypoint": INDEX_JOB, "article": str(article.id)},
            )
        ).one()
    assert 50 < retry.wait.total_seconds() <= 60


def test_the_local_embedder_needs_no_network_and_no_cache(tmp_path: Path) -> None:
    """Run in a fresh process whose sockets all refuse to connect and whose home is empty, as
    on a machine without internet: the weights and tokenizer must come from the package."""
    script = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise OSError('network is off in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "import asyncio\n"
        "from app.knowledge.embedders import LocalEmbedder\n"
        "embedded = asyncio.run(LocalEmbedder().embed(['reset my password', 'refunds']))\n"
        "print(len(embedded.vectors), len(embedded.vectors[0]), embedded.tokens > 0)\n"
    )
    environment = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "256", "True"]
    assert not any(tmp_path.iterdir()), "nothing may be downloaded or cached"
