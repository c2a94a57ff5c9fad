"""The knowledge base through GraphQL: writing, editing and archiving articles with their
revisions kept, who reads drafts, `node(id)`, the connection, and semantic search."""

from typing import Any

import pytest

from app.auth.models import Role
from app.services import Services
from tests.factories import Factory, World, error_codes, gid
from tests.knowledge.helpers import write, written_and_indexed
from tests.knowledge.seeds import HARASSMENT, help_centre

ARTICLE = """id slug title content contentPreview category tags status wordCount version
embeddingStatus embeddingError authorKind authorName lastUsedAt archivedAt createdAt updatedAt
revisions { version title content status authorName createdAt }"""
CREATE = f"""mutation($i: CreateKnowledgeArticleInput!) {{
  createKnowledgeArticle(input: $i) {{ article {{ {ARTICLE} }} }}
}}"""
UPDATE = f"""mutation($i: UpdateKnowledgeArticleInput!) {{
  updateKnowledgeArticle(input: $i) {{ article {{ {ARTICLE} }} }}
}}"""
ARCHIVE = f"""mutation($i: ArchiveKnowledgeArticleInput!) {{
  archiveKnowledgeArticle(input: $i) {{ article {{ {ARTICLE} }} }}
}}"""
ONE = f"query($id: ID!) {{ knowledgeArticle(id: $id) {{ {ARTICLE} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on KnowledgeArticle { title status } } }"
LIST = """query($status: KnowledgeArticleStatus, $category: String, $first: Int, $after: String) {
  knowledgeArticles(status: $status, category: $category, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id title status } }
  }
}"""
SEARCH = """query($q: String!, $limit: Int, $category: String, $threshold: Float) {
  searchKnowledge(query: $q, limit: $limit, category: $category, threshold: $threshold) {
    queryEmbeddingTokens
    results { similarity preview article { id title lastUsedAt } }
  }
}"""


async def viewer(factory: Factory, world: World) -> str:
    return await factory.token(await factory.user(world.tenant, Role.VIEWER))


async def create(factory: Factory, token: str, **fields: Any) -> dict[str, Any]:
    variables = {"title": "Refunds", "content": "Within **30 days**.", "category": "faq", **fields}
    return await factory.gql(CREATE, {"i": variables}, token=token)


