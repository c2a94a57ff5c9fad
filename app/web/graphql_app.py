from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from app.graphql.context import Context, build_context
from app.graphql.schema import build_schema
from app.realtime.fanout import Encoded, LiveFanout
from app.services import Services
from app.web.graphiql import graphiql_page
from app.web.graphql_body import decode, read_body, refusal
from app.web.graphql_ws import HavenTransportWS, connect_live


class HavenGraphQL(GraphQL):
    """GraphQL over POST only (no operations over GET), subscriptions over
    graphql-transport-ws only, GraphiQL outside production."""

    graphql_transport_ws_handler_class = HavenTransportWS  # type: ignore[assignment]

    def __init__(self, services: Services) -> None:
        super().__init__(
            build_schema(services.settings),
            graphql_ide=None if services.settings.production else "graphiql",
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=services.settings.max_subscriptions_per_connection,
        )
        self.services = services
        self.fanout = LiveFanout(self.schema, services, services.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As Strawberry's, except that refusals (a body that cannot be read, GraphiQL where it
        is off) are GraphQL errors with a code, not plain text."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            response = refusal(error.status_code, error.reason)
        await response(scope, receive, send)

    def parse_json(self, data: str | bytes) -> object:
        return read_body(data)

    def decode_json(self, data: str | bytes) -> object:
        return decode(data)

    def encode_json(self, data: object) -> str | bytes:
        if isinstance(data, Encoded):
            return str(data)
        return super().encode_json(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from this server's own assets (Strawberry's page loads them from a CDN)."""
        return graphiql_page(subscriptions=bool(self.protocols))

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Any
    ) -> Context:
        return await build_context(self.services, request, response)

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        await connect_live(self.services, context)
