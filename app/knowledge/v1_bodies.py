"""Bodies of the v1 article search as typed models, in the API document's shape. Ids are global
ids (`ka_<uuid>`), as every id the v1 API answers with is (`tkt_...`, `cmt_...`)."""

from typing import Any

from pydantic import ConfigDict, Field

from app.kit.attributes import from_attributes
from app.knowledge import reading
from app.knowledge.preview import preview
from app.knowledge.search import Hit
from app.rest.types import ArticleId, Body

V1_ARTICLE: dict[str, Any] = {
    "id": "ka_880e8400-e29b-41d4-a716-446655440000",
    "title": "Managing Your Subscription",
    "slug": "managing-subscription",
    "excerpt": "Learn how to access and manage your billing portal...",
    "category": "Billing",
    "relevance": 0.95,
}


class V1Article(Body):
    id: ArticleId
    title: str
    slug: str
    excerpt: str = Field(
        description="The start of the best-matching section as plain text, cut between words"
    )
    category: str
    relevance: float = Field(
        ge=0, le=1, description="Calibrated probability that the article answers the query"
    )

    @classmethod
    def of(cls, hit: Hit) -> "V1Article":
        excerpt = preview(reading.section_text(hit))
        return from_attributes(cls, hit.article, excerpt=excerpt, relevance=hit.similarity)


class V1ArticleResults(Body):
    model_config = ConfigDict(json_schema_extra={"example": {"articles": [V1_ARTICLE], "total": 1}})

    articles: list[V1Article] = Field(description="Most relevant first")
    total: int = Field(ge=0, description="How many articles are in `articles`")
