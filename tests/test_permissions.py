"""Every root field carries a permission class, and the classes hold up in practice.

The meta-tests walk the schema, so a new query or mutation without a permission class, or
without a document here to try it with, fails the suite until it is added.
"""

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from strawberry.permission import BasePermission
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from app.auth.models import Role
from app.graphql.permissions import Public
from app.graphql.schema import Mutation, Query, schema
from app.tickets.models import Ticket
from tests.evidence.helpers import preserve_by_gql, preserve_input, received_event
from tests.factories import PASSWORD, Factory, World, error_codes, gid
from tests.outbound_webhooks.helpers import endpoint_with_delivery
from tests.referrals.helpers import waiting_referrals

# The only operations open to callers without credentials. Adding one is a security decision.
PUBLIC_MUTATIONS = {"login", "refreshToken"}
# The only queries a viewer may not run.
ADMIN_ONLY_QUERIES = {
    "apiKeys",
    "connectors",
    "connector",
    "widgetTokens",
    "intakeForms",
    "verifyAuditChain",
    "auditLog",
    "ticketSlaPolicy",
    "webhookEndpoints",
    "webhookEndpoint",
    "webhookDeliveries",
}


def graphql_name(field: StrawberryField) -> str:
    return schema.config.name_converter.get_graphql_name(field)


def root_fields(root: type) -> dict[str, StrawberryField]:
    """The root type's fields by GraphQL name (`Mutation.__strawberry_definition__.fields`)."""
    return {graphql_name(f): f for f in get_object_definition(root, strict=True).fields}


MUTATION_FIELDS, QUERY_FIELDS = root_fields(Mutation), root_fields(Query)


@dataclass
class Scene:
    world: World
    ticket: Ticket
    doomed: Ticket
    key_id: str
    refresh_token: str | None
    widget_token_id: str
    connector_id: str = ""
    intake_form_id: str = ""
    case_id: str = ""
    evidence_id: str = ""
    event_id: str = ""
    workflow_id: str = ""
    referral_ids: dict[str, str] = dataclasses.field(default_factory=dict)
    user_id: str = ""
    article_id: str = ""
    # Tickets for the AI and merge mutations: named by the mutation each is for.
    ai_tickets: dict[str, str] = dataclasses.field(default_factory=dict)
    draft_ids: dict[str, str] = dataclasses.field(default_factory=dict)
    # An action to run, and a call of a four-eyes action an agent asked for, to approve.
    action_id: str = ""
    execution_id: str = ""
    # An outbound webhook endpoint and the delivery a ticket made for it.
    webhook_ids: tuple[str, str] = ("", "")


async def build_scene(factory: Factory, *, refresh: bool = True) -> Scene:
    """An admin's tenant with tickets and a key; signing in for a refresh token is slow (the
    password hash), so only scenes that will use `refreshToken` do it."""
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board)
    doomed = await factory.ticket(world.tenant, world.board, title="To delete")
    keys = await factory.gql("query { apiKeys { id } }", token=world.token)
    (key,) = keys["data"]["apiKeys"]
    refresh_token = None
    if refresh:
        login = await factory.gql(
            "mutation($input: LoginInput!) { login(input: $input) { refreshToken } }",
            {"input": login_input(world)},
        )
        refresh_token = login["data"]["login"]["refreshToken"]
    widget = await factory.gql(
        'mutation { createWidgetToken(input: {name: "Site"}) { widgetToken { id } } }',
        token=world.token,
    )
    widget_token_id = widget["data"]["createWidgetToken"]["widgetToken"]["id"]
    scene = Scene(world, ticket, doomed, key["id"], refresh_token, widget_token_id)
    connector = await factory.gql(
        'mutation { createConnector(input: {name: "Platform", type: WEBHOOK}) '
        "{ connector { id } } }",
        token=world.token,
    )
    scene.connector_id = connector["data"]["createConnector"]["connector"]["id"]
    form = await factory.gql(
        'mutation($slug: String!) { createIntakeForm(input: {slug: $slug, title: "Help"}) '
        "{ intakeForm { id } } }",
        {"slug": f"perm-{uuid.uuid4().hex[:12]}"},
        token=world.token,
    )
    scene.intake_form_id = form["data"]["createIntakeForm"]["intakeForm"]["id"]
    case = await factory.gql(
        'mutation { createCase(input: {caseType: FRAUD, priority: HIGH, subject: "Scam"}) '
        "{ case { id } } }",
        token=world.token,
    )
    scene.case_id = case["data"]["createCase"]["case"]["id"]
    scene.evidence_id = await preserve_by_gql(factory, scene.case_id, world.token)
    scene.event_id = await received_event(factory.services, world.tenant.id, ticket.id)
    scene.referral_ids = await waiting_referrals(factory, world)
    scene.user_id = gid("usr", (await factory.user(world.tenant)).id)
    article = await factory.gql(
        'mutation { createKnowledgeArticle(input: {title: "Refunds", content: "30 days.", '
        'category: "faq", status: PUBLISHED}) { article { id } } }',
        token=world.token,
    )
    scene.article_id = article["data"]["createKnowledgeArticle"]["article"]["id"]
    await _ai_scene(factory, scene)
    await _action_scene(factory, scene)
    scene.webhook_ids = await endpoint_with_delivery(factory, world)
    workflow = await factory.gql(WORKFLOW_CREATE, WORKFLOW_INPUT, token=world.token)
    scene.workflow_id = workflow["data"]["createWorkflow"]["workflow"]["id"]
    return scene


