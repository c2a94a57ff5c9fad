from contextlib import suppress
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from app.graphql.context import Context, authenticate, build_context, credentials
from app.graphql.schema import build_schema
from app.kit.errors import Unauthenticated
from app.realtime.fanout import Encoded, LiveFanout, next_message
from app.services import Services


class HavenTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Valid subscriptions go through the shared fan-out; everything else, Strawberry."""
        fanout: LiveFanout = self.view.fanout  # type: ignore[attr-defined]
        document = fanout.plan(operation.query, operation.operation_name)
        if document is None:
            await super().run_operation(operation)
            return

        async def send(payload: str) -> None:
            await self.send_message(next_message(operation.id, payload))  # type: ignore[arg-type]

        # A client's own `complete` cancels this task; then no `complete` is sent back.
        await fanout.run(
            self.context,
            operation.query,
            document,
            operation.variables,
            operation.operation_name,
            send,
        )
        with suppress(Exception):  # the socket may already be gone
            await operation.send_operation_message({"id": operation.id, "type": "complete"})

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Bad credentials close the socket with 4401, as graphql-transport-ws clients expect."""
        try:
            await super().handle_connection_init(message)
        except Unauthenticated:
            await self.websocket.close(code=4401, reason="Unauthorized")


def params_credentials(params: dict[str, Any]) -> tuple[str, str] | None:
    """Credentials from `connection_init`: `authorization` ("Bearer ..."), `token`, or
    `apiKey`, matched without regard to case or dashes."""
    flat = {key.lower().replace("-", "").replace("_", ""): value for key, value in params.items()}
    headers: dict[str, str] = {}
    if isinstance(flat.get("authorization"), str):
        headers["authorization"] = flat["authorization"]
    elif isinstance(flat.get("token"), str):
        headers["authorization"] = f"Bearer {flat['token']}"
    for key in ("apikey", "xapikey"):
        if isinstance(flat.get(key), str):
            headers["x-api-key"] = flat[key]
    return credentials(headers)


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

    def encode_json(self, data: object) -> str | bytes:
        if isinstance(data, Encoded):
            return str(data)
        return super().encode_json(data)

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Any
    ) -> Context:
        return await build_context(self.services, request, response)

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        found = params_credentials(context.connection_params or {})
        if found is None:
            raise Unauthenticated("connection_init must carry an access token or API key")
        context.principal = await authenticate(self.services, found)
        context.auth_error = None
