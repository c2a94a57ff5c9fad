"""Counting GraphQL operations by name, type and outcome, as a schema extension."""

from collections.abc import Iterator
from time import perf_counter

import strawberry
from graphql import GraphQLError, get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionContext

from app.kit.metrics import GRAPHQL_LATENCY, GRAPHQL_OPERATIONS, operation_label

INTERNAL = "INTERNAL_ERROR"


def _operation(context: ExecutionContext) -> tuple[str, str]:
    """(name, type) of the operation run; the name only as the document declares it."""
    document = context.graphql_document
    if document is None:
        return "unparsed", "unknown"
    operation = get_operation_ast(document, context.operation_name)
    if operation is None:
        return "unknown", "unknown"
    name = operation.name.value if operation.name else None
    return operation_label(name), operation.operation.value


def _outcome(context: ExecutionContext, executed: bool) -> str:
    if not executed:  # refused by parsing, validation or a limit
        return "rejected"
    errors: list[GraphQLError] = list(getattr(context.result, "errors", None) or [])
    if not errors:
        return "ok"
    if any((error.extensions or {}).get("code") == INTERNAL for error in errors):
        return "internal_error"
    return "error"


class OperationMetrics(SchemaExtension):
    """Runs first, so it sees the outcome after the other extensions have coded the errors."""

    executed = False

    def on_execute(self) -> Iterator[None]:
        self.executed = True
        yield

    def on_operation(self) -> Iterator[None]:
        started = perf_counter()
        yield
        context = self.execution_context
        name, kind = _operation(context)
        GRAPHQL_OPERATIONS.labels(name, kind, _outcome(context, self.executed)).inc()
        if kind in ("query", "mutation"):
            GRAPHQL_LATENCY.labels(name, kind).observe(perf_counter() - started)


def count_operations(schema: BaseSchema) -> None:
    """Have `schema` count every operation it runs (an app builds its own schema)."""
    if isinstance(schema, strawberry.Schema) and OperationMetrics not in schema.extensions:
        schema.extensions = (OperationMetrics, *schema.extensions)