ACTION = """mutation($i: CreateOutboundActionInput!) { createOutboundAction(input: $i)
  { action { id } } }"""
RUN = """mutation($i: RunConnectorActionInput!) { runConnectorAction(input: $i)
  { execution { id } } }"""


async def _action_scene(factory: Factory, scene: Scene) -> None:
    world, ids = scene.world, []
    for four_eyes in (False, True):
        made = await factory.gql(
            ACTION,
            {
                "i": {
                    "connectorId": scene.connector_id,
                    "actionType": "SEND_WARNING",
                    "endpoint": "https://platform.example/warn",
                    "method": "POST",
                    "payloadTemplate": '{"case": "{{case_id}}"}',
                    "requiresApproval": four_eyes,
                }
            },
            token=world.token,
        )
        ids.append(made["data"]["createOutboundAction"]["action"]["id"])
    scene.action_id = ids[0]
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    asked = await factory.gql(
        RUN, {"i": {"caseId": scene.case_id, "actionId": ids[1], "reason": "Scam"}}, token=agent
    )
    scene.execution_id = asked["data"]["runConnectorAction"]["execution"]["id"]


DRAFT = "mutation($t: ID!) { draftReply(input: {ticketId: $t}) { draft { id } } }"


async def _ai_scene(factory: Factory, scene: Scene) -> None:
    world = scene.world
    for name in ("draftReply", "approveDraft", "rejectDraft", "ticketToSop", "source", "target"):
        made = await factory.ticket(world.tenant, world.board, title=f"Login fails ({name})")
        scene.ai_tickets[name] = gid("tkt", made.id)
    for name in ("approveDraft", "rejectDraft"):
        drafted = await factory.gql(DRAFT, {"t": scene.ai_tickets[name]}, token=world.token)
        scene.draft_ids[name] = drafted["data"]["draftReply"]["draft"]["id"]
    await factory.gql(
        "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }",
        {"i": {"id": scene.ai_tickets["ticketToSop"], "status": "RESOLVED"}},
        token=world.token,
    )
    merged = await factory.ticket(world.tenant, world.board, title="Merged already")
    scene.ai_tickets["unmergeTicket"] = gid("tkt", merged.id)
    await factory.gql(
        "mutation($i: MergeTicketsInput!) { mergeTickets(input: $i) { source { id } } }",
        {"i": {"sourceId": gid("tkt", merged.id), "targetId": gid("tkt", scene.ticket.id)}},
        token=world.token,
    )


def login_input(world: World) -> dict[str, Any]:
    return {"email": world.admin.email, "password": PASSWORD, "tenant": world.tenant.slug}


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


Operation = tuple[str, Callable[[Scene], dict[str, Any]]]

