"""/api/v1/knowledge called as the API document's curl examples call it (an access token, the
documented bodies): documented statuses, exact key sets, drafts for writers only, versions
kept, and bad input refused with a code. The search has tests of its own (test_rest_search)."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.knowledge.models import Article, Revision
from app.services import Services
from tests.factories import Factory, gid
from tests.knowledge.helpers import write, written_and_indexed
from tests.knowledge.rest_calls import ISO_MS, auth, patch, post, viewer_token
from tests.knowledge.seeds import CREATE_EXAMPLE, HARASSMENT, LIST_EXAMPLE
from tests.rest.helpers import envelope

SUMMARY_KEYS = [
    "id",
    "title",
    "category",
    "status",
    "content_preview",
    "word_count",
    "embedding_status",
    "last_used_at",
    "created_at",
    "updated_at",
]
CREATED_KEYS = [
    "id",
    "title",
    "category",
    "status",
    "tags",
    "word_count",
    "embedding_status",
    "created_at",
]
DETAIL_KEYS = [
    "id",
    "slug",
    "title",
    "category",
    "status",
    "tags",
    "content",
    "word_count",
    "version",
    "embedding_status",
    "embedding_error",
    "author",
    "last_used_at",
    "archived_at",
    "created_at",
    "updated_at",
    "revisions",
]


class TestList:
    async def test_the_curl_example_lists_published_articles(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        article = await written_and_indexed(services, world.tenant.id, **HARASSMENT)
        await write(services, world.tenant.id, title="Unfinished", content="Draft", status="draft")
        response = await client.get(LIST_EXAMPLE, headers=auth(world.token))
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["data", "pagination"]
        assert body["pagination"] == {"cursor": None, "has_more": False, "total": 1}
        (item,) = body["data"]
        assert list(item) == SUMMARY_KEYS
        assert item["id"] == gid("ka", article.id)
        assert (item["title"], item["category"], item["status"]) == (
            HARASSMENT["title"],
            "policies",
            "published",
        )
        assert (item["word_count"], item["embedding_status"]) == (article.word_count, "indexed")
        assert item["last_used_at"] is None
        for key in ("created_at", "updated_at"):
            assert ISO_MS.match(item[key]), item[key]

    async def test_the_preview_is_plain_text_cut_between_words(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        await write(services, world.tenant.id, **HARASSMENT)
        (item,) = (await client.get("/api/v1/knowledge", headers=auth(world.token))).json()["data"]
        preview = item["content_preview"]
        assert preview.startswith("Harassment Our platform has a zero-tolerance policy")
        assert preview.endswith("…") and len(preview) <= 201
        assert not set("#*[]()") & set(preview)
        words = preview.removesuffix("…").split()
        assert all(word in HARASSMENT["content"] for word in words[2:])

    async def test_viewers_see_published_articles_only(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        await write(services, world.tenant.id, title="Live", content="Out", status="published")
        await write(services, world.tenant.id, title="Secret", content="Soon", status="draft")
        viewer = await viewer_token(factory, world)
        for query in ("", "?status=draft", "?status=archived", "?status=published"):
            response = await client.get(f"/api/v1/knowledge{query}", headers=auth(viewer))
            titles = [item["title"] for item in response.json()["data"]]
            assert titles == ([] if "draft" in query or "archived" in query else ["Live"])
            assert response.json()["pagination"]["total"] == len(titles)
        writer = await client.get("/api/v1/knowledge?status=draft", headers=auth(world.token))
        assert [item["title"] for item in writer.json()["data"]] == ["Secret"]

    async def test_category_filters_and_pages_follow_the_cursor(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        made = [
            await write(services, world.tenant.id, title=f"Billing {n}", content="x", category="b")
            for n in range(3)
        ]
        await write(services, world.tenant.id, title="Other", content="x", category="other")
        first = await client.get("/api/v1/knowledge?category=b&limit=2", headers=auth(world.token))
        assert first.json()["pagination"]["has_more"] is True
        cursor = first.json()["pagination"]["cursor"]
        rest = await client.get(
            f"/api/v1/knowledge?category=b&limit=2&cursor={cursor}", headers=auth(world.token)
        )
        ids = [item["id"] for item in first.json()["data"] + rest.json()["data"]]
        assert ids == [gid("ka", article.id) for article in reversed(made)]
        assert rest.json()["pagination"] == {"cursor": None, "has_more": False, "total": 3}

    @pytest.mark.parametrize(
        "query",
        ["?status=deleted", "?limit=0", "?limit=101", "?limit=x", "?cursor=zz", "?category=%00"],
    )
    async def test_invalid_query_parameters_are_400(
        self, factory: Factory, client: httpx.AsyncClient, query: str
    ) -> None:
        world = await factory.world()
        response = await client.get(f"/api/v1/knowledge{query}", headers=auth(world.token))
        envelope(response, 400, "VALIDATION_ERROR")

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        envelope(await client.get(LIST_EXAMPLE), 401, "UNAUTHORIZED")

    async def test_an_api_key_reads_as_well(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        await write(services, world.tenant.id, title="Keyed", content="x")
        response = await client.get(LIST_EXAMPLE, headers={"X-API-Key": world.api_key})
        assert [item["title"] for item in response.json()["data"]] == ["Keyed"]


class TestCreate:
    async def test_the_curl_example_creates_a_pending_article(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        response = await post(client, world.token, "/api/v1/knowledge", CREATE_EXAMPLE)
        assert response.status_code == 201, response.text
        body = response.json()
        assert list(body) == CREATED_KEYS
        assert body["id"].startswith("ka_")
        assert body["title"] == "Account Deletion Process"
        assert (body["category"], body["status"]) == ("procedures", "published")
        assert body["tags"] == ["gdpr", "account", "deletion"]
        assert body["embedding_status"] == "pending"
        assert body["word_count"] == 43
        assert ISO_MS.match(body["created_at"])
        async with services.db.read() as session:
            article = await session.scalar(
                select(Article).where(Article.tenant_id == world.tenant.id)
            )
        assert article is not None and article.slug == "account-deletion-process"
        assert article.content.startswith("When a user requests account deletion")
        assert "\n\n1. Verify" in article.content

    async def test_defaults_make_a_draft_with_a_free_slug(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        minimal = {"title": "Refunds", "content": "Within 30 days.", "category": "faq"}
        first = await post(client, world.token, "/api/v1/knowledge", minimal)
        second = await post(client, world.token, "/api/v1/knowledge", minimal)
        assert first.json()["status"] == "draft" and first.json()["tags"] == []
        slugs = []
        for created in (first, second):
            shown = await client.get(
                f"/api/v1/knowledge/{created.json()['id']}", headers=auth(world.token)
            )
            slugs.append(shown.json()["slug"])
        assert slugs == ["refunds", "refunds-2"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({}, "title is required"),
            ({"content": "x", "category": "faq"}, "title is required"),
            ({"title": "T", "category": "faq"}, "content is required"),
            ({"title": "T", "content": "x"}, "category is required"),
        ],
    )
    async def test_a_missing_field_is_named(
        self, factory: Factory, client: httpx.AsyncClient, body: dict[str, Any], message: str
    ) -> None:
        world = await factory.world()
        response = await post(client, world.token, "/api/v1/knowledge", body)
        assert envelope(response, 400, "VALIDATION_ERROR") == message

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"status": "archived"}, "status"),
            ({"status": "live"}, "status"),
            ({"status": 1}, "status"),
            ({"title": "   "}, "title"),
            ({"content": "  "}, "content"),
            ({"content": "nul \u0000 here"}, "NUL"),
            ({"tags": "gdpr"}, "tags"),
            ({"tags": ["x" * 51]}, "tag"),
            ({"slug": "Not A Slug!"}, "slug"),
            ({"category": "c" * 101}, "category"),
        ],
    )
    async def test_bad_values_are_refused_naming_the_field(
        self, factory: Factory, client: httpx.AsyncClient, change: dict[str, Any], field: str
    ) -> None:
        world = await factory.world()
        body = {"title": "T", "content": "x", "category": "faq", **change}
        response = await post(client, world.token, "/api/v1/knowledge", body)
        assert field in envelope(response, 400, "VALIDATION_ERROR")

    async def test_a_taken_slug_is_a_conflict(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        body = {"title": "T", "content": "x", "category": "faq", "slug": "taken"}
        assert (await post(client, world.token, "/api/v1/knowledge", body)).status_code == 201
        envelope(await post(client, world.token, "/api/v1/knowledge", body), 409, "CONFLICT")

    async def test_viewers_get_403_and_nothing_is_written(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        viewer = await viewer_token(factory, world)
        response = await post(client, viewer, "/api/v1/knowledge", CREATE_EXAMPLE)
        envelope(response, 403, "FORBIDDEN")
        viewer_key = await factory.api_key(world.tenant, Role.VIEWER)
        response = await client.post(
            "/api/v1/knowledge",
            content=CREATE_EXAMPLE,
            headers={"X-API-Key": viewer_key, "Content-Type": "application/json"},
        )
        envelope(response, 403, "FORBIDDEN")
        listed = await client.get("/api/v1/knowledge", headers=auth(world.token))
        assert listed.json()["data"] == []


class TestDetailAndVersions:
    async def test_an_article_in_full_by_global_id_or_bare_uuid(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        article = await written_and_indexed(services, world.tenant.id, **HARASSMENT, tags=["a"])
        for raw in (gid("ka", article.id), str(article.id)):
            response = await client.get(f"/api/v1/knowledge/{raw}", headers=auth(world.token))
            assert response.status_code == 200, response.text
            body = response.json()
            assert list(body) == DETAIL_KEYS
            assert body["id"] == gid("ka", article.id)
            assert body["content"] == HARASSMENT["content"]
            assert (body["slug"], body["tags"], body["version"]) == (article.slug, ["a"], 1)
            assert (body["embedding_status"], body["embedding_error"]) == ("indexed", None)
            assert (body["author"], body["archived_at"], body["revisions"]) == ("Writer", None, [])

    async def test_edits_keep_every_earlier_version_readable(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        created = await post(client, world.token, "/api/v1/knowledge", CREATE_EXAMPLE)
        article_id = created.json()["id"]
        first = await patch(client, world.token, article_id, {"title": "Deleting an account"})
        assert first.status_code == 200, first.text
        assert (first.json()["version"], first.json()["title"]) == (2, "Deleting an account")
        second = await patch(client, world.token, article_id, {"content": "New steps.", "tags": []})
        body = second.json()
        assert list(body) == DETAIL_KEYS
        assert (body["version"], body["content"], body["tags"]) == (3, "New steps.", [])
        assert body["embedding_status"] == "pending"
        assert [(r["version"], r["title"]) for r in body["revisions"]] == [
            (2, "Deleting an account"),
            (1, "Account Deletion Process"),
        ]
        assert all(r["author"] == world.admin.name for r in body["revisions"])
        assert body["revisions"][1]["created_at"] == created.json()["created_at"]
        one = await client.get(
            f"/api/v1/knowledge/{article_id}/revisions/1", headers=auth(world.token)
        )
        assert one.status_code == 200, one.text
        assert list(one.json()) == [
            "article_id",
            "version",
            "title",
            "category",
            "status",
            "tags",
            "content",
            "author",
            "created_at",
        ]
        assert one.json()["content"].startswith("When a user requests account deletion")
        assert one.json()["tags"] == ["gdpr", "account", "deletion"]
        assert one.json()["created_at"] == created.json()["created_at"]
        two = await client.get(
            f"/api/v1/knowledge/{article_id}/revisions/2", headers=auth(world.token)
        )
        assert two.json()["created_at"] == body["revisions"][0]["created_at"]
        current = await client.get(
            f"/api/v1/knowledge/{article_id}/revisions/3", headers=auth(world.token)
        )
        assert (current.json()["version"], current.json()["content"]) == (3, "New steps.")
        assert (
            created.json()["created_at"] <= two.json()["created_at"] <= current.json()["created_at"]
        )
        for missing in ("4", "0", "x", "1" * 12):
            response = await client.get(
                f"/api/v1/knowledge/{article_id}/revisions/{missing}", headers=auth(world.token)
            )
            envelope(response, 404, "NOT_FOUND")

    async def test_an_empty_or_unchanged_patch_makes_no_version(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        article = await write(services, world.tenant.id, title="Same", content="x")
        for body in ({}, {"title": "Same"}, {"unknown": 1}):
            response = await patch(client, world.token, gid("ka", article.id), body)
            assert response.json()["version"] == 1, response.text

    async def test_viewers_read_published_articles_and_versions_only(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        created = await post(
            client,
            world.token,
            "/api/v1/knowledge",
            {"title": "Rules", "content": "Draft words", "category": "policies"},
        )
        article_id = created.json()["id"]
        viewer = await viewer_token(factory, world)
        shown = await client.get(f"/api/v1/knowledge/{article_id}", headers=auth(viewer))
        envelope(shown, 404, "NOT_FOUND")
        await patch(client, world.token, article_id, {"status": "published"})
        await patch(client, world.token, article_id, {"content": "Published words"})
        body = (await client.get(f"/api/v1/knowledge/{article_id}", headers=auth(viewer))).json()
        assert body["version"] == 3
        # Version 1 was a draft: the writers' alone. Version 2 was the first published.
        assert [r["version"] for r in body["revisions"]] == [2]
        writers = (
            await client.get(f"/api/v1/knowledge/{article_id}", headers=auth(world.token))
        ).json()
        assert [r["version"] for r in writers["revisions"]] == [2, 1]
        draft = await client.get(
            f"/api/v1/knowledge/{article_id}/revisions/1", headers=auth(viewer)
        )
        envelope(draft, 404, "NOT_FOUND")
        published = await client.get(
            f"/api/v1/knowledge/{article_id}/revisions/2", headers=auth(viewer)
        )
        assert published.json()["content"] == "Draft words"

    @pytest.mark.parametrize(
        "raw", ["nope", "ka_nope", "tkt_00000000-0000-0000-0000-000000000000", "%00"]
    )
    async def test_malformed_ids_are_not_found(
        self, factory: Factory, client: httpx.AsyncClient, raw: str
    ) -> None:
        world = await factory.world()
        for method in ("GET", "PATCH", "DELETE"):
            response = await client.request(
                method, f"/api/v1/knowledge/{raw}", headers=auth(world.token, True), content=b"{}"
            )
            envelope(response, 404, "NOT_FOUND")

    async def test_viewers_cannot_change_an_article(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        article = await write(services, world.tenant.id, title="Fixed", content="x")
        viewer = await viewer_token(factory, world)
        envelope(
            await patch(client, viewer, gid("ka", article.id), {"title": "Y"}), 403, "FORBIDDEN"
        )
        response = await client.delete(f"/api/v1/knowledge/{article.id}", headers=auth(viewer))
        envelope(response, 403, "FORBIDDEN")
        async with services.db.read() as session:
            assert (await session.get(Article, article.id)).version == 1  # type: ignore[union-attr]


class TestArchive:
    async def test_delete_archives_and_keeps_every_revision(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        article = await written_and_indexed(services, world.tenant.id, **HARASSMENT)
        await patch(client, world.token, gid("ka", article.id), {"tags": ["kept"]})
        response = await client.delete(
            f"/api/v1/knowledge/{gid('ka', article.id)}", headers=auth(world.token)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == DETAIL_KEYS
        assert (body["status"], body["version"]) == ("archived", 3)
        assert ISO_MS.match(body["archived_at"])
        assert [r["version"] for r in body["revisions"]] == [2, 1]
        again = await client.delete(f"/api/v1/knowledge/{article.id}", headers=auth(world.token))
        assert again.json()["version"] == 3
        async with services.db.read() as session:
            kept = await session.scalars(select(Revision).where(Revision.article_id == article.id))
            assert sorted(r.version for r in kept) == [1, 2]
        viewer = await viewer_token(factory, world)
        listed = await client.get("/api/v1/knowledge", headers=auth(viewer))
        assert listed.json()["data"] == []
        search = await post(
            client, world.token, "/api/v1/knowledge/search", {"query": "harassment policy"}
        )
        assert search.json()["results"] == []

    async def test_another_tenants_article_is_not_found(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world, other = await factory.world(), await factory.world()
        theirs = await write(services, other.tenant.id, title="Theirs", content="x")
        response = await client.delete(f"/api/v1/knowledge/{theirs.id}", headers=auth(world.token))
        envelope(response, 404, "NOT_FOUND")
