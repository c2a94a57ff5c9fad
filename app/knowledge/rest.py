"""/api/v1/knowledge: the tenant's knowledge articles, their earlier versions, and the semantic
search that feeds drafting, as the API document describes them. Callers send access tokens or
API keys, as for /api/v1/cases; viewers read published articles only and change nothing."""

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.kit.errors import NotFound
from app.knowledge import reading, service
from app.knowledge.bodies import (
    ARTICLE_ID,
    CREATE_EXAMPLE,
    DETAIL,
    SEARCH_EXAMPLE,
    ArticleCreate,
    ArticleCreated,
    ArticleDetail,
    ArticlePage,
    ArticleSummary,
    ArticleUpdate,
    KnowledgeSearch,
    RevisionDetail,
    SearchHit,
    SearchResults,
)
from app.knowledge.models import Article, ArticleStatus
from app.knowledge.repository import ArticleFilter, ArticleRepository
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    TOKEN_OR_KEY,
    choice_parameter,
    id_parameter,
    refusal,
)
from app.rest.operations import JSONBody, Operation, Reply, read_body, routes
from app.rest.params import caller, choice, limit, path_pk
from app.services import Services

BASE = "/api/v1/knowledge"
ARTICLE_PATH_ID = id_parameter("article_id", "KnowledgeArticle", "knowledge article", ARTICLE_ID)
VERSION_PARAMETER = {
    "name": "version",
    "in": "path",
    "required": True,
    "description": "The version's number; the current one included",
    "schema": {"type": "integer", "minimum": 1},
    "example": 1,
}


def article_pk(raw: str) -> uuid.UUID:
    """An article's global id (`ka_<uuid>`) or its bare UUID; anything else is not found."""
    return path_pk(raw, "KnowledgeArticle", "Knowledge article")


async def _visible(articles: ArticleRepository, pk: uuid.UUID) -> Article:
    article = await articles.get(pk)
    if article is None:
        raise NotFound("Knowledge article")
    return article


