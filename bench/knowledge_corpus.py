"""A large synthetic knowledge base for the timing benchmark: 100,000 chunks over 20 tenants,
a few large and many small, written in bulk.

Text: each chunk is a title, a heading and 3-9 sentences drawn from the labelled set's articles
(969 sentences, 313 headings), so full-text queries match as they would in a help centre.
Vectors: SAMPLE distinct chunks are embedded for real by the configured embedder (which also
gives the embedding throughput); every other chunk repeats one of them (help centres share
template articles) with Gaussian noise added to its vector and the result normalised, so no two
vectors are equal. Rows go in with COPY, the vector indexes are built afterwards (as a
restore would), then the tables are analysed."""

import json
import random
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
from pgvector.asyncpg import register_vector

from app.knowledge.chunking import Piece, sections
from app.knowledge.index import vector_indexes
from app.knowledge.tasks import embedding_text
from app.services import Services
from bench.environment import Environment
from bench.knowledge_labelled import LABELLED

# Chunks per tenant: a few large help centres, a long tail of small ones.
TENANT_CHUNKS = [
    *(30_000, 18_000, 12_000, 8_000, 6_000, 5_000, 4_000, 3_000, 2_500, 2_000),
    *(1_800, 1_600, 1_400, 1_200, 1_000, 900, 700, 500, 300, 100),
]
CHUNKS_PER_ARTICLE = 4
SAMPLE = 20_000
# Per dimension, on unit vectors of 256 dimensions: a copy keeps a cosine of about 0.95 with
# the chunk it repeats.
NOISE = 0.02
DRAFT_SHARE = 0.05
BUILD_MEMORY = "512MB"
SENTENCE = re.compile(r"(?<=[.!?])\s+")
LIST_MARK = re.compile(r"^\s*(?:[-*]|\d+\.)\s+")


@dataclass(frozen=True)
class Text:
    title: str
    heading: str
    body: str


@dataclass(frozen=True)
class Corpus:
    tenants: list[tuple[uuid.UUID, int]]  # (tenant, chunks), largest first
    embed_seconds: float
    embedded: int
    mean_words: float
    rss_kib: tuple[int, int, int]  # before the embedder loads, once loaded, after the sample
    load_seconds: float
    index_seconds: float


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _pools() -> tuple[list[str], list[str], list[str], list[str]]:
    """Sentences, headings, titles and categories of the labelled articles."""
    articles = json.loads(LABELLED.read_text())["articles"]
    sentences: set[str] = set()
    headings: set[str] = set()
    for article in articles:
        for piece in sections(article["content"]):
            if piece.heading:
                headings.add(piece.heading)
            for paragraph in piece.body.splitlines():
                plain = LIST_MARK.sub("", paragraph).replace("**", "")
                sentences.update(s.strip() for s in SENTENCE.split(plain) if len(s.split()) >= 4)
    titles = sorted({article["title"] for article in articles})
    categories = sorted({article["category"] for article in articles})
    return sorted(sentences), sorted(headings), titles, categories


def texts(rng: random.Random, count: int) -> list[Text]:
    sentences, headings, titles, _ = _pools()
    return [
        Text(
            rng.choice(titles),
            rng.choice(headings),
            " ".join(rng.sample(sentences, rng.randint(3, 9))),
        )
        for _ in range(count)
    ]


