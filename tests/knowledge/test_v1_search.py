"""GET /v1/articles/search as the v1 document's curl example calls it (an API key as a bearer
token): published articles only, global ids as everywhere in /v1, relevance floored."""

import httpx
import pytest

from app.auth.models import Role
from app.knowledge.tasks import index_article
from app.knowledge.v1 import RELEVANCE_FLOOR
from app.services import Services
from tests.factories import Factory, gid
from tests.knowledge.helpers import write, written_and_indexed
from tests.knowledge.seeds import SUBSCRIPTION, V1_SEARCH_EXAMPLE, help_centre
from tests.rest.helpers import envelope

ARTICLE_KEYS = ["id", "title", "slug", "excerpt", "category", "relevance"]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_the_curl_example_finds_the_subscription_article(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    articles = await help_centre(services, world.tenant.id)
    response = await client.get(V1_SEARCH_EXAMPLE, headers=bearer(world.api_key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["articles", "total"]
    assert 1 <= len(body["articles"]) <= 5 and body["total"] == len(body["articles"])
    best = body["articles"][0]
    assert list(best) == ARTICLE_KEYS
    assert best == {
        "id": gid("ka", articles[SUBSCRIPTION["title"]].id),
        "title": "Managing Your Subscription",
        "slug": "managing-subscription",
        "excerpt": best["excerpt"],
        "category": "Billing",
        "relevance": best["relevance"],
    }
    assert best["excerpt"].startswith("Learn how to access and manage your billing portal.")
    assert best["excerpt"].endswith("…") and len(best["excerpt"]) <= 201
    relevances = [article["relevance"] for article in body["articles"]]
    assert relevances == sorted(relevances, reverse=True)
    assert all(RELEVANCE_FLOOR <= relevance <= 1 for relevance in relevances)


async def test_drafts_and_archived_articles_never_appear(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    draft = await write(services, world.tenant.id, **{**SUBSCRIPTION, "status": "draft"})
    assert await index_article(services, services.embedder, draft.id)
    response = await client.get(V1_SEARCH_EXAMPLE, headers=bearer(world.api_key))
    assert response.json() == {"articles": [], "total": 0}
    # The same holds for a key with every right, and for an article archived after indexing.
    live = await written_and_indexed(
        services, world.tenant.id, **{**SUBSCRIPTION, "slug": "managing-subscription-2"}
    )
    found = await client.get(V1_SEARCH_EXAMPLE, headers=bearer(world.api_key))
    assert [article["id"] for article in found.json()["articles"]] == [gid("ka", live.id)]
    archived = await client.delete(
        f"/api/v1/knowledge/{live.id}", headers={"X-API-Key": world.api_key}
    )
    assert archived.status_code == 200
    gone = await client.get(V1_SEARCH_EXAMPLE, headers=bearer(world.api_key))
    assert gone.json() == {"articles": [], "total": 0}


async def test_an_unrelated_query_finds_nothing_below_the_floor(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    await help_centre(services, world.tenant.id)
    response = await client.get(
        "/v1/articles/search?q=volcanic+basalt+geology", headers=bearer(world.api_key)
    )
    assert response.json() == {"articles": [], "total": 0}


async def test_the_limit_defaults_to_ten_and_caps_the_answer(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    for n in range(12):
        await written_and_indexed(
            services,
            world.tenant.id,
            title=f"Billing portal guide {n}",
            content=f"Open the billing portal to manage invoices, part {n}.",
        )
    default = await client.get(
        "/v1/articles/search?q=billing+portal", headers=bearer(world.api_key)
    )
    assert default.json()["total"] == 10 == len(default.json()["articles"])
    three = await client.get(
        "/v1/articles/search?q=billing+portal&limit=3", headers=bearer(world.api_key)
    )
    assert three.json()["articles"] == default.json()["articles"][:3]


async def test_viewer_keys_search_and_access_tokens_do_not(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    await written_and_indexed(services, world.tenant.id, **SUBSCRIPTION)
    viewer_key = await factory.api_key(world.tenant, Role.VIEWER)
    response = await client.get(V1_SEARCH_EXAMPLE, headers={"X-API-Key": viewer_key})
    assert response.json()["total"] == 1
    envelope(await client.get(V1_SEARCH_EXAMPLE, headers=bearer(world.token)), 401, "UNAUTHORIZED")
    envelope(await client.get(V1_SEARCH_EXAMPLE), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "Missing search query: q is required"),
        ("?q=", "Missing search query: q is required"),
        ("?q=+++", "Missing search query: q is required"),
        ("?limit=5", "Missing search query: q is required"),
        ("?q=billing&limit=0", "limit"),
        ("?q=billing&limit=51", "limit"),
        ("?q=billing&limit=-1", "limit"),
        ("?q=billing&limit=ten", "limit"),
        ("?q=billing%00", "NUL"),
        (f"?q={'q' * 1001}", "q must be at most 1000 characters"),
    ],
)
async def test_bad_input_is_400_naming_what_is_wrong(
    factory: Factory, client: httpx.AsyncClient, query: str, words: str
) -> None:
    world = await factory.world()
    response = await client.get(f"/v1/articles/search{query}", headers=bearer(world.api_key))
    assert words in envelope(response, 400, "VALIDATION_ERROR")


async def test_an_embedder_that_fails_is_503(
    factory: Factory, client: httpx.AsyncClient, embedder_down: None
) -> None:
    world = await factory.world()
    response = await client.get(V1_SEARCH_EXAMPLE, headers=bearer(world.api_key))
    envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["Retry-After"].isdigit()