# A minimal valid document per Mutation field; an admin can run each one successfully.
MUTATIONS: dict[str, Operation] = {
    "login": (
        "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
        lambda s: {"input": login_input(s.world)},
    ),
    "refreshToken": (
        "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken } }",
        lambda s: {"input": {"refreshToken": s.refresh_token}},
    ),
    "createApiKey": (
        "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
        lambda s: {"input": {"name": unique("Key")}},
    ),
    "revokeApiKey": (
        "mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id } } }",
        lambda s: {"input": {"id": s.key_id}},
    ),
    "deactivateUser": (
        "mutation($input: SetUserActiveInput!) { deactivateUser(input: $input) { user { id } } }",
        lambda s: {"input": {"id": s.user_id}},
    ),
    "reactivateUser": (
        "mutation($input: SetUserActiveInput!) { reactivateUser(input: $input) { user { id } } }",
        lambda s: {"input": {"id": s.user_id}},
    ),
    "setUserRole": (
        "mutation($input: SetUserRoleInput!) { setUserRole(input: $input) { user { id } } }",
        lambda s: {"input": {"id": s.user_id, "role": "VIEWER"}},
    ),
    "createUser": (
        "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }",
        lambda s: {
            "input": {
                "email": f"{uuid.uuid4().hex[:10]}@example.com",
                "name": "New Admin",
                "role": "ADMIN",
            }
        },
    ),
    "createBoard": (
        "mutation($input: CreateBoardInput!) { createBoard(input: $input) { board { id } } }",
        lambda s: {"input": {"name": unique("Board")}},
    ),
    "createTicket": (
        "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }",
        lambda s: {"input": {"boardId": gid("brd", s.world.board.id), "title": "New"}},
    ),
    "updateTicket": (
        "mutation($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }",
        lambda s: {"input": {"id": gid("tkt", s.ticket.id), "status": "RESOLVED"}},
    ),
    "deleteTicket": (
        "mutation($input: DeleteTicketInput!) { deleteTicket(input: $input) { deletedTicketId } }",
        lambda s: {"input": {"id": gid("tkt", s.doomed.id)}},
    ),
    "addComment": (
        "mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }",
        lambda s: {"input": {"ticketId": gid("tkt", s.ticket.id), "body": "Hello"}},
    ),
    "createWidgetToken": (
        "mutation($input: CreateWidgetTokenInput!) { createWidgetToken(input: $input) { token } }",
        lambda s: {"input": {"name": unique("Widget")}},
    ),
    "revokeWidgetToken": (
        "mutation($input: RevokeWidgetTokenInput!) "
        "{ revokeWidgetToken(input: $input) { widgetToken { id } } }",
        lambda s: {"input": {"id": s.widget_token_id}},
    ),
}

CONNECTOR_MUTATIONS: dict[str, Operation] = {
    "createConnector": (
        "mutation($input: CreateConnectorInput!) "
        "{ createConnector(input: $input) { signingSecret } }",
        lambda s: {"input": {"name": unique("Connector"), "type": "API"}},
    ),
    "rotateConnectorSecret": (
        "mutation($input: RotateConnectorSecretInput!) "
        "{ rotateConnectorSecret(input: $input) { signingSecret } }",
        lambda s: {"input": {"id": s.connector_id}},
    ),
    "deactivateConnector": (
        "mutation($input: DeactivateConnectorInput!) "
        "{ deactivateConnector(input: $input) { connector { id } } }",
        lambda s: {"input": {"id": s.connector_id}},
    ),
    "activateConnector": (
        "mutation($input: ActivateConnectorInput!) "
        "{ activateConnector(input: $input) { connector { id } } }",
        lambda s: {"input": {"id": s.connector_id}},
    ),
    "saveInboundMapping": (
        "mutation($input: SaveInboundMappingInput!) "
        "{ saveInboundMapping(input: $input) { mapping { id } } }",
        lambda s: {
            "input": {
                "connectorId": s.connector_id,
                "eventType": "user_reported",
                "fieldMappings": [{"source": "payload.reason", "target": "category"}],
            }
        },
    ),
    "createOutboundAction": (
        "mutation($input: CreateOutboundActionInput!) "
        "{ createOutboundAction(input: $input) { action { id } } }",
        lambda s: {
            "input": {
                "connectorId": s.connector_id,
                "actionType": "SEND_WARNING",
                "endpoint": "https://platform.example/warn",
                "method": "POST",
                "payloadTemplate": "{}",
            }
        },
    ),
}
MUTATIONS.update(CONNECTOR_MUTATIONS)
MUTATIONS.update(
    {
        "runConnectorAction": (
            RUN,
            lambda s: {"i": {"caseId": s.case_id, "actionId": s.action_id, "reason": "Scam"}},
        ),
        "approveConnectorAction": (
            "mutation($i: ApproveConnectorActionInput!) "
            "{ approveConnectorAction(input: $i) { execution { status } } }",
            lambda s: {"i": {"caseId": s.case_id, "executionId": s.execution_id}},
        ),
        "setConnectorSecret": (
            "mutation($i: SetConnectorSecretInput!) "
            "{ setConnectorSecret(input: $i) { secret { name } } }",
            lambda s: {
                "i": {"connectorId": s.connector_id, "name": "service_key", "value": "sk_1234"}
            },
        ),
    }
)
MUTATIONS.update(
    {
        "createIntakeForm": (
            "mutation($input: CreateIntakeFormInput!) "
            "{ createIntakeForm(input: $input) { intakeForm { id } } }",
            lambda s: {"input": {"slug": f"perm-{uuid.uuid4().hex[:12]}", "title": "Help"}},
        ),
        "updateIntakeForm": (
            "mutation($input: UpdateIntakeFormInput!) "
            "{ updateIntakeForm(input: $input) { intakeForm { id } } }",
            lambda s: {"input": {"id": s.intake_form_id, "title": unique("Help")}},
        ),
    }
)

