"""Fixtures of knowledge tests."""

from collections.abc import Sequence

import pytest

from app.knowledge.embedders import Embedded, EmbeddingFailed
from app.services import Services


@pytest.fixture
def embedder_down(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The configured embedder failing as an unreachable provider does, for one test."""

    async def refuse(texts: Sequence[str]) -> Embedded:
        raise EmbeddingFailed("connection refused by embeddings.internal:8080")

    monkeypatch.setattr(services.embedder, "embed", refuse)