class TestWriting:
    async def test_an_article_is_written_edited_and_archived_keeping_its_revisions(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        created = await create(factory, world.token, tags=["money"], status="PUBLISHED")
        assert error_codes(created) == [], created
        article = created["data"]["createKnowledgeArticle"]["article"]
        assert article["id"].startswith("ka_")
        assert (article["slug"], article["status"], article["version"]) == (
            "refunds",
            "PUBLISHED",
            1,
        )
        assert (article["contentPreview"], article["wordCount"]) == ("Within 30 days.", 3)
        assert (article["embeddingStatus"], article["embeddingError"]) == ("PENDING", None)
        assert (article["authorKind"], article["authorName"]) == ("USER", world.admin.name)
        assert article["revisions"] == []
        edit = {"id": article["id"], "content": "Within 60 days.", "tags": []}
        updated = await factory.gql(UPDATE, {"i": edit}, token=world.token)
        changed = updated["data"]["updateKnowledgeArticle"]["article"]
        assert (changed["version"], changed["content"], changed["tags"]) == (
            2,
            "Within 60 days.",
            [],
        )
        (revision,) = changed["revisions"]
        assert (revision["version"], revision["content"]) == (1, "Within **30 days**.")
        assert revision["createdAt"] == article["createdAt"]
        archived = await factory.gql(ARCHIVE, {"i": {"id": article["id"]}}, token=world.token)
        gone = archived["data"]["archiveKnowledgeArticle"]["article"]
        assert (gone["status"], gone["version"]) == ("ARCHIVED", 3)
        assert gone["archivedAt"] is not None
        assert [r["version"] for r in gone["revisions"]] == [2, 1]

    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"status": "ARCHIVED"}, "VALIDATION_ERROR"),
            ({"title": " "}, "VALIDATION_ERROR"),
            ({"content": "nul \u0000"}, "VALIDATION_ERROR"),
            ({"slug": "Bad Slug"}, "VALIDATION_ERROR"),
            ({"tags": ["t" * 51]}, "VALIDATION_ERROR"),
        ],
    )
    async def test_bad_input_is_refused_with_a_code(
        self, factory: Factory, fields: dict[str, Any], code: str
    ) -> None:
        world = await factory.world()
        body = await create(factory, world.token, **fields)
        assert error_codes(body) == [code], body

    async def test_a_taken_slug_is_a_conflict(self, factory: Factory) -> None:
        world = await factory.world()
        assert error_codes(await create(factory, world.token, slug="mine")) == []
        assert error_codes(await create(factory, world.token, slug="mine")) == ["CONFLICT"]

    @pytest.mark.parametrize("document", [UPDATE, ARCHIVE])
    async def test_an_unknown_or_malformed_id_is_not_found(
        self, factory: Factory, document: str
    ) -> None:
        world = await factory.world()
        for raw in ("ka_nope", "tkt_00000000-0000-0000-0000-000000000000", "nope"):
            body = await factory.gql(document, {"i": {"id": raw}}, token=world.token)
            assert error_codes(body) == ["NOT_FOUND"], body

    async def test_viewers_cannot_write(self, services: Services, factory: Factory) -> None:
        world = await factory.world()
        article = await write(services, world.tenant.id, title="Fixed", content="x")
        token = await viewer(factory, world)
        for document, variables in (
            (CREATE, {"title": "T", "content": "x", "category": "faq"}),
            (UPDATE, {"id": gid("ka", article.id), "title": "Changed"}),
            (ARCHIVE, {"id": gid("ka", article.id)}),
        ):
            body = await factory.gql(document, {"i": variables}, token=token)
            assert error_codes(body) == ["FORBIDDEN"], body
        unchanged = await factory.gql(ONE, {"id": gid("ka", article.id)}, token=world.token)
        assert unchanged["data"]["knowledgeArticle"]["version"] == 1


