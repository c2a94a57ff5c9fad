"""Knowledge base queries and mutations: parse input, call the service, map the result."""

import uuid

import strawberry

from app.graphql.context import Info
from app.graphql.permissions import CanWrite, IsAuthenticated
from app.graphql.relay import Connection
from app.kit.ids import expect_global_id
from app.knowledge import reading, service
from app.knowledge.models import ArticleStatus
from app.knowledge.repository import ArticleFilter
from app.knowledge.types import (
    ArchiveKnowledgeArticleInput,
    CreateKnowledgeArticleInput,
    KnowledgeArticlePayload,
    KnowledgeArticleType,
    KnowledgeSearchHit,
    KnowledgeSearchResults,
    UpdateKnowledgeArticleInput,
)


async def knowledge_article_node(info: Info, pk: uuid.UUID) -> KnowledgeArticleType | None:
    """`node(id)` and `knowledgeArticle(id)`: an article the caller may not read is missing."""
    principal = info.context.require()
    async with info.context.services.db.read() as session:
        row = await service.articles_of(session, principal).get(pk)
    return KnowledgeArticleType.from_row(row) if row else None


def _status(value: ArticleStatus | None) -> str | None:
    return value.value if value is not None else None


@strawberry.type
class KnowledgeQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Knowledge articles, newest first; published ones only for viewers.",
    )
    async def knowledge_articles(
        self,
        info: Info,
        status: ArticleStatus | None = None,
        category: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[KnowledgeArticleType]:
        principal = info.context.require()
        return await Connection.listed(
            info.context.services.db,
            lambda session: service.articles_of(session, principal),
            ArticleFilter(status=_status(status), category=reading.category_filter(category)),
            first,
            after,
            KnowledgeArticleType.from_row,
        )

    @strawberry.field(permission_classes=[IsAuthenticated], description="One article by id.")
    async def knowledge_article(self, info: Info, id: strawberry.ID) -> KnowledgeArticleType | None:
        return await knowledge_article_node(info, expect_global_id(id, "KnowledgeArticle"))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Semantic search of the published articles, best first (limit 1-10, "
        "threshold 0-1). Each search records when it returned an article (`lastUsedAt`).",
    )
    async def search_knowledge(
        self,
        info: Info,
        query: str,
        limit: int = reading.DEFAULT_SEARCH_LIMIT,
        category: str | None = None,
        threshold: float = reading.DEFAULT_THRESHOLD,
    ) -> KnowledgeSearchResults:
        found = await reading.find(
            info.context.services,
            info.context.require(),
            reading.search_query(query),
            limit=reading.in_range(limit, "limit", reading.SEARCH_LIMIT),
            threshold=reading.threshold_of(threshold),
            category=reading.category_filter(category),
            marks_used=True,
        )
        return KnowledgeSearchResults(
            results=[KnowledgeSearchHit.of(hit) for hit in found.hits],
            query_embedding_tokens=found.query_tokens,
        )


@strawberry.type
class KnowledgeMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Write an article (a draft unless published); it is indexed for search "
        "after the change commits.",
    )
    async def create_knowledge_article(
        self, info: Info, input: CreateKnowledgeArticleInput
    ) -> KnowledgeArticlePayload:
        fields = service.ArticleFields(
            title=input.title,
            content=input.content,
            category=input.category,
            tags=input.tags,
            status=_status(input.status),
            slug=input.slug,
        )
        async with info.context.services.db.transaction() as work:
            article = await service.create_article(work.session, info.context.require(), fields)
        return KnowledgeArticlePayload(article=KnowledgeArticleType.from_row(article))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Change an article; the version it replaces is kept as a revision.",
    )
    async def update_knowledge_article(
        self, info: Info, input: UpdateKnowledgeArticleInput
    ) -> KnowledgeArticlePayload:
        pk = expect_global_id(input.id, "KnowledgeArticle")
        fields = service.ArticleFields(
            title=input.title,
            content=input.content,
            category=input.category,
            tags=input.tags,
            status=_status(input.status),
            slug=input.slug,
        )
        async with info.context.services.db.transaction() as work:
            article = await service.update_article(work.session, info.context.require(), pk, fields)
        return KnowledgeArticlePayload(article=KnowledgeArticleType.from_row(article))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Archive an article: out of every search and of viewers' lists; its "
        "revisions are kept.",
    )
    async def archive_knowledge_article(
        self, info: Info, input: ArchiveKnowledgeArticleInput
    ) -> KnowledgeArticlePayload:
        pk = expect_global_id(input.id, "KnowledgeArticle")
        async with info.context.services.db.transaction() as work:
            article = await service.archive_article(work.session, info.context.require(), pk)
        return KnowledgeArticlePayload(article=KnowledgeArticleType.from_row(article))
