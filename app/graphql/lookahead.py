"""Which nested fields a query selects, so a list resolver can fetch them up front.

Resolving nested objects through DataLoaders puts every ticket and comment on graphql-core's
asynchronous path, which dominated the cost of a board query; fetching them with the page and
resolving synchronously keeps it on the fast path."""

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from app.graphql.context import Info


def _paths(selections: Iterable[Selection], prefix: str) -> Iterable[str]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            path = f"{prefix}{selection.name}"
            yield path
            yield from _paths(selection.selections, path + ".")
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _paths(selection.selections, prefix)


def selected_paths(info: Info) -> set[str]:
    """Dotted paths below the current field, fragments flattened: {"edges.node.comments", ...}."""
    return {path for field in info.selected_fields for path in _paths(field.selections, "")}