MUTATIONS.update(
    {
        "createCase": (
            "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }",
            lambda s: {"input": {"caseType": "OTHER", "priority": "LOW", "subject": "Spam ring"}},
        ),
        "linkTicketToCase": (
            "mutation($input: LinkTicketToCaseInput!) "
            "{ linkTicketToCase(input: $input) { case { id } } }",
            lambda s: {"input": {"caseId": s.case_id, "ticketId": gid("tkt", s.ticket.id)}},
        ),
        "transitionCase": (
            "mutation($input: TransitionCaseInput!) "
            "{ transitionCase(input: $input) { previousStatus } }",
            lambda s: {"input": {"id": s.case_id, "status": "INVESTIGATING", "reason": "Triage"}},
        ),
        "assignCase": (
            "mutation($input: AssignCaseInput!) { assignCase(input: $input) { case { id } } }",
            lambda s: {"input": {"id": s.case_id, "assigneeId": gid("usr", s.world.admin.id)}},
        ),
        "setCasePriority": (
            "mutation($input: SetCasePriorityInput!) "
            "{ setCasePriority(input: $input) { case { id } } }",
            lambda s: {"input": {"id": s.case_id, "priority": "CRITICAL", "reason": "Spreading"}},
        ),
        "setCaseSla": (
            "mutation($input: SetCaseSlaInput!) { setCaseSla(input: $input) { minutes } }",
            lambda s: {"input": {"caseType": "FRAUD", "priority": "LOW", "minutes": 600}},
        ),
    }
)

MUTATIONS.update(
    {
        "preserveEvidence": (
            "mutation($input: PreserveEvidenceInput!) "
            "{ preserveEvidence(input: $input) { evidence { id } } }",
            lambda s: {"input": preserve_input(s.case_id)},
        ),
        "preserveWebhookEvidence": (
            "mutation($input: PreserveWebhookEvidenceInput!) "
            "{ preserveWebhookEvidence(input: $input) { evidence { id } } }",
            lambda s: {"input": {"caseId": s.case_id, "eventId": s.event_id, "reason": "Keep"}},
        ),
        "setEvidenceLegalHold": (
            "mutation($input: SetEvidenceLegalHoldInput!) "
            "{ setEvidenceLegalHold(input: $input) { evidence { legalHold } } }",
            lambda s: {"input": {"id": s.evidence_id, "on": True, "reason": "Litigation"}},
        ),
    }
)

# Referrals are made by safeguarding leads and admins, refused to others by the service (to
# whom a CSEA case's referral is missing rather than forbidden).
MUTATIONS.update(
    {
        "createReferral": (
            "mutation($input: CreateReferralInput!) "
            "{ createReferral(input: $input) { referral { id } } }",
            lambda s: {
                "input": {
                    "caseId": s.case_id,
                    "type": "NCA",
                    "urgency": "URGENT",
                    "summary": "Organised fraud against minors",
                }
            },
        ),
        "submitReferralForReview": (
            "mutation($input: SubmitReferralForReviewInput!) "
            "{ submitReferralForReview(input: $input) { referral { status } } }",
            lambda s: {"input": {"id": s.referral_ids["submitReferralForReview"]}},
        ),
        "returnReferralToDraft": (
            "mutation($input: ReturnReferralToDraftInput!) "
            "{ returnReferralToDraft(input: $input) { referral { status } } }",
            lambda s: {
                "input": {"id": s.referral_ids["returnReferralToDraft"], "reason": "Add dates"}
            },
        ),
        "submitReferral": (
            "mutation($input: SubmitReferralInput!) "
            "{ submitReferral(input: $input) { referral { status } } }",
            lambda s: {"input": {"id": s.referral_ids["submitReferral"]}},
        ),
        "acknowledgeReferral": (
            "mutation($input: AcknowledgeReferralInput!) "
            "{ acknowledgeReferral(input: $input) { referral { status } } }",
            lambda s: {
                "input": {
                    "id": s.referral_ids["acknowledgeReferral"],
                    "referenceNumber": "NCA-2026-04-0042",
                }
            },
        ),
        "withdrawReferral": (
            "mutation($input: WithdrawReferralInput!) "
            "{ withdrawReferral(input: $input) { referral { status } } }",
            lambda s: {"input": {"id": s.referral_ids["withdrawReferral"], "reason": "Error"}},
        ),
    }
)

