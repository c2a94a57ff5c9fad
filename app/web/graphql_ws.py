"""GraphQL over WebSocket (graphql-transport-ws), with rights kept current for the socket's
whole life: each operation re-authenticates, is charged like an HTTP request and runs in a
context of its own; access changes and token expiry close the socket (see LiveConnection)."""

from contextlib import suppress
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    PingMessage,
)
from strawberry.utils.aio import aclosing

from app.auth.authentication import Credentials, authenticate, credentials
from app.auth.principal import Principal
from app.graphql.context import Context
from app.kit.errors import HavenError, Unauthenticated
from app.kit.unavailable import CODE, MESSAGE, DatabaseUnavailable
from app.realtime.connection import LiveConnection, close_code
from app.realtime.fanout import LiveFanout, next_message
from app.services import Services
from app.tenants import repository as tenants
from app.tenants.models import Plan
from app.web.socket_budget import refusal, refusal_error


def params_credentials(params: dict[str, Any]) -> Credentials | None:
    """Credentials from `connection_init` (or a renewing `ping`): `authorization`
    ("Bearer ..."), `token`, or `apiKey`, matched without regard to case or dashes."""
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


async def connect_live(services: Services, context: Context) -> None:
    """Authenticate `connection_init` and start following the principal's access changes;
    done before the ack, so no change after the ack can go unnoticed."""
    found = params_credentials(context.connection_params or {})
    if found is None:
        raise Unauthenticated("connection_init must carry an access token or API key")
    principal = await authenticate(services, found)
    assert principal is not None
    async with services.db.read() as session:
        tenant = await tenants.get(session, principal.tenant_id)
    plan = Plan(tenant.plan) if tenant is not None else Plan.FREE
    websocket: Any = context.connection

    async def close(code: int, reason: str) -> None:
        await websocket.close(code=code, reason=reason)

    context.principal, context.auth_error = principal, None
    context.live = LiveConnection(services, found, principal, plan, close)
    await context.live.start()


class HavenTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    @property
    def services(self) -> Services:
        return self.context.services

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Bad credentials close the socket with 4401, as graphql-transport-ws clients expect."""
        try:
            await super().handle_connection_init(message)
        except HavenError as error:
            await self.websocket.close(code=close_code(error), reason="Unauthorized")

    async def handle_ping(self, message: PingMessage) -> None:
        """A `ping` may carry fresh credentials for the same person (a renewed token), which
        keep the socket open past the old token's expiry."""
        payload, live = message.get("payload"), self.context.live
        found = params_credentials(payload) if isinstance(payload, dict) else None
        if found is not None and isinstance(live, LiveConnection):
            try:
                await live.reauthenticate(found)
            except HavenError as error:
                await live.close(close_code(error), error.message)
                return
        await super().handle_ping(message)

    async def shutdown(self) -> None:
        await super().shutdown()
        if isinstance(self.context.live, LiveConnection):
            self.context.live.stop()

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Authorize and charge the operation as HTTP would, then run it in its own context:
        valid subscriptions through the shared fan-out, everything else through Strawberry."""
        live = self.context.live
        assert isinstance(live, LiveConnection)
        try:
            principal = await live.current()
        except HavenError:
            return  # the connection is closed
        except DatabaseUnavailable:
            # Nobody's fault and soon over: this operation fails, the socket stays open.
            await self._refuse(operation, {"message": MESSAGE, "extensions": {"code": CODE}})
            return
        payload = {
            "query": operation.query,
            "variables": operation.variables,
            "operationName": operation.operation_name,
        }
        decision = await refusal(self.services, principal, live.plan, self._address(), payload)
        if decision is not None:
            await self._refuse(operation, refusal_error(decision))
            return
        await self._run(operation, self._context_for(principal, live))

    async def _refuse(self, operation: Operation[Context, None], error: dict[str, Any]) -> None:
        refused: ErrorMessage = {
            "id": operation.id,
            "type": "error",
            "payload": [error],  # type: ignore[list-item]
        }
        await operation.send_operation_message(refused)

    def _context_for(self, principal: Principal, live: LiveConnection) -> Context:
        return Context(
            self.services,
            self.context.connection,
            principal,
            connection_params=self.context.connection_params,
            live=live,
        )

    def _address(self) -> str:
        connection = self.context.connection
        client = connection.client if connection is not None else None
        return f"ip:{client.host}" if client else "ip:unknown"

    async def _run(self, operation: Operation[Context, None], context: Context) -> None:
        fanout: LiveFanout = self.view.fanout  # type: ignore[attr-defined]
        planned = fanout.plan(operation.query, operation.operation_name)
        if planned is None:
            await self._run_strawberry(operation, context)
            return

        async def send(payload: str) -> None:
            await self.send_message(next_message(operation.id, payload))  # type: ignore[arg-type]

        # A client's own `complete` cancels this task; then no `complete` is sent back.
        await fanout.run(
            context, operation.query, planned, operation.variables, operation.operation_name, send
        )
        with suppress(Exception):  # the socket may already be gone
            await operation.send_operation_message({"id": operation.id, "type": "complete"})

    async def _run_strawberry(self, operation: Operation[Context, None], context: Context) -> None:
        """Strawberry's own operation loop, with this operation's context instead of the
        connection's (whose loaders and principal would outlive changes)."""
        try:
            source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                await self._send_result_stream(operation, source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
