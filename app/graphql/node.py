"""`node(id)`: any object by its global id, through the same tenant-scoped loaders."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from app.auth.repository import ApiKeyRepository
from app.auth.types import ApiKeyType, UserType
from app.boards.types import BoardType
from app.cases.resolvers import case_node
from app.comments.types import CommentType
from app.connectors.types import ConnectorNode, InboundMappingType, OutboundActionNode
from app.graphql.context import Info
from app.graphql.permissions import IsAuthenticated
from app.graphql.relay import Node
from app.kit.errors import NotFound
from app.kit.ids import parse_global_id
from app.knowledge.resolvers import knowledge_article_node
from app.referrals.resolvers import referral_node
from app.tickets.types import TicketType
from app.widgets.resolvers import widget_token_node

Fetch = Callable[[Info, uuid.UUID], Awaitable[Any]]


async def _api_key(info: Info, pk: uuid.UUID) -> ApiKeyType | None:
    principal = info.context.require()
    if not principal.is_admin:
        return None
    async with info.context.services.db.read() as session:
        row = await ApiKeyRepository(session, principal.tenant_id).get(pk)
    return ApiKeyType.from_row(row) if row else None


def _via(loader: str, convert: Callable[[Any], Any]) -> Fetch:
    async def fetch(info: Info, pk: uuid.UUID) -> Any:
        row = await getattr(info.context.loaders, loader).load(pk)
        return convert(row) if row else None

    return fetch


def _admin_via(loader: str, convert: Callable[[Any], Any]) -> Fetch:
    """Objects only administrators may read (connectors hold signing secrets): to anyone
    else they do not exist."""
    fetch = _via(loader, convert)

    async def admin_fetch(info: Info, pk: uuid.UUID) -> Any:
        return await fetch(info, pk) if info.context.require().is_admin else None

    return admin_fetch


FETCHERS: dict[str, Fetch] = {
    "Ticket": _via("ticket", TicketType.from_row),
    "Board": _via("board", BoardType.from_row),
    "Comment": _via("comment", CommentType.from_row),
    "User": _via("user", UserType.from_row),
    "ApiKey": _api_key,
    "WidgetToken": widget_token_node,
    "Connector": _admin_via("connector", ConnectorNode.from_row),
    "InboundMapping": _admin_via("inbound_mapping", InboundMappingType.from_row),
    "OutboundAction": _admin_via("outbound_action", OutboundActionNode.from_row),
    "SafetyCase": case_node,
    "Referral": referral_node,
    "KnowledgeArticle": knowledge_article_node,
}


@strawberry.type
class NodeQueries:
    @strawberry.field(permission_classes=[IsAuthenticated], description="Any object by global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        try:
            type_name, pk = parse_global_id(id)
        except NotFound:
            return None
        fetch = FETCHERS.get(type_name)
        return await fetch(info, pk) if fetch else None