MUTATIONS.update(
    {
        "createKnowledgeArticle": (
            "mutation($input: CreateKnowledgeArticleInput!) "
            "{ createKnowledgeArticle(input: $input) { article { id } } }",
            lambda s: {"input": {"title": unique("Article"), "content": "x", "category": "faq"}},
        ),
        "updateKnowledgeArticle": (
            "mutation($input: UpdateKnowledgeArticleInput!) "
            "{ updateKnowledgeArticle(input: $input) { article { version } } }",
            lambda s: {"input": {"id": s.article_id, "content": "Within 60 days."}},
        ),
        "archiveKnowledgeArticle": (
            "mutation($input: ArchiveKnowledgeArticleInput!) "
            "{ archiveKnowledgeArticle(input: $input) { article { status } } }",
            lambda s: {"input": {"id": s.article_id}},
        ),
    }
)

MUTATIONS.update(
    {
        "draftReply": (
            DRAFT,
            lambda s: {"t": s.ai_tickets["draftReply"]},
        ),
        "approveDraft": (
            "mutation($d: ID!) { approveDraft(input: {draftId: $d}) { draft { status } } }",
            lambda s: {"d": s.draft_ids["approveDraft"]},
        ),
        "rejectDraft": (
            "mutation($d: ID!) { rejectDraft(input: {draftId: $d}) { draft { status } } }",
            lambda s: {"d": s.draft_ids["rejectDraft"]},
        ),
        "ticketToSop": (
            "mutation($t: ID!) { ticketToSop(input: {ticketId: $t}) { article { id } } }",
            lambda s: {"t": s.ai_tickets["ticketToSop"]},
        ),
        "mergeTickets": (
            "mutation($i: MergeTicketsInput!) { mergeTickets(input: $i) { source { id } } }",
            lambda s: {
                "i": {"sourceId": s.ai_tickets["source"], "targetId": s.ai_tickets["target"]}
            },
        ),
        "unmergeTicket": (
            "mutation($t: ID!) { unmergeTicket(input: {ticketId: $t}) { source { id } } }",
            lambda s: {"t": s.ai_tickets["unmergeTicket"]},
        ),
        "updateAiSettings": (
            "mutation { updateAiSettings(input: {applyThreshold: 0.8}) "
            "{ settings { applyThreshold } } }",
            lambda s: {},
        ),
    }
)

# A minimal valid document per Query field.
QUERIES: dict[str, Operation] = {
    "node": ("query($id: ID!) { node(id: $id) { id } }", lambda s: {"id": gid("tkt", s.ticket.id)}),
    "viewer": ("query { viewer { role } }", lambda s: {}),
    "users": ("query { users { id } }", lambda s: {}),
    "apiKeys": ("query { apiKeys { id } }", lambda s: {}),
    "boards": ("query { boards { id } }", lambda s: {}),
    "board": (
        "query($id: ID!) { board(id: $id) { id } }",
        lambda s: {"id": gid("brd", s.world.board.id)},
    ),
    "tickets": ("query { tickets { totalCount } }", lambda s: {}),
    "ticket": (
        "query($id: ID!) { ticket(id: $id) { id } }",
        lambda s: {"id": gid("tkt", s.ticket.id)},
    ),
    "widgetTokens": ("query { widgetTokens { id } }", lambda s: {}),
    "intakeForms": ("query { intakeForms { id } }", lambda s: {}),
}

