"""POST /api/v1/knowledge/search called as the API document's curl example calls it: the
published article that answers, best first, with a calibrated similarity; drafts, archives and
other categories never found; bad input a 400 naming the field."""

from typing import Any

import httpx
import pytest

from app.knowledge.tasks import index_article
from app.services import Services
from tests.factories import Factory, gid
from tests.knowledge.helpers import write, written_and_indexed
from tests.knowledge.rest_calls import ISO_MS, auth, post, viewer_token
from tests.knowledge.seeds import HARASSMENT, LIST_EXAMPLE, SEARCH_EXAMPLE, help_centre
from tests.rest.helpers import envelope

HIT_KEYS = ["id", "title", "category", "content_preview", "similarity", "word_count"]


class TestSearch:
    async def test_the_curl_example_finds_the_harassment_policy(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        articles = await help_centre(services, world.tenant.id)
        response = await post(client, world.token, "/api/v1/knowledge/search", SEARCH_EXAMPLE)
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["results", "query_embedding_tokens"]
        assert body["query_embedding_tokens"] > 0
        results = body["results"]
        assert 1 <= len(results) <= 3
        assert all(list(hit) == HIT_KEYS for hit in results)
        best = results[0]
        policy = articles[HARASSMENT["title"]]
        assert best["id"] == gid("ka", policy.id)
        assert (best["title"], best["category"]) == (HARASSMENT["title"], "policies")
        assert best["word_count"] == policy.word_count
        assert "zero-tolerance policy for harassment" in best["content_preview"]
        assert "**" not in best["content_preview"]
        similarities = [hit["similarity"] for hit in results]
        assert similarities == sorted(similarities, reverse=True)
        assert all(0.5 <= similarity <= 1 for similarity in similarities)

    async def test_a_search_marks_what_it_returned_as_used(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        articles = await help_centre(services, world.tenant.id)
        before = (await client.get(LIST_EXAMPLE, headers=auth(world.token))).json()["data"]
        await post(client, world.token, "/api/v1/knowledge/search", SEARCH_EXAMPLE)
        after = {
            item["id"]: item
            for item in (await client.get(LIST_EXAMPLE, headers=auth(world.token))).json()["data"]
        }
        policy = after[gid("ka", articles[HARASSMENT["title"]].id)]
        assert ISO_MS.match(policy["last_used_at"])
        # Being found is not an edit.
        assert all(after[item["id"]]["updated_at"] == item["updated_at"] for item in before)
        unused = after[gid("ka", articles["Resetting your password"].id)]
        assert unused["last_used_at"] is None

    async def test_drafts_and_other_categories_are_not_searched(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        draft = await write(services, world.tenant.id, **HARASSMENT, status="draft")
        assert await index_article(services, services.embedder, draft.id)
        await written_and_indexed(services, world.tenant.id, **{**HARASSMENT, "slug": "live"})
        found = await post(
            client, world.token, "/api/v1/knowledge/search", {"query": "harassment policy"}
        )
        assert [hit["id"] for hit in found.json()["results"]] != []
        assert gid("ka", draft.id) not in [hit["id"] for hit in found.json()["results"]]
        other = await post(
            client,
            world.token,
            "/api/v1/knowledge/search",
            {"query": "harassment policy", "category": "faq", "threshold": 0},
        )
        assert other.json()["results"] == []

    async def test_threshold_and_limit_bound_the_results(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        await help_centre(services, world.tenant.id)
        everything = await post(
            client,
            world.token,
            "/api/v1/knowledge/search",
            {"query": "harassment", "threshold": 0, "limit": 10},
        )
        assert len(everything.json()["results"]) == 5
        two = await post(
            client,
            world.token,
            "/api/v1/knowledge/search",
            {"query": "harassment", "threshold": 0, "limit": 2},
        )
        assert two.json()["results"] == everything.json()["results"][:2]
        strict = await post(
            client,
            world.token,
            "/api/v1/knowledge/search",
            {"query": "harassment", "threshold": 1},
        )
        assert all(hit["similarity"] == 1 for hit in strict.json()["results"])

    async def test_viewers_and_api_keys_search_too(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        await written_and_indexed(services, world.tenant.id, **HARASSMENT)
        viewer = await viewer_token(factory, world)
        for headers in (auth(viewer, True), {"X-API-Key": world.api_key}):
            response = await client.post(
                "/api/v1/knowledge/search", content=SEARCH_EXAMPLE, headers=headers
            )
            assert response.json()["results"][0]["title"] == HARASSMENT["title"], response.text

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            ({}, "Missing search query"),
            ({"query": "   "}, "Missing search query"),
            ({"query": None}, "Missing search query"),
            ({"query": 7}, "query"),
            ({"query": "q" * 1001}, "query"),
            ({"query": "x", "limit": 0}, "limit"),
            ({"query": "x", "limit": 11}, "limit"),
            ({"query": "x", "limit": 2.5}, "limit"),
            ({"query": "x", "limit": True}, "limit"),
            ({"query": "x", "threshold": 1.5}, "threshold"),
            ({"query": "x", "threshold": -0.1}, "threshold"),
            ({"query": "x", "threshold": "high"}, "threshold"),
            ({"query": "x", "category": 3}, "category"),
            ({"query": "nul \u0000"}, "NUL"),
        ],
    )
    async def test_bad_input_is_400_naming_what_is_wrong(
        self, factory: Factory, client: httpx.AsyncClient, body: dict[str, Any], words: str
    ) -> None:
        world = await factory.world()
        response = await post(client, world.token, "/api/v1/knowledge/search", body)
        assert words in envelope(response, 400, "VALIDATION_ERROR")

    async def test_an_embedder_that_fails_is_503_with_retry_after(
        self, factory: Factory, client: httpx.AsyncClient, embedder_down: None
    ) -> None:
        world = await factory.world()
        response = await post(client, world.token, "/api/v1/knowledge/search", SEARCH_EXAMPLE)
        assert "retry shortly" in envelope(response, 503, "SERVICE_UNAVAILABLE")
        assert response.headers["Retry-After"].isdigit()
        assert "refused" not in response.text  # the provider's words stay in the log

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/knowledge/search",
            content=SEARCH_EXAMPLE,
            headers={"Content-Type": "application/json"},
        )
        envelope(response, 401, "UNAUTHORIZED")
