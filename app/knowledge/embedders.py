"""What turns text into vectors for knowledge search.

The default, `local`, runs WordLlama (`l2_supercat`, 256 dimensions) in process: its weights
and tokenizer ship inside the `wordllama` wheel, so it needs no network and downloads nothing.
On Haven's labelled help-centre set (bench/knowledge_set.json) it scored nDCG@10 0.81 against
0.72 for BM25 alone, loads in under a second and takes about 100 MB. `http` calls an
OpenAI-compatible `/embeddings` service instead, for deployments that prefer a larger model.

Every vector is stored with the name of the model that made it (`Embedder.model`); a change of
model re-indexes everything rather than mixing vectors from two models in one search."""

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from app.kit.outbound import Outbound, OutboundError
from app.kit.settings import Settings

LOCAL_MODEL = "local/wordllama-l2_supercat-256"
# Texts per call: large enough to amortise the call, small enough to bound its memory.
BATCH = 64


class EmbeddingFailed(Exception):
    """The embedder could not embed: the provider's words, for the article's record."""


@dataclass(frozen=True)
class Embedded:
    vectors: list[list[float]]
    tokens: int


class Embedder(Protocol):
    @property
    def model(self) -> str: ...

    async def embed(self, texts: Sequence[str]) -> Embedded: ...


class LocalEmbedder:
    """WordLlama in process. Loaded on first use (about a second), once per process; embedding
    runs in a worker thread so the event loop keeps serving."""

    model = LOCAL_MODEL

    def __init__(self) -> None:
        self._loaded: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._loaded is None:
                import wordllama

                # The tokenizer ships under the package's `tokenizers/` folder; pointing the
                # cache there finds it, and `disable_download` makes a miss an error rather
                # than a network call.
                self._loaded = wordllama.WordLlama.load(
                    config="l2_supercat",
                    dim=256,
                    cache_dir=Path(wordllama.__file__).parent,
                    disable_download=True,
                )
            return self._loaded

    def _embed(self, texts: Sequence[str]) -> Embedded:
        model = self._load()
        vectors: list[list[float]] = []
        tokens = 0
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            vectors += model.embed(batch, norm=True).tolist()
            tokens += sum(len(encoding.ids) for encoding in model.tokenize(batch))
        return Embedded(vectors, tokens)

    async def embed(self, texts: Sequence[str]) -> Embedded:
        return await asyncio.to_thread(self._embed, texts)


class HttpEmbedder:
    """An OpenAI-compatible `POST {url}/embeddings` service."""

    def __init__(self, settings: Settings, outbound: Outbound) -> None:
        assert settings.embeddings_url and settings.embeddings_model, "checked by Settings"
        self.url = settings.embeddings_url.rstrip("/") + "/embeddings"
        self.name = settings.embeddings_model
        self.key = settings.embeddings_api_key
        self.seconds = settings.embeddings_timeout_seconds
        self.outbound = outbound

    @property
    def model(self) -> str:
        return f"http/{self.name}"

    async def embed(self, texts: Sequence[str]) -> Embedded:
        vectors: list[list[float]] = []
        tokens = 0
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            found, used = await self._call(batch)
            vectors += found
            tokens += used
        return Embedded(vectors, tokens)

    async def _call(self, batch: list[str]) -> tuple[list[list[float]], int]:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        body = {"model": self.name, "input": batch, "encoding_format": "float"}
        try:
            answer = await self.outbound.post_json(
                self.url, body, headers=headers, seconds=self.seconds
            )
        except OutboundError as error:
            raise EmbeddingFailed(error.message) from None
        return _vectors(answer.body, len(batch))


def _vectors(body: Any, expected: int) -> tuple[list[list[float]], int]:
    """The vectors of an `/embeddings` answer in input order, and the tokens it counted."""
    try:
        rows = sorted(body["data"], key=lambda row: row["index"])
        vectors = [[float(value) for value in row["embedding"]] for row in rows]
        usage = body.get("usage") or {}
        tokens = int(usage.get("prompt_tokens") or usage.get("total_tokens") or 0)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise EmbeddingFailed("the embeddings service answered in an unexpected shape") from None
    if len(vectors) != expected or len({len(vector) for vector in vectors}) > 1:
        raise EmbeddingFailed(
            f"the embeddings service returned {len(vectors)} vectors for {expected} texts"
        )
    return vectors, tokens


def make_embedder(settings: Settings, outbound: Outbound) -> Embedder:
    if settings.embeddings_provider == "http":
        return HttpEmbedder(settings, outbound)
    return LocalEmbedder()
