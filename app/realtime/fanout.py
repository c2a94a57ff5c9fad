"""Subscription delivery that executes and encodes each event once per process.

Strawberry would run every subscriber's selection over every event: at 1,000 subscribers that
was most of the CPU an event cost. Subscribers asking the same document with the same
variables and the same visibility get the same payload, so it is executed and JSON-encoded
once, and each subscriber only gets its operation id spliced in.

Only results that are provably identical are shared: the key holds the principal (tenant,
credential, role) besides the document and variables, so rights never cross between viewers,
and a document selecting a field recorded per viewer (custody, exports) is never shared."""

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import create_source_event_stream
from graphql.validation import NoSchemaIntrospectionCustomRule

from app.graphql.context import Context
from app.graphql.errors import CodedErrors
from app.graphql.limits import validation_rules
from app.graphql.per_viewer import records_each_viewer
from app.kit.settings import Settings
from app.services import Services

Send = Callable[[str], Awaitable[None]]


class Encoded(str):
    """A message already encoded as JSON; the transport sends it as it is."""


class LiveFanout:
    def __init__(self, schema: Any, services: Services, settings: Settings) -> None:
        self.schema = schema._schema
        self.services, self.settings = services, settings
        self.rules: list[type[ASTValidationRule]] = [*specified_rules, *validation_rules(settings)]
        if settings.production:
            self.rules.append(NoSchemaIntrospectionCustomRule)
        self.documents: OrderedDict[str, Planned | None] = OrderedDict()
        self.payloads: OrderedDict[tuple[Any, ...], asyncio.Future[str]] = OrderedDict()
        self.shaper = CodedErrors()

    def plan(self, query: str, operation_name: str | None) -> "Planned | None":
        """The parsed document when it is a valid subscription; None leaves it to Strawberry
        (queries, mutations, and every error path keep Strawberry's exact behaviour)."""
        key = f"{operation_name}\n{query}"
        if key not in self.documents:
            document = self._eligible(query, operation_name)
            self.documents[key] = (
                None
                if document is None
                else Planned(document, records_each_viewer(self.schema, document))
            )
            if len(self.documents) > 256:
                self.documents.popitem(last=False)
        return self.documents[key]

    def _eligible(self, query: str, operation_name: str | None) -> DocumentNode | None:
        try:
            document = parse(query, max_tokens=self.settings.graphql_max_tokens)
        except GraphQLError:
            return None
        if validate(self.schema, document, self.rules):
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation != OperationType.SUBSCRIPTION:
            return None
        return document

    async def run(
        self,
        context: Context,
        query: str,
        planned: "Planned",
        variables: dict[str, Any] | None,
        operation_name: str | None,
        send_payload: Send,
    ) -> None:
        """Stream the subscription, sending each payload as encoded JSON."""
        document = planned.document
        source = await create_source_event_stream(
            self.schema, document, None, context, variables, operation_name
        )
        if isinstance(source, ExecutionResult):
            await send_payload(self._encode(source))
            return
        # None: executed for this subscriber alone, since it records something per viewer.
        shared = (
            None
            if planned.per_viewer
            else (json.dumps(variables or {}, sort_keys=True), operation_name, query)
        )
        try:
            async with aclosing(source) as events:  # type: ignore[type-var]
                async for view in events:
                    payload = await self._payload(context, document, variables, view, shared)
                    await send_payload(payload)
        except Exception as error:  # what Strawberry does too: errors in the stream end it
            await send_payload(self._encode(ExecutionResult(None, [_located(error)])))

    async def _payload(
        self,
        context: Context,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        view: Any,
        shared: tuple[Any, ...] | None,
    ) -> str:
        principal = context.require()
        if shared is None:
            return await self._execute(context, document, variables, view)
        viewer = (principal.tenant_id, principal.kind, principal.actor_id, principal.role)
        key = (*viewer, int(view.seq), view.kind, *shared)
        future = self.payloads.get(key)
        if future is None:
            future = asyncio.ensure_future(self._execute(context, document, variables, view))
            self.payloads[key] = future
            if len(self.payloads) > 4096:
                self.payloads.popitem(last=False)
        return await asyncio.shield(future)

    async def _execute(
        self, context: Context, document: DocumentNode, variables: dict[str, Any] | None, view: Any
    ) -> str:
        # A fresh context: its loaders read current data; the connection is the subscriber's,
        # so anything recorded about the access names its own address and client.
        fresh = Context(self.services, context.connection, context.require(), live=context.live)
        result = execute(self.schema, document, view, fresh, variables)
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        return self._encode(result)  # type: ignore[arg-type]

    def _encode(self, result: ExecutionResult) -> str:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [self.shaper.shape(error).formatted for error in result.errors]
        return json.dumps(payload, separators=(",", ":"))


@dataclass(frozen=True)
class Planned:
    """A valid subscription document, and whether its results are recorded per viewer."""

    document: DocumentNode
    per_viewer: bool


def _located(error: Exception) -> GraphQLError:
    if isinstance(error, GraphQLError):
        return error
    return GraphQLError(str(error), original_error=error)


def next_message(operation_id: str, payload: str) -> Encoded:
    return Encoded(f'{{"id":{json.dumps(operation_id)},"type":"next","payload":{payload}}}')