QUERIES.update(
    {
        "connectors": ("query { connectors { totalCount } }", lambda s: {}),
        "connector": (
            "query($id: ID!) { connector(id: $id) { id } }",
            lambda s: {"id": s.connector_id},
        ),
    }
)
QUERIES.update(
    {
        "verifyAuditChain": ("query { verifyAuditChain { ok } }", lambda s: {}),
        "auditLog": ("query { auditLog { totalCount } }", lambda s: {}),
    }
)
QUERIES.update(
    {
        "cases": ("query { cases { totalCount } }", lambda s: {}),
        "case": ("query($id: ID!) { case(id: $id) { id } }", lambda s: {"id": s.case_id}),
        "evidence": (
            "query($id: ID!) { evidence(caseId: $id) { totalCount } }",
            lambda s: {"id": s.case_id},
        ),
        "evidenceItem": (
            'query($id: ID!) { evidenceItem(id: $id, reason: "Review") { id } }',
            lambda s: {"id": s.evidence_id},
        ),
        "referrals": ("query { referrals { totalCount } }", lambda s: {}),
        "referral": (
            "query($id: ID!) { referral(id: $id) { id status } }",
            lambda s: {"id": s.referral_ids["acknowledgeReferral"]},
        ),
    }
)

QUERIES.update(
    {
        "knowledgeArticles": ("query { knowledgeArticles { totalCount } }", lambda s: {}),
        "knowledgeArticle": (
            "query($id: ID!) { knowledgeArticle(id: $id) { id } }",
            lambda s: {"id": s.article_id},
        ),
        "searchKnowledge": (
            'query { searchKnowledge(query: "refunds") { queryEmbeddingTokens } }',
            lambda s: {},
        ),
    }
)

QUERIES.update(
    {
        "connectorActionExecutions": (
            "query($c: ID!) { connectorActionExecutions(caseId: $c) { id status } }",
            lambda s: {"c": s.case_id},
        ),
    }
)
QUERIES.update(
    {
        "aiSettings": ("query { aiSettings { applyThreshold } }", lambda s: {}),
        "ticketDrafts": (
            "query($t: ID!) { ticketDrafts(ticketId: $t) { id } }",
            lambda s: {"t": s.ai_tickets["approveDraft"]},
        ),
    }
)

MUTATIONS.update(
    {
        "updateTicketSlaPolicy": (
            'mutation { updateTicketSlaPolicy(input: {timeZone: "Europe/Paris"}) '
            "{ policy { timeZone } } }",
            lambda s: {},
        ),
        "markNotificationsRead": (
            "mutation { markNotificationsRead(input: {}) { markedCount } }",
            lambda s: {},
        ),
        "updateNotificationPreferences": (
            "mutation { updateNotificationPreferences(input: {preferences: "
            "[{kind: SLA_WARNING, inApp: true, email: true}]}) { preferences { kind } } }",
            lambda s: {},
        ),
    }
)
QUERIES.update(
    {
        "ticketSlaPolicy": ("query { ticketSlaPolicy { timeZone } }", lambda s: {}),
        "notifications": ("query { notifications { totalCount } }", lambda s: {}),
        "notificationPreferences": ("query { notificationPreferences { kind } }", lambda s: {}),
    }
)

WORKFLOW_CREATE = """mutation($steps: JSON!) { createWorkflow(input: {name: "Tag",
  trigger: {event: "ticket.created"}, steps: $steps}) { workflow { id } } }"""
WORKFLOW_INPUT = {"steps": [{"order": 1, "action": "add_tag", "config": {"tag": "seen"}}]}
MUTATIONS.update(
    {
        "createWorkflow": (WORKFLOW_CREATE, lambda s: WORKFLOW_INPUT),
        "updateWorkflow": (
            'mutation($id: ID!) { updateWorkflow(input: {id: $id, name: "Renamed"}) '
            "{ workflow { id } } }",
            lambda s: {"id": s.workflow_id},
        ),
        "deleteWorkflow": (
            "mutation($id: ID!) { deleteWorkflow(input: {id: $id}) { workflow { id } } }",
            lambda s: {"id": s.workflow_id},
        ),
    }
)
QUERIES.update(
    {
        "workflows": ("query { workflows { id } }", lambda s: {}),
        "workflow": (
            "query($id: ID!) { workflow(id: $id) { id } }",
            lambda s: {"id": s.workflow_id},
        ),
        "workflowExecutions": (
            "query($id: ID!) { workflowExecutions(workflowId: $id) { id } }",
            lambda s: {"id": s.workflow_id},
        ),
    }
)

