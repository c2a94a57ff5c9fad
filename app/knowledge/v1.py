"""GET /v1/articles/search: the help-centre search of the v1 API, for servers holding an API
key. It reads published articles only, through the same hybrid search as /api/v1/knowledge."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.knowledge import reading
from app.knowledge.rest import SEARCH_UNAVAILABLE
from app.knowledge.v1_bodies import V1Article, V1ArticleResults
from app.rest.auth import api_principal
from app.rest.envelope import invalid
from app.rest.openapi_schemas import API_KEY
from app.rest.operations import JSONBody, Operation, Reply, routes
from app.services import Services

DEFAULT_LIMIT, MAX_LIMIT = 10, 50
# A customer scanning a help-centre search wants the answer among the results more than every
# result to be relevant, so this floor is far below the drafting search's threshold (0.5): an
# article with less than a one-in-ten chance of being relevant at all is left out, so an
# unrelated query finds nothing rather than the least unrelated articles. (Being relevant
# includes being related, so an article scores higher than it would as a chance of answering:
# 0.1 leaves out a best cosine below 0.34, where 0.05 on that narrower scale left out 0.32.) On
# the labelled set, five results at most, 83% of queries get results and 75% their answer
# among them; at 0.5, 44% and 41%.
RELEVANCE_FLOOR = 0.1


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    # Bounding the length first keeps int() away from absurd inputs.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= MAX_LIMIT:
        raise invalid(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


async def search_articles(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = api_principal(request)
    params = request.query_params
    query, size = reading.search_query(params.get("q"), "q"), _limit(params.get("limit"))
    found = await reading.find(services, principal, query, limit=size, threshold=RELEVANCE_FLOOR)
    articles = [V1Article.of(hit) for hit in found.hits]
    return JSONBody(V1ArticleResults(articles=articles, total=len(articles)))


V1_ARTICLE_OPERATIONS = [
    Operation(
        "GET",
        "/v1/articles/search",
        search_articles,
        "searchV1Articles",
        "v1",
        "Search the published knowledge articles, most relevant first",
        API_KEY,
        {200: Reply("The articles found", V1ArticleResults)},
        errors=(400, 401, 429),
        parameters=[
            {
                "name": "q",
                "in": "query",
                "required": True,
                "description": "What to search for, in the customer's words",
                "schema": {"type": "string", "minLength": 1, "maxLength": reading.QUERY_MAX},
                "example": "billing portal",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Most articles to return (1-{MAX_LIMIT}, default {DEFAULT_LIMIT})",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
        ],
        extra={"503": SEARCH_UNAVAILABLE},
    ),
]


def v1_article_routes() -> list[BaseRoute]:
    return routes(V1_ARTICLE_OPERATIONS)
