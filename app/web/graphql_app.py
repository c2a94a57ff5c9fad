from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from app.graphql.context import Context, build_context
from app.graphql.schema import build_schema
from app.services import Services


class HavenGraphQL(GraphQL):
    """GraphQL over POST only (no operations over GET); GraphiQL outside production."""

    def __init__(self, services: Services) -> None:
        super().__init__(
            build_schema(services.settings),
            graphql_ide=None if services.settings.production else "graphiql",
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.services = services

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Any
    ) -> Context:
        return await build_context(self.services, request, response)