async def list_articles(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    params = request.query_params
    where = ArticleFilter(
        status=choice(params, "status", ArticleStatus),
        category=reading.category_filter(params.get("category")),
    )
    size, cursor = limit(params), params.get("cursor")
    async with services.db.read() as session:
        articles = service.articles_of(session, principal)
        page = await articles.page(where, size, cursor)
        total = await articles.count(where)
    data = [ArticleSummary.of(article) for article, _ in page.items]
    return JSONBody(ArticlePage.of(data, page, total))


async def create_article(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    service.require_writer(principal)
    body: ArticleCreate = await read_body(request, ArticleCreate)
    async with services.db.transaction() as work:
        article = await service.create_article(work.session, principal, body.fields())
    return JSONBody(ArticleCreated.of(article), status_code=201)


async def show_article(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = article_pk(request.path_params["article_id"])
    async with services.db.read() as session:
        articles = service.articles_of(session, principal)
        article = await _visible(articles, pk)
        earlier = await reading.versions(articles, principal, article)
    return JSONBody(ArticleDetail.of(article, earlier))


async def update_article(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    service.require_writer(principal)
    pk = article_pk(request.path_params["article_id"])
    body: ArticleUpdate = await read_body(request, ArticleUpdate)
    async with services.db.transaction() as work:
        article = await service.update_article(work.session, principal, pk, body.fields())
        articles = service.articles_of(work.session, principal)
        earlier = await reading.versions(articles, principal, article)
    return JSONBody(ArticleDetail.of(article, earlier))


async def archive_article(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    service.require_writer(principal)
    pk = article_pk(request.path_params["article_id"])
    async with services.db.transaction() as work:
        article = await service.archive_article(work.session, principal, pk)
        articles = service.articles_of(work.session, principal)
        earlier = await reading.versions(articles, principal, article)
    return JSONBody(ArticleDetail.of(article, earlier))


async def show_revision(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = article_pk(request.path_params["article_id"])
    raw = request.path_params["version"]
    # Nine digits hold any version an article reaches; anything else is no version of it.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise NotFound("Revision")
    async with services.db.read() as session:
        articles = service.articles_of(session, principal)
        article = await _visible(articles, pk)
        version = await reading.version_of(articles, principal, article, int(raw))
    return JSONBody(RevisionDetail.of(version))


async def search_articles(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    body: KnowledgeSearch = await read_body(request, KnowledgeSearch)
    found = await reading.find(
        services,
        principal,
        reading.search_query(body.query),
        limit=body.limit,
        threshold=body.threshold,
        category=reading.category_filter(body.category),
        marks_used=True,
    )
    results = [SearchHit.of(hit) for hit in found.hits]
    return JSONBody(SearchResults(results=results, query_embedding_tokens=found.query_tokens))


SEARCH_UNAVAILABLE = {
    **refusal(
        "The embeddings service could not embed the query; retry after Retry-After seconds",
        [reading.SearchUnavailable.code],
        {"code": reading.SearchUnavailable.code, "message": reading.SEARCH_UNAVAILABLE},
    ),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before searching again",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}
ARCHIVED = {**DETAIL, "status": "archived", "archived_at": "2026-04-02T16:00:00.000Z"}

KNOWLEDGE_OPERATIONS = [
    Operation(
        "GET",
        BASE,
        list_articles,
        "listKnowledgeArticles",
        "knowledge",
        "The tenant's knowledge articles, newest first; published ones only for viewers",
        TOKEN_OR_KEY,
        {200: Reply("One page of articles", ArticlePage)},
        errors=(400, 401, 429),
        parameters=[
            {
                "name": "category",
                "in": "query",
                "required": False,
                "description": "Filter by category",
                "schema": {"type": "string"},
            },
            choice_parameter("status", ArticleStatus, "Filter by status"),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
    ),
    Operation(
        "POST",
        BASE,
        create_article,
        "createKnowledgeArticle",
        "knowledge",
        "Write an article; it is embedded for semantic search after it is created",
        TOKEN_OR_KEY,
        {201: Reply("The article, pending indexing", ArticleCreated)},
        errors=(400, 401, 403, 409, 413, 429),
        body=ArticleCreate,
        body_example=CREATE_EXAMPLE,
    ),
    Operation(
        "POST",
        f"{BASE}/search",
        search_articles,
        "searchKnowledge",
        "knowledge",
        "Semantic search of the published articles, best first",
        TOKEN_OR_KEY,
        {200: Reply("The articles at or above the threshold", SearchResults)},
        errors=(400, 401, 413, 429),
        body=KnowledgeSearch,
        body_example=SEARCH_EXAMPLE,
        extra={"503": SEARCH_UNAVAILABLE},
    ),
    Operation(
        "GET",
        f"{BASE}/{{article_id}}",
        show_article,
        "getKnowledgeArticle",
        "knowledge",
        "An article in full, with its earlier versions",
        TOKEN_OR_KEY,
        {200: Reply("The article", ArticleDetail)},
        errors=(401, 404, 429),
        parameters=[ARTICLE_PATH_ID],
    ),
    Operation(
        "PATCH",
        f"{BASE}/{{article_id}}",
        update_article,
        "updateKnowledgeArticle",
        "knowledge",
        "Change an article; the version it replaces is kept, and a new text is re-indexed",
        TOKEN_OR_KEY,
        {200: Reply("The article as it is now", ArticleDetail)},
        errors=(400, 401, 403, 404, 409, 413, 429),
        parameters=[ARTICLE_PATH_ID],
        body=ArticleUpdate,
        body_example={"status": "published", "tags": ["harassment", "policy"]},
    ),
    Operation(
        "DELETE",
        f"{BASE}/{{article_id}}",
        archive_article,
        "archiveKnowledgeArticle",
        "knowledge",
        "Archive an article: out of every search and of viewers' lists; its versions are kept",
        TOKEN_OR_KEY,
        {200: Reply("The article, archived", ArticleDetail, example=ARCHIVED)},
        errors=(401, 403, 404, 429),
        parameters=[ARTICLE_PATH_ID],
    ),
    Operation(
        "GET",
        f"{BASE}/{{article_id}}/revisions/{{version}}",
        show_revision,
        "getKnowledgeRevision",
        "knowledge",
        "One version of an article in full; viewers read the versions that were published",
        TOKEN_OR_KEY,
        {200: Reply("The version", RevisionDetail)},
        errors=(401, 404, 429),
        parameters=[ARTICLE_PATH_ID, VERSION_PARAMETER],
    ),
]


def knowledge_routes() -> list[BaseRoute]:
    return routes(KNOWLEDGE_OPERATIONS)