class TestReading:
    async def test_viewers_read_published_articles_and_revisions_only(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        draft = await write(services, world.tenant.id, title="Soon", content="x", status="draft")
        live = await write(services, world.tenant.id, title="Live", content="Draft text")
        await factory.gql(
            UPDATE, {"i": {"id": gid("ka", live.id), "content": "Text"}}, token=world.token
        )
        await factory.gql(
            UPDATE, {"i": {"id": gid("ka", draft.id), "content": "y"}}, token=world.token
        )
        token = await viewer(factory, world)
        listed = await factory.gql(LIST, {}, token=token)
        connection = listed["data"]["knowledgeArticles"]
        assert connection["totalCount"] == 1
        assert [edge["node"]["title"] for edge in connection["edges"]] == ["Live"]
        for status in ("DRAFT", "ARCHIVED"):
            body = await factory.gql(LIST, {"status": status}, token=token)
            assert body["data"]["knowledgeArticles"]["totalCount"] == 0
        for document, root in ((ONE, "knowledgeArticle"), (NODE, "node")):
            hidden = await factory.gql(document, {"id": gid("ka", draft.id)}, token=token)
            assert error_codes(hidden) == [] and hidden["data"][root] is None, hidden
            shown = await factory.gql(document, {"id": gid("ka", live.id)}, token=token)
            assert shown["data"][root]["title"] == "Live"
        one = await factory.gql(ONE, {"id": gid("ka", live.id)}, token=token)
        assert [r["content"] for r in one["data"]["knowledgeArticle"]["revisions"]] == [
            "Draft text"
        ]
        writers = await factory.gql(LIST, {}, token=world.token)
        assert writers["data"]["knowledgeArticles"]["totalCount"] == 2

    async def test_the_connection_pages_and_filters(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        made = [
            await write(services, world.tenant.id, title=f"A{n}", content="x", category="a")
            for n in range(3)
        ]
        await write(services, world.tenant.id, title="B", content="x", category="b")
        first = await factory.gql(LIST, {"category": "a", "first": 2}, token=world.token)
        page = first["data"]["knowledgeArticles"]
        assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
        rest = await factory.gql(
            LIST,
            {"category": "a", "first": 2, "after": page["pageInfo"]["endCursor"]},
            token=world.token,
        )
        ids = [e["node"]["id"] for e in page["edges"] + rest["data"]["knowledgeArticles"]["edges"]]
        assert ids == [gid("ka", article.id) for article in reversed(made)]

    @pytest.mark.parametrize(
        "variables", [{"first": 0}, {"first": 101}, {"after": "zz"}, {"category": "\u0000"}]
    )
    async def test_bad_list_arguments_are_refused(
        self, factory: Factory, variables: dict[str, Any]
    ) -> None:
        world = await factory.world()
        body = await factory.gql(LIST, variables, token=world.token)
        assert error_codes(body) == ["VALIDATION_ERROR"], body

    async def test_an_unknown_status_is_refused_by_the_schema(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(LIST, {"status": "DELETED"}, token=world.token)
        assert body["data"] is None and error_codes(body) == ["BAD_USER_INPUT"], body


class TestSearch:
    async def test_search_finds_the_answer_and_records_its_use(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        articles = await help_centre(services, world.tenant.id)
        body = await factory.gql(
            SEARCH, {"q": "What is our harassment policy?", "limit": 3}, token=world.token
        )
        assert error_codes(body) == [], body
        found = body["data"]["searchKnowledge"]
        assert found["queryEmbeddingTokens"] > 0
        best = found["results"][0]
        assert best["article"]["id"] == gid("ka", articles[HARASSMENT["title"]].id)
        assert "zero-tolerance policy for harassment" in best["preview"]
        assert 0.5 <= best["similarity"] <= 1
        assert best["article"]["lastUsedAt"] is None  # read before the search recorded it
        again = await factory.gql(ONE, {"id": best["article"]["id"]}, token=world.token)
        assert again["data"]["knowledgeArticle"]["lastUsedAt"] is not None

    async def test_drafts_are_never_found(self, services: Services, factory: Factory) -> None:
        world = await factory.world()
        await write(services, world.tenant.id, **HARASSMENT, status="draft")
        body = await factory.gql(SEARCH, {"q": "harassment", "threshold": 0}, token=world.token)
        assert body["data"]["searchKnowledge"]["results"] == []

    async def test_category_narrows_the_search(self, services: Services, factory: Factory) -> None:
        world = await factory.world()
        await written_and_indexed(services, world.tenant.id, **HARASSMENT)
        body = await factory.gql(
            SEARCH, {"q": "harassment", "category": "faq", "threshold": 0}, token=world.token
        )
        assert body["data"]["searchKnowledge"]["results"] == []

    @pytest.mark.parametrize(
        "variables",
        [
            {"q": " "},
            {"q": "x", "limit": 0},
            {"q": "x", "limit": 11},
            {"q": "x", "threshold": 1.5},
            {"q": "x", "threshold": -1},
            {"q": "x" * 1001},
        ],
    )
    async def test_bad_search_input_is_a_validation_error(
        self, factory: Factory, variables: dict[str, Any]
    ) -> None:
        world = await factory.world()
        body = await factory.gql(SEARCH, variables, token=world.token)
        assert error_codes(body) == ["VALIDATION_ERROR"], body


async def test_an_embedder_that_fails_makes_the_search_unavailable(
    factory: Factory, embedder_down: None
) -> None:
    world = await factory.world()
    response = await factory.client.post(
        "/graphql",
        json={"query": SEARCH, "variables": {"q": "refunds"}},
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert error_codes(response.json()) == ["SERVICE_UNAVAILABLE"]