async def _embed(
    services: Services, sample: list[Text]
) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The sample's vectors, the seconds embedding took, and RSS before and after the embedder
    loaded (it loads on first use)."""
    before = rss_kib()
    await services.embedder.embed(["load"])
    loaded = rss_kib()
    started = time.perf_counter()
    embedded = await services.embedder.embed(
        [embedding_text(text.title, Piece(text.heading, text.body)) for text in sample]
    )
    seconds = time.perf_counter() - started
    return np.array(embedded.vectors, dtype=np.float32), seconds, (before, loaded)


async def build(env: Environment, services: Services) -> Corpus:
    rng = random.Random(42)
    sample = texts(rng, SAMPLE)
    vectors, embed_seconds, (before, loaded) = await _embed(services, sample)
    after = rss_kib()
    started = time.perf_counter()
    connection = await asyncpg.connect(host=env.socket_dir, user="postgres", database=env.database)
    try:
        await register_vector(connection)
        tenants = await _write(connection, rng, sample, vectors, services.embedder.model)
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
        for statement in vector_indexes(vectors.shape[1]).values():
            await connection.execute(statement)
        index_seconds = time.perf_counter() - started
        await connection.execute("VACUUM ANALYZE knowledge_articles")
        await connection.execute("VACUUM ANALYZE knowledge_chunks")
    finally:
        await connection.close()
    words = [len(text.body.split()) for text in sample]
    return Corpus(
        tenants,
        embed_seconds,
        len(sample),
        sum(words) / len(words),
        (before, loaded, after),
        load_seconds,
        index_seconds,
    )


async def _write(
    connection: asyncpg.Connection,
    rng: random.Random,
    sample: list[Text],
    vectors: np.ndarray,
    model: str,
) -> list[tuple[uuid.UUID, int]]:
    """Tenants, articles and chunks; the vector indexes are dropped first and built
    afterwards."""
    categories = _pools()[3]
    for name in vector_indexes(vectors.shape[1]):
        await connection.execute(f"DROP INDEX IF EXISTS {name}")
    order = list(range(len(sample)))
    rng.shuffle(order)
    tenants: list[tuple[uuid.UUID, int]] = []
    articles: list[tuple[Any, ...]] = []
    chunks: list[tuple[Any, ...]] = []
    noise = np.random.default_rng(42)
    slot = 0
    for number, size in enumerate(TENANT_CHUNKS):
        tenant_id = uuid.uuid4()
        await connection.execute(
            "INSERT INTO tenants (id, name, slug, plan) VALUES ($1, $2, $3, 'pro')",
            tenant_id,
            f"Help centre {number}",
            f"help-{number}",
        )
        tenants.append((tenant_id, size))
        for article_number in range(size // CHUNKS_PER_ARTICLE):
            article_id = uuid.uuid4()
            status = "draft" if rng.random() < DRAFT_SHARE else "published"
            category = rng.choice(categories)
            bodies = []
            for ordinal in range(CHUNKS_PER_ARTICLE):
                # Every sampled chunk once, then copies of random ones.
                base = order[slot] if slot < len(order) else rng.randrange(len(sample))
                vector = vectors[base]
                if slot >= len(order):
                    vector = vector + noise.normal(0, NOISE, vector.shape)
                    vector = (vector / np.linalg.norm(vector)).astype(np.float32)
                slot += 1
                text = sample[base]
                bodies.append(text.body)
                chunks.append(
                    (
                        uuid.uuid4(),
                        tenant_id,
                        article_id,
                        ordinal,
                        text.title,
                        text.heading,
                        text.body,
                        status,
                        category,
                        vector,
                        model,
                        len(vector),
                    )
                )
            articles.append(
                (
                    article_id,
                    tenant_id,
                    f"article-{article_number}",
                    chunks[-CHUNKS_PER_ARTICLE][4],
                    "\n\n".join(bodies),
                    category,
                    status,
                    sum(len(b.split()) for b in bodies),
                    1,
                    "indexed",
                    1,
                    model,
                    "system",
                )
            )
    await connection.copy_records_to_table(
        "knowledge_articles",
        records=articles,
        columns=[
            "id",
            "tenant_id",
            "slug",
            "title",
            "content",
            "category",
            "status",
            "word_count",
            "version",
            "embedding_status",
            "indexed_version",
            "embedding_model",
            "author_kind",
        ],
    )
    await connection.copy_records_to_table(
        "knowledge_chunks",
        records=chunks,
        columns=[
            "id",
            "tenant_id",
            "article_id",
            "ordinal",
            "title",
            "heading",
            "body",
            "status",
            "category",
            "embedding",
            "model",
            "dimensions",
        ],
    )
    return tenants
