"""The AI operations of the REST shim.

- POST /functions/v1/ai-proxy: AI triage and ticket → SOP on text sent by the caller, answered
  at once, as the Grahm document describes.
- /api/v1/tickets/{id}/drafts: reply drafts and their approval, as the SupportOS document
  describes, plus listing a ticket's drafts and rejecting one.

Each AI call counts against the plan's monthly AI calls; CSEA-flagged text is answered by the
local provider unless the tenant allowed otherwise."""

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.ai import drafting
from app.ai.assistant import Call
from app.ai.bodies import (
    SOP_REQUEST,
    TRIAGE_REQUEST,
    DraftApproval,
    DraftApproved,
    DraftBody,
    DraftCreate,
    DraftList,
    DraftRejected,
    DraftRejection,
    ProxyAnswer,
    ProxyRequest,
    SopAnswer,
    TriageAnswer,
)
from app.ai.contract import Message, Purpose, SopRequest, TicketText, Tone, TriageRequest
from app.ai.models import Draft
from app.ai.procedures import markdown, ticket_to_sop
from app.ai.quota import QuotaExceeded
from app.ai.tenant_settings import categories_of, settings_of
from app.ai.triage import screened_local, suggest
from app.kit.errors import Forbidden
from app.knowledge.bodies import ArticleCreated
from app.rest.openapi_schemas import TOKEN_OR_KEY, id_parameter, refusal
from app.rest.operations import (
    JSONBody,
    Operation,
    Reply,
    read_body,
    read_optional_body,
    routes,
)
from app.rest.params import caller, path_pk
from app.services import Services
from app.tickets.models import TicketStatus
from app.tickets.rest import TICKET_ID, ticket_pk

PATH = "/functions/v1/ai-proxy"
QUOTA_REFUSAL = refusal(
    "Too many requests, or the plan's AI calls for the month are used up (Free: 10)",
    ["RATE_LIMITED", QuotaExceeded.code],
    {"code": QuotaExceeded.code, "message": "This plan's AI calls for the month are used up"},
)


