"""Fields whose resolution is recorded per viewer (a chain-of-custody entry with the viewer's
address and client, an audit entry per export). A result that selects one is never shared
between subscribers, even between sockets of one person: each viewer's access is its own."""

from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLSchema, TypeInfo, TypeInfoVisitor, visit
from graphql.language import Visitor

RECORDS_EACH_VIEWER = {"records_each_viewer": True}
_BACKREF = "strawberry-definition"


class _Finder(Visitor):
    def __init__(self, types: TypeInfo) -> None:
        super().__init__()
        self.types, self.found = types, False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        field = self.types.get_field_def()
        definition = field.extensions.get(_BACKREF) if field is not None else None
        metadata = getattr(definition, "metadata", None) or {}
        if metadata.get("records_each_viewer"):
            self.found = True


def records_each_viewer(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Whether resolving `document` records something about whoever asked."""
    types = TypeInfo(schema)
    finder = _Finder(types)
    visit(document, TypeInfoVisitor(types, finder))
    return finder.found
