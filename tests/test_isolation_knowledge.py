"""Cross-tenant probes for the knowledge base: tenant B's admin (by token and by API key) aims
every knowledge query, mutation and REST call at tenant A's articles, and finds nothing: null
or NOT_FOUND, only B's own articles, no string of A's in the answer, and A's articles unchanged.
A's admin running the same calls finds A's articles, so no probe passes vacuously."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.knowledge.models import Article
from app.services import Services
from tests.factories import Factory, World, error_codes, gid
from tests.knowledge.helpers import write, written_and_indexed

COVERS = {
    "Query.knowledgeArticles",
    "Query.knowledgeArticle",
    "Query.searchKnowledge",
    "Mutation.createKnowledgeArticle",
    "Mutation.updateKnowledgeArticle",
    "Mutation.archiveKnowledgeArticle",
}
CREDENTIALS = ("token", "api_key")

FIELDS = "id slug title content status version revisions { version title content }"
LIST = (
    "query($status: KnowledgeArticleStatus) { knowledgeArticles(status: $status) "
    f"{{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}"
)
ONE = f"query($id: ID!) {{ knowledgeArticle(id: $id) {{ {FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on KnowledgeArticle { title } } }"
SEARCH = """query($q: String!) {
  searchKnowledge(query: $q, threshold: 0, limit: 10) { results { preview article { id title } } }
}"""
CREATE = (
    "mutation($i: CreateKnowledgeArticleInput!) "
    "{ createKnowledgeArticle(input: $i) { article { id slug } } }"
)
UPDATE = (
    "mutation($i: UpdateKnowledgeArticleInput!) "
    "{ updateKnowledgeArticle(input: $i) { article { id } } }"
)
ARCHIVE = (
    "mutation($i: ArchiveKnowledgeArticleInput!) "
    "{ archiveKnowledgeArticle(input: $i) { article { id } } }"
)


@dataclass
class Side:
    """A tenant with a published article that has a revision, and a draft, all indexed."""

    world: World
    word: str
    published: Article
    draft: Article

    def markers(self) -> list[str]:
        ids = [self.world.tenant.id, self.published.id, self.draft.id]
        return [self.word, *(str(value) for value in ids)]

    def ids(self) -> list[str]:
        return [gid("ka", self.published.id), gid("ka", self.draft.id)]


async def build_side(services: Services, factory: Factory) -> Side:
    world = await factory.world()
    word = f"zq{uuid.uuid4().hex[:12]}"
    published = await written_and_indexed(
        services, world.tenant.id, title=f"Refunds {word}", content=f"Refunds {word} in 30 days."
    )
    draft = await write(
        services, world.tenant.id, title=f"Draft {word}", content=f"Soon {word}.", status="draft"
    )
    body = await factory.gql(
        UPDATE,
        {"i": {"id": gid("ka", published.id), "content": f"Refunds {word} in 60 days."}},
        token=world.token,
    )
    assert error_codes(body) == [], body
    return Side(world, word, published, draft)


@pytest.fixture
async def sides(services: Services, factory: Factory) -> tuple[Side, Side]:
    """(A, B): the victim and the intruder, built alike."""
    return await build_side(services, factory), await build_side(services, factory)


def headers(side: Side, credential: str) -> dict[str, str]:
    if credential == "token":
        return {"Authorization": f"Bearer {side.world.token}", "Content-Type": "application/json"}
    return {"X-API-Key": side.world.api_key, "Content-Type": "application/json"}


async def call(
    factory: Factory, document: str, variables: dict[str, Any], caller: Side, credential: str
) -> dict[str, Any]:
    if credential == "token":
        return await factory.gql(document, variables, token=caller.world.token)
    return await factory.gql(document, variables, api_key=caller.world.api_key)


def leaks(body: Any, victim: Side) -> list[str]:
    text = json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


async def victims_articles(factory: Factory, victim: Side) -> dict[str, Any]:
    body = await call(factory, LIST, {}, victim, "token")
    assert body["data"]["knowledgeArticles"]["totalCount"] == 2
    return dict(body["data"])


@pytest.mark.parametrize("credential", CREDENTIALS)
class TestIntruderByGraphQL:
    async def test_the_connection_lists_only_the_callers_articles(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        for status in (None, "PUBLISHED", "DRAFT"):
            body = await call(factory, LIST, {"status": status}, intruder, credential)
            assert error_codes(body) == [], body
            titles = {edge["node"]["title"] for edge in body["data"]["knowledgeArticles"]["edges"]}
            assert titles <= {f"Refunds {intruder.word}", f"Draft {intruder.word}"}
            assert len(titles) == (2 if status is None else 1)
            assert not leaks(body, victim), body

    @pytest.mark.parametrize("document", [ONE, NODE])
    async def test_article_and_node_read_the_victims_articles_as_missing(
        self, factory: Factory, sides: tuple[Side, Side], credential: str, document: str
    ) -> None:
        victim, intruder = sides
        root = "knowledgeArticle" if document == ONE else "node"
        for article_id in victim.ids():
            body = await call(factory, document, {"id": article_id}, intruder, credential)
            assert error_codes(body) == [] and body["data"][root] is None, body
            owner = await call(factory, document, {"id": article_id}, victim, "token")
            assert owner["data"][root]["id"] == article_id

    async def test_search_finds_only_the_callers_articles(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        body = await call(factory, SEARCH, {"q": f"refunds {victim.word}"}, intruder, credential)
        results = body["data"]["searchKnowledge"]["results"]
        assert [hit["article"]["id"] for hit in results] == [gid("ka", intruder.published.id)]
        assert not leaks(body, victim), body
        owner = await call(factory, SEARCH, {"q": f"refunds {victim.word}"}, victim, "token")
        owned = owner["data"]["searchKnowledge"]["results"]
        assert [hit["article"]["id"] for hit in owned] == [gid("ka", victim.published.id)]

    async def test_changes_aimed_at_the_victims_articles_find_nothing(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        before = await victims_articles(factory, victim)
        for article_id in victim.ids():
            for document, variables in (
                (UPDATE, {"id": article_id, "title": "Probe"}),
                (UPDATE, {"id": article_id, "status": "ARCHIVED"}),
                (ARCHIVE, {"id": article_id}),
            ):
                body = await call(factory, document, {"i": variables}, intruder, credential)
                assert error_codes(body) == ["NOT_FOUND"], (document, body)
                assert not leaks(body, victim), body
        assert await victims_articles(factory, victim) == before

    async def test_a_slug_the_victim_holds_is_the_callers_to_take(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        """Slugs are unique within a tenant: another tenant's slug neither conflicts nor is
        touched."""
        victim, intruder = sides
        slug = f"probe-{uuid.uuid4().hex[:8]}"
        fields = {"title": "Probe", "content": "x", "category": "faq", "slug": slug}
        owner = await call(factory, CREATE, {"i": fields}, victim, "token")
        assert error_codes(owner) == [], owner
        before = await call(factory, LIST, {}, victim, "token")
        body = await call(factory, CREATE, {"i": fields}, intruder, credential)
        assert error_codes(body) == [], body
        assert body["data"]["createKnowledgeArticle"]["article"]["slug"] == slug
        assert not leaks(body, victim), body
        assert await call(factory, LIST, {}, victim, "token") == before
        again = await call(factory, CREATE, {"i": fields}, victim, "token")
        assert error_codes(again) == ["CONFLICT"]


@pytest.mark.parametrize("credential", CREDENTIALS)
class TestIntruderByRest:
    async def test_the_list_holds_only_the_callers_articles(
        self, client: httpx.AsyncClient, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        for query in ("", "?status=draft", "?status=published"):
            response = await client.get(
                f"/api/v1/knowledge{query}", headers=headers(intruder, credential)
            )
            body = response.json()
            assert len(body["data"]) == body["pagination"]["total"] == (1 if query else 2)
            assert not leaks(body, victim), body

    async def test_the_victims_articles_and_revisions_are_not_found(
        self, client: httpx.AsyncClient, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        article = victim.published
        for path in (
            f"/api/v1/knowledge/{gid('ka', article.id)}",
            f"/api/v1/knowledge/{article.id}",
            f"/api/v1/knowledge/{article.id}/revisions/1",
            f"/api/v1/knowledge/{article.id}/revisions/2",
            f"/api/v1/knowledge/{victim.draft.id}",
        ):
            response = await client.get(path, headers=headers(intruder, credential))
            assert response.status_code == 404, (path, response.text)
            assert not leaks(response.json(), victim)
            owner = await client.get(path, headers=headers(victim, "token"))
            assert owner.status_code == 200, (path, owner.text)

    async def test_changes_to_the_victims_articles_are_not_found(
        self,
        factory: Factory,
        client: httpx.AsyncClient,
        sides: tuple[Side, Side],
        credential: str,
    ) -> None:
        victim, intruder = sides
        before = await victims_articles(factory, victim)
        for article_id in victim.ids():
            path = f"/api/v1/knowledge/{article_id}"
            changed = await client.patch(
                path, content=b'{"title": "Probe"}', headers=headers(intruder, credential)
            )
            removed = await client.delete(path, headers=headers(intruder, credential))
            for response in (changed, removed):
                assert response.status_code == 404, response.text
                assert not leaks(response.json(), victim)
        assert await victims_articles(factory, victim) == before

    async def test_both_searches_find_only_the_callers_articles(
        self, client: httpx.AsyncClient, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        query = f"refunds {victim.word}"
        semantic = json.dumps({"query": query, "threshold": 0, "limit": 10})
        for caller, credential_used, expected in (
            (intruder, credential, intruder.published),
            (victim, "token", victim.published),
        ):
            response = await client.post(
                "/api/v1/knowledge/search",
                content=semantic,
                headers=headers(caller, credential_used),
            )
            found = [hit["id"] for hit in response.json()["results"]]
            assert found == [gid("ka", expected.id)], response.text
            if caller is intruder:
                assert not leaks(response.json(), victim)
        v1 = f"/v1/articles/search?q=refunds+{victim.word}"
        theirs = await client.get(v1, headers={"X-API-Key": intruder.world.api_key})
        listed = {article["id"] for article in theirs.json()["articles"]}
        assert listed <= {gid("ka", intruder.published.id)}, theirs.text
        assert not leaks(theirs.json(), victim)
        owner = await client.get(v1, headers={"X-API-Key": victim.world.api_key})
        owned = [article["id"] for article in owner.json()["articles"]]
        assert owned == [gid("ka", victim.published.id)], owner.text