QUERIES.update(
    {
        "webhookEndpoints": ("query { webhookEndpoints { totalCount } }", lambda s: {}),
        "webhookEndpoint": (
            "query($id: ID!) { webhookEndpoint(id: $id) { id } }",
            lambda s: {"id": s.webhook_ids[0]},
        ),
        "webhookDeliveries": (
            "query($id: ID!) { webhookDeliveries(endpointId: $id) { totalCount } }",
            lambda s: {"id": s.webhook_ids[0]},
        ),
    }
)
# Deleting comes last: the others use the endpoint it deletes.
MUTATIONS.update(
    {
        "createWebhookEndpoint": (
            "mutation($i: CreateWebhookEndpointInput!) "
            "{ createWebhookEndpoint(input: $i) { signingSecret } }",
            lambda s: {"i": {"url": "https://public.example.com/b", "events": ["assigned"]}},
        ),
        "updateWebhookEndpoint": (
            "mutation($i: UpdateWebhookEndpointInput!) "
            "{ updateWebhookEndpoint(input: $i) { endpoint { id } } }",
            lambda s: {"i": {"id": s.webhook_ids[0], "description": "CRM"}},
        ),
        "rotateWebhookSecret": (
            "mutation($i: RotateWebhookSecretInput!) "
            "{ rotateWebhookSecret(input: $i) { signingSecret } }",
            lambda s: {"i": {"id": s.webhook_ids[0]}},
        ),
        "replayWebhookDelivery": (
            "mutation($i: ReplayWebhookDeliveryInput!) "
            "{ replayWebhookDelivery(input: $i) { delivery { id } } }",
            lambda s: {"i": {"endpointId": s.webhook_ids[0], "deliveryId": s.webhook_ids[1]}},
        ),
        "replayFailedWebhookDeliveries": (
            "mutation($i: ReplayFailedWebhookDeliveriesInput!) "
            "{ replayFailedWebhookDeliveries(input: $i) { replayed } }",
            lambda s: {"i": {"endpointId": s.webhook_ids[0], "since": "2026-01-01T00:00:00Z"}},
        ),
        "deleteWebhookEndpoint": (
            "mutation($i: DeleteWebhookEndpointInput!) "
            "{ deleteWebhookEndpoint(input: $i) { deletedId } }",
            lambda s: {"i": {"id": s.webhook_ids[0]}},
        ),
    }
)
STATE = """query {
  boards { id name }
  tickets(first: 100) {
    totalCount edges { node { id status updatedAt comments { id } timeline { kind } } }
  }
  users { id email role }
  apiKeys { id revokedAt }
  connectors(first: 100) {
    edges { node { id status signingSecretLast4 inboundMappingsCount outboundActionsCount } }
  }
  widgetTokens { id revokedAt }
  intakeForms { id slug title isActive }
  cases(first: 100) {
    totalCount
    edges { node { id status priority slaDeadline assignee { id } tickets { id }
      timeline { type } } }
  }
  knowledgeArticles(first: 100) { totalCount edges { node { id title status version } } }
}"""


async def state(factory: Factory, scene: Scene) -> dict[str, Any]:
    body = await factory.gql(STATE, token=scene.world.token)
    assert error_codes(body) == [], body
    return dict(body["data"])


async def run(factory: Factory, operation: Operation, scene: Scene, **credentials: Any) -> dict:
    document, variables = operation
    return await factory.gql(document, variables(scene), **credentials)


# --- Meta-tests over the schema ------------------------------------------------------------


def test_schema_roots_are_the_merged_strawberry_types() -> None:
    """So the walks below see every field the API serves."""
    graphql_schema = schema._schema
    assert graphql_schema.query_type is not None and graphql_schema.mutation_type is not None
    assert set(graphql_schema.query_type.fields) == set(QUERY_FIELDS)
    assert set(graphql_schema.mutation_type.fields) == set(MUTATION_FIELDS)


@pytest.mark.parametrize(
    ("kind", "fields"), [("Mutation", MUTATION_FIELDS), ("Query", QUERY_FIELDS)]
)
def test_every_root_field_has_a_permission_class(kind: str, fields: dict[str, Any]) -> None:
    bare = [name for name, field in fields.items() if not field.permission_classes]
    assert not bare, f"{kind} fields without permission_classes: {bare}"
    for name, field in fields.items():
        for permission in field.permission_classes:
            assert issubclass(permission, BasePermission), (name, permission)


