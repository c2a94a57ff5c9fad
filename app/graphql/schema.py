"""The Haven GraphQL schema, assembled from each domain's queries and mutations."""

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from app.auth.resolvers import AuthMutations, AuthQueries
from app.auth.types import ApiKeyType, UserType
from app.boards.resolvers import BoardMutations, BoardQueries
from app.boards.types import BoardType
from app.comments.resolvers import CommentMutations
from app.comments.types import CommentType
from app.graphql.errors import CodedErrors, HideSuggestions
from app.graphql.node import NodeQueries
from app.kit.settings import Settings
from app.tickets.resolvers import TicketMutations, TicketQueries
from app.tickets.types import TicketType

Query = merge_types("Query", (NodeQueries, AuthQueries, BoardQueries, TicketQueries))
Mutation = merge_types(
    "Mutation", (AuthMutations, BoardMutations, TicketMutations, CommentMutations)
)
NODE_TYPES = [TicketType, BoardType, CommentType, UserType, ApiKeyType]


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        CodedErrors,
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if settings.production:
        extensions += [DisableIntrospection, lambda: AddValidationRules([HideSuggestions])]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


schema = build_schema(Settings(env="development"))
