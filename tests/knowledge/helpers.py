"""Articles for knowledge tests: written through the service, indexed by the job's own code."""

import json
import uuid
from pathlib import Path
from typing import Any

from app.auth.models import Role
from app.auth.principal import Principal
from app.kit.actors import ActorKind
from app.knowledge.models import Article
from app.knowledge.service import ArticleFields, create_article
from app.knowledge.tasks import index_article
from app.services import Services

LABELLED = Path(__file__).resolve().parents[2] / "bench" / "knowledge_set.json"


def labelled_set() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(LABELLED.read_text())
    return loaded


def writer(tenant_id: uuid.UUID, role: Role = Role.AGENT) -> Principal:
    return Principal(tenant_id, role, ActorKind.USER, uuid.uuid4(), "Writer")


async def write(services: Services, tenant_id: uuid.UUID, **fields: Any) -> Article:
    fields.setdefault("category", "faq")
    fields.setdefault("status", "published")
    async with services.db.transaction() as work:
        return await create_article(work.session, writer(tenant_id), ArticleFields(**fields))


async def written_and_indexed(services: Services, tenant_id: uuid.UUID, **fields: Any) -> Article:
    article = await write(services, tenant_id, **fields)
    assert await index_article(services, services.embedder, article.id)
    return article