def test_only_sign_in_and_refresh_are_public() -> None:
    public = {
        f"{kind}.{name}"
        for kind, fields in (("Mutation", MUTATION_FIELDS), ("Query", QUERY_FIELDS))
        for name, field in fields.items()
        if Public in field.permission_classes
    }
    assert public == {f"Mutation.{name}" for name in PUBLIC_MUTATIONS}


def test_every_mutation_and_query_has_a_document() -> None:
    assert set(MUTATIONS) == set(MUTATION_FIELDS), "add a document to MUTATIONS"
    assert set(QUERIES) == set(QUERY_FIELDS), "add a document to QUERIES"


# --- Behaviour -----------------------------------------------------------------------------


async def test_documents_work_for_an_admin(factory: Factory) -> None:
    """The control: every document is valid, so a refusal below comes from the permission."""
    scene = await build_scene(factory)
    for name, operation in {**QUERIES, **MUTATIONS}.items():
        body = await run(factory, operation, scene, token=scene.world.token)
        assert error_codes(body) == [] and body["data"][name] is not None, (name, body)


NO_CREDENTIALS: dict[str, dict[str, str]] = {
    "none": {},
    "forged token": {"token": "not-a-jwt"},
    "unknown api key": {"api_key": "hv_" + "x" * 43},
}


@pytest.mark.parametrize("credentials", NO_CREDENTIALS.values(), ids=NO_CREDENTIALS.keys())
@pytest.mark.parametrize("name", sorted(MUTATION_FIELDS))
async def test_mutation_without_credentials_is_unauthenticated(
    factory: Factory, name: str, credentials: dict[str, str]
) -> None:
    scene = await build_scene(factory, refresh=name == "refreshToken")
    before = await state(factory, scene)
    body = await run(factory, MUTATIONS[name], scene, **credentials)
    if name in PUBLIC_MUTATIONS:
        assert error_codes(body) == [] and body["data"][name], body
        return
    assert error_codes(body) == ["UNAUTHENTICATED"], body
    assert body["data"] is None
    assert await state(factory, scene) == before


@pytest.mark.parametrize("credential", ["token", "api_key"])
@pytest.mark.parametrize("name", sorted(MUTATION_FIELDS))
async def test_mutation_by_a_viewer_is_forbidden(
    factory: Factory, name: str, credential: str
) -> None:
    scene = await build_scene(factory, refresh=name == "refreshToken")
    if credential == "token":
        credentials = {
            "token": await factory.token(await factory.user(scene.world.tenant, Role.VIEWER))
        }
    else:
        credentials = {"api_key": await factory.api_key(scene.world.tenant, Role.VIEWER)}
    before = await state(factory, scene)
    body = await run(factory, MUTATIONS[name], scene, **credentials)
    if name in PUBLIC_MUTATIONS:
        assert error_codes(body) == [] and body["data"][name], body
        return
    assert error_codes(body) == ["FORBIDDEN"], body
    assert body["data"] is None
    assert await state(factory, scene) == before


@pytest.mark.parametrize("credentials", NO_CREDENTIALS.values(), ids=NO_CREDENTIALS.keys())
@pytest.mark.parametrize("name", sorted(QUERY_FIELDS))
async def test_query_without_credentials_is_unauthenticated(
    factory: Factory, name: str, credentials: dict[str, str]
) -> None:
    scene = await build_scene(factory, refresh=False)
    body = await run(factory, QUERIES[name], scene, **credentials)
    assert error_codes(body) == ["UNAUTHENTICATED"], body
    assert (body["data"] or {}).get(name) is None


@pytest.mark.parametrize("name", sorted(QUERY_FIELDS))
async def test_query_by_a_viewer_is_allowed_unless_admin_only(factory: Factory, name: str) -> None:
    scene = await build_scene(factory, refresh=False)
    viewer = await factory.token(await factory.user(scene.world.tenant, Role.VIEWER))
    body = await run(factory, QUERIES[name], scene, token=viewer)
    if name in ADMIN_ONLY_QUERIES:
        assert error_codes(body) == ["FORBIDDEN"], body
        assert (body["data"] or {}).get(name) is None
    else:
        assert error_codes(body) == [] and body["data"][name] is not None, body
