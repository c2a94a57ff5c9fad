"""What a GraphQL request costs, estimated from its document before it runs.

cost = 1 + every requested field, each counted as many times as the lists above it may repeat
it: `tickets(first: 100) { id title }` costs 1 + 1 + 100 * 2. Estimating up front (rather
than counting rows afterwards) is what lets an expensive query be refused before it runs."""

import json
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
)

from app.kit.pagination import MAX_PAGE

# Arguments that make a field return up to N items.
PAGE_ARGUMENTS = ("first", "last", "limit")


def request_cost(body: bytes, max_tokens: int, ceiling: int) -> int:
    """The cost of a POSTed JSON body (one operation or a batch); 1 when it does not parse, so
    the app still answers with its own error. Never more than `ceiling`, so an absurd `first`
    stays a small number."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # the app refuses both with its own coded 400
        return 1
    operations = payload if isinstance(payload, list) else [payload]
    total = 0
    for operation in operations:
        total += (
            operation_cost(operation, max_tokens, ceiling) if isinstance(operation, dict) else 1
        )
        if total >= ceiling:
            return ceiling
    return max(total, 1)


def operation_cost(payload: dict[str, Any], max_tokens: int, ceiling: int) -> int:
    query, variables = payload.get("query"), payload.get("variables")
    if not isinstance(query, str):
        return 1
    try:
        # The same token cap as the app's validation, so estimating cannot be the expensive part.
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return 1
    estimator = _Estimator(
        {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)},
        variables if isinstance(variables, dict) else {},
        ceiling,
    )
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    name = payload.get("operationName")
    chosen = [o for o in operations if o.name and o.name.value == name] if name else operations
    # Without a (matching) name the app picks or refuses; charging the dearest is safe either way.
    return 1 + max((estimator.selections(o.selection_set, 1, ()) for o in chosen), default=0)


class _Estimator:
    def __init__(
        self, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any], ceiling: int
    ) -> None:
        self.fragments, self.variables, self.ceiling = fragments, variables, ceiling

    def selections(
        self, selection_set: SelectionSetNode | None, multiplier: int, seen: tuple[str, ...]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                inner = min(multiplier * self.page_size(node), self.ceiling)
                total += multiplier + self.selections(node.selection_set, inner, seen)
            elif isinstance(node, InlineFragmentNode):
                total += self.selections(node.selection_set, multiplier, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                # A fragment that spreads itself is invalid; the app reports it, we stop here.
                if fragment is not None and name not in seen:
                    total += self.selections(fragment.selection_set, multiplier, (*seen, name))
            if total >= self.ceiling:
                return self.ceiling
        return total

    def page_size(self, field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value: Any = None
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
            if isinstance(value, int) and value > 1:
                # The app refuses larger pages with its own error; they never cost more to run.
                return min(value, MAX_PAGE)
        return 1