async def ai_proxy(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    if not principal.can_write:
        raise Forbidden("Viewers cannot use AI triage or procedures")
    body: ProxyRequest = await read_body(request, ProxyRequest)
    async with services.db.read() as session:
        settings = await settings_of(session, principal.tenant_id)
    ticket = TicketText(body.title, body.description, "api")
    if body.action == "ticket-triage":
        call = Call(principal.tenant_id, Purpose.TRIAGE)
        request_ = TriageRequest(ticket, categories_of(settings))
        found, _ = await suggest(services.ai, call, request_, external_csea=settings.external_csea)
        return JSONBody(ProxyAnswer(TriageAnswer.of(found)))
    call = Call(principal.tenant_id, Purpose.SOP)
    messages = tuple(
        Message(comment.author or "Agent", comment.body, from_requester=False)
        for comment in body.comments
    )
    sop_request = SopRequest(ticket, messages)
    keep_local = await screened_local(services.ai, call, ticket, settings)
    sop, _ = await services.ai.run(call, lambda p: p.sop(sop_request), keep_local=keep_local)
    return JSONBody(ProxyAnswer(SopAnswer.of(sop, markdown(sop))))


DRAFTS = "/api/v1/tickets/{ticket_id}/drafts"
DRAFT_ID = id_parameter("draft_id", "Draft", "draft", "drf_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6")
DRAFT_REFUSAL = refusal(
    "The ticket is closed or already has a draft awaiting approval",
    [drafting.DraftRefused.code],
    {"code": drafting.DraftRefused.code, "message": "The ticket is closed"},
)


def _draft_pk(request: Request) -> uuid.UUID:
    return path_pk(request.path_params["draft_id"], "Draft", "Ticket or draft")


async def create_draft(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    ticket_id = ticket_pk(request.path_params["ticket_id"])
    body: DraftCreate = await read_optional_body(request, DraftCreate)
    ask = drafting.DraftAsk(Tone(body.tone) if body.tone else None, body.instructions)
    draft = await drafting.create_draft(services, principal, ticket_id, ask)
    return JSONBody(DraftBody.of(draft), 201)


async def list_drafts(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    ticket_id = ticket_pk(request.path_params["ticket_id"])
    async with services.db.read() as session:
        drafts = await drafting.drafts_of(session, principal, ticket_id)
    return JSONBody(DraftList(data=[DraftBody.of(draft) for draft in drafts]))


async def approve_draft(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    ticket_id, draft_id = ticket_pk(request.path_params["ticket_id"]), _draft_pk(request)
    body: DraftApproval = await read_optional_body(request, DraftApproval)
    async with services.db.transaction() as work:
        draft, ticket = await drafting.approve_draft(
            work.session, principal, ticket_id, draft_id, body.edits
        )
    return JSONBody(_approved(draft, TicketStatus(ticket.status)))


def _approved(draft: Draft, status: TicketStatus) -> DraftApproved:
    assert draft.decided_by_id and draft.decided_at, "set on approval"
    return DraftApproved(
        id=draft.id,
        status="approved",
        approved_by=draft.decided_by_id,
        approved_at=draft.decided_at,
        ticket_status=status,
    )


async def reject_draft(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    ticket_id, draft_id = ticket_pk(request.path_params["ticket_id"]), _draft_pk(request)
    body: DraftRejection = await read_optional_body(request, DraftRejection)
    async with services.db.transaction() as work:
        draft = await drafting.reject_draft(
            work.session, principal, ticket_id, draft_id, body.reason
        )
    assert draft.decided_by_id and draft.decided_at, "set on rejection"
    return JSONBody(
        DraftRejected(
            id=draft.id,
            status="rejected",
            rejected_by=draft.decided_by_id,
            rejected_at=draft.decided_at,
            reason=draft.reject_reason,
        )
    )


async def create_sop(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    ticket_id = ticket_pk(request.path_params["ticket_id"])
    article = await ticket_to_sop(services, principal, ticket_id)
    return JSONBody(ArticleCreated.of(article), 201)


DRAFT_OPERATIONS = [
    Operation(
        "POST",
        DRAFTS,
        create_draft,
        "createTicketDraft",
        "ai",
        "Draft a reply with AI, from the ticket's public messages and relevant articles",
        TOKEN_OR_KEY,
        {201: Reply("The draft, awaiting a person's approval", DraftBody)},
        errors=(400, 401, 403, 404),
        parameters=[TICKET_ID],
        body=DraftCreate,
        body_required=False,
        description=(
            "Uses the tenant's drafting guidance and default tone, and up to 5 published "
            "knowledge articles relevant to the ticket (`knowledge_articles_used`). Internal "
            "notes never enter the prompt. The draft reaches the requester only when a person "
            "approves it."
        ),
        extra={"422": DRAFT_REFUSAL, "429": QUOTA_REFUSAL},
    ),
    Operation(
        "GET",
        DRAFTS,
        list_drafts,
        "listTicketDrafts",
        "ai",
        "The ticket's drafts, newest first, with what became of them",
        TOKEN_OR_KEY,
        {200: Reply("The drafts", DraftList)},
        errors=(400, 401, 404),
        parameters=[TICKET_ID],
    ),
    Operation(
        "POST",
        DRAFTS + "/{draft_id}/approve",
        approve_draft,
        "approveTicketDraft",
        "ai",
        "Approve a draft: send it (or the edited text) to the requester and resolve the ticket",
        TOKEN_OR_KEY,
        {200: Reply("The approval", DraftApproved)},
        errors=(400, 401, 403, 404, 409),
        parameters=[TICKET_ID, DRAFT_ID],
        body=DraftApproval,
        body_required=False,
        description=(
            "A person must approve (an API key gets 403). The reply is posted as a public "
            "message by the approver; how many words were changed is kept."
        ),
    ),
    Operation(
        "POST",
        DRAFTS + "/{draft_id}/reject",
        reject_draft,
        "rejectTicketDraft",
        "ai",
        "Reject a draft; nothing is sent",
        TOKEN_OR_KEY,
        {200: Reply("The rejection", DraftRejected)},
        errors=(400, 401, 403, 404, 409),
        parameters=[TICKET_ID, DRAFT_ID],
        body=DraftRejection,
        body_required=False,
    ),
]

AI_OPERATIONS = [
    Operation(
        "POST",
        PATH,
        ai_proxy,
        "aiProxy",
        "ai",
        "AI triage of a ticket's text, or a resolved ticket turned into a procedure",
        TOKEN_OR_KEY,
        {
            200: Reply(
                "The triage (ticket-triage) or the procedure (ticket-to-sop)",
                ProxyAnswer,
                TriageAnswer.example(),
            )
        },
        errors=(400, 401, 403),
        body=ProxyRequest,
        body_examples={"ticket-triage": TRIAGE_REQUEST, "ticket-to-sop": SOP_REQUEST},
        description=(
            "`ticket-triage` answers with the suggested priority, category (one of the tenant's), "
            "sentiment, a one-line summary, a suggested reply, risk indicators and a confidence. "
            "`ticket-to-sop` answers with a procedure: title, when it applies, steps, escalation, "
            "and the same as Markdown. Agents and administrators; viewers get 403."
        ),
        extra={"429": QUOTA_REFUSAL},
    ),
]


SOP_OPERATION = Operation(
    "POST",
    "/api/v1/tickets/{ticket_id}/sop",
    create_sop,
    "createTicketSop",
    "ai",
    "Turn a resolved ticket into a procedure, saved as a draft knowledge article",
    TOKEN_OR_KEY,
    {201: Reply("The draft article (category `procedures`, tagged `sop`)", ArticleCreated)},
    errors=(401, 403, 404),
    parameters=[TICKET_ID],
    description=(
        "The procedure has a title, when it applies, steps (from the agents' messages and "
        "notes, in order) and escalation. The ticket's timeline links the article."
    ),
    extra={"422": DRAFT_REFUSAL, "429": QUOTA_REFUSAL},
)
AI_OPERATIONS += [*DRAFT_OPERATIONS, SOP_OPERATION]


def ai_routes() -> list[BaseRoute]:
    return routes(AI_OPERATIONS)
