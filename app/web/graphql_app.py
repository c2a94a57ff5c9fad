from typing import Any

from cross_web import HTTPException
from graphql import parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

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

    async def execute_operation(
        self, request: Request, request_adapter: Any, request_data: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Queries and mutations only: a subscription over HTTP would stream outside the
        socket whose rights are followed, so it is refused (coded 400) before it runs."""
        if _subscribes(request_data, request_adapter.method):
            raise HTTPException(400, "Subscriptions run over WebSocket (graphql-transport-ws)")
        return await super().execute_operation(
            request, request_adapter, request_data, *args, **kwargs
        )

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
        return build_context(self.services, request, response)

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        await connect_live(self.services, context)


MAX_TOKENS = 10_000  # above any query limit; the executor applies the configured one


def _subscribes(request_data: Any, method: str) -> bool:
    """Whether any operation the request would run is a subscription."""
    operations = request_data if isinstance(request_data, list) else [request_data]
    for operation in operations:
        query = getattr(operation, "query", None)
        # The keyword must appear for a subscription; most requests skip the parse.
        if not isinstance(query, str) or "subscription" not in query:
            continue
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
            kind = get_operation_type(document, getattr(operation, "operation_name", None))
        except Exception:  # unparsable or ambiguous: the executor gives its own coded error
            continue
        if kind == OperationType.SUBSCRIPTION:
            return True
    return False
