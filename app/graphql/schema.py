"""The Haven GraphQL schema, assembled from each domain's queries and mutations."""

from collections.abc import Callable, Iterator
from contextlib import suppress

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from app.ai.resolvers import AIMutations, AIQueries
from app.audit.resolvers import AuditQueries
from app.auth.resolvers import AuthMutations, AuthQueries
from app.auth.types import ApiKeyType, UserType
from app.boards.resolvers import BoardMutations, BoardQueries
from app.boards.types import BoardType
from app.cases.resolvers import CaseMutations, CaseQueries
from app.cases.subscriptions import CaseSubscriptions
from app.cases.types import SafetyCaseType
from app.comments.resolvers import CommentMutations
from app.comments.types import CommentType
from app.connectors.execution_resolvers import ConnectorActionMutations, ConnectorActionQueries
from app.connectors.resolvers import ConnectorMutations, ConnectorQueries
from app.connectors.types import ConnectorNode, InboundMappingType, OutboundActionNode
from app.evidence.resolvers import EvidenceMutations, EvidenceQueries
from app.graphql.errors import CodedErrors
from app.graphql.limits import validation_rules
from app.graphql.node import NodeQueries
from app.intake.resolvers import IntakeMutations, IntakeQueries
from app.kit.settings import Settings
from app.knowledge.resolvers import KnowledgeMutations, KnowledgeQueries
from app.knowledge.types import KnowledgeArticleType
from app.notifications.resolvers import (
    NotificationMutations,
    NotificationQueries,
    NotificationSubscriptions,
)
from app.outbound_webhooks.resolvers import WebhookMutations, WebhookQueries
from app.realtime.resolvers import RealtimeSubscriptions
from app.realtime.types import LONG, Long
from app.referrals.resolvers import ReferralMutations, ReferralQueries
from app.referrals.types import ReferralNode
from app.sla.resolvers import SlaMutations, SlaQueries
from app.tickets.merge_resolvers import MergeMutations
from app.tickets.resolvers import TicketMutations, TicketQueries
from app.tickets.types import TicketType
from app.widgets.resolvers import WidgetMutations, WidgetQueries
from app.widgets.types import WidgetTokenType
from app.workflows.resolvers import WorkflowMutations, WorkflowQueries


class CodedParserCache(ParserCache):
    """A ParserCache that leaves documents it cannot parse to Strawberry's own parse step.

    An error raised from an `on_parse` hook escapes the operation before any extension sees
    it, so syntax errors (token limit included) would reach clients without a code."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


class HavenSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected failures are answers, not incidents, so nothing is logged here; unexpected
        ones are logged once, with their traceback, where `CodedErrors` masks them."""


Query = merge_types(
    "Query",
    (
        NodeQueries,
        AuthQueries,
        BoardQueries,
        TicketQueries,
        WidgetQueries,
        IntakeQueries,
        ConnectorQueries,
        ConnectorActionQueries,
        AuditQueries,
        CaseQueries,
        EvidenceQueries,
        ReferralQueries,
        KnowledgeQueries,
        AIQueries,
        SlaQueries,
        NotificationQueries,
        WorkflowQueries,
        WebhookQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutations,
        BoardMutations,
        TicketMutations,
        MergeMutations,
        CommentMutations,
        WidgetMutations,
        IntakeMutations,
        ConnectorMutations,
        ConnectorActionMutations,
        CaseMutations,
        EvidenceMutations,
        ReferralMutations,
        KnowledgeMutations,
        AIMutations,
        SlaMutations,
        NotificationMutations,
        WorkflowMutations,
        WebhookMutations,
    ),
)
Subscription = merge_types(
    "Subscription", (RealtimeSubscriptions, CaseSubscriptions, NotificationSubscriptions)
)
NODE_TYPES = [
    TicketType,
    BoardType,
    CommentType,
    UserType,
    ApiKeyType,
    WidgetTokenType,
    ConnectorNode,
    InboundMappingType,
    OutboundActionNode,
    SafetyCaseType,
    ReferralNode,
    KnowledgeArticleType,
]


def build_schema(settings: Settings) -> strawberry.Schema:
    rules = validation_rules(settings)
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        CodedErrors,
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: CodedParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if settings.production:
        extensions.append(DisableIntrospection)
    return HavenSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True, scalar_map={Long: LONG}),
    )


schema = build_schema(Settings(env="development"))
