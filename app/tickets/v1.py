"""The v1 ticket endpoints: parse, call the ticket and comment services, shape the answer."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.boards.service import default_board
from app.comments.models import AuthorKind
from app.comments.repository import CommentRepository
from app.comments.service import NewComment, add_comment
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.rest.auth import api_principal
from app.rest.envelope import error_response, invalid
from app.rest.openapi_schemas import API_KEY
from app.rest.operations import JSONBody, Operation, Reply, read_body, routes
from app.services import Services
from app.tickets.models import Ticket
from app.tickets.repository import TicketRepository
from app.tickets.rest import TICKET_ID, ticket_pk
from app.tickets.service import NewTicket, create_ticket
from app.tickets.v1_bodies import (
    V1_TICKET_ID,
    V1MessageCreate,
    V1MessageCreated,
    V1Ticket,
    V1TicketCreate,
    V1TicketCreated,
)


def scope_email(raw: str | None) -> str | None:
    """The `contact_email` query parameter, normalised; present but blank is refused rather
    than read as "no scope", which would show the ticket to anyone."""
    if raw is None:
        return None
    email = validation.email(raw, "contact_email")
    if email is None:
        raise invalid("contact_email must not be empty")
    return email


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _open_ticket(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, fields: dict[str, Any]
) -> Ticket:
    board = await default_board(session, tenant_id)
    ticket = await create_ticket(session, tenant_id, actor, NewTicket(board_id=board.id, **fields))
    # The body is also the contact's first message, so GET shows the conversation whole.
    first = NewComment(
        ticket_id=ticket.id,
        body=fields["description"],
        author_kind=AuthorKind.CONTACT,
        contact_name=fields["requester_name"],
        contact_email=fields["requester_email"],
    )
    await add_comment(session, tenant_id, actor, first)
    return ticket


async def create(request: Request) -> Response:
    services = _services(request)
    principal = api_principal(request, write=True)
    fields = (await read_body(request, V1TicketCreate)).ticket_fields()
    async with services.db.transaction() as work:
        ticket = await _open_ticket(work.session, principal.tenant_id, Actor.of(principal), fields)
    # 202 is the documented contract: whatever follows creation runs from the ticket_created
    # event, outside this request.
    return JSONBody(V1TicketCreated.of(ticket), status_code=202)


async def show(request: Request) -> Response:
    services = _services(request)
    principal = api_principal(request)
    pk = ticket_pk(request.path_params["ticket_id"])
    contact = scope_email(request.query_params.get("contact_email"))
    async with services.db.read() as session:
        ticket = await TicketRepository(session, principal.tenant_id).get(pk)
        # Someone else's ticket reads exactly like a missing one.
        if ticket is None or (contact is not None and ticket.requester_email != contact):
            raise NotFound("Ticket")
        comments = await CommentRepository(session, principal.tenant_id).for_tickets(
            [ticket.id], include_internal=False
        )
    return JSONBody(V1Ticket.of(ticket, comments))


async def reply(request: Request) -> Response:
    services = _services(request)
    principal = api_principal(request, write=True)
    pk = ticket_pk(request.path_params["ticket_id"])
    body, contact_email = (await read_body(request, V1MessageCreate)).message_fields()
    draft = NewComment(
        ticket_id=pk, body=body, author_kind=AuthorKind.CONTACT, contact_email=contact_email
    )
    async with services.db.transaction() as work:
        comment, _ = await add_comment(
            work.session, principal.tenant_id, Actor.of(principal), draft
        )
    return JSONBody(V1MessageCreated(message_id=comment.id), status_code=201)


async def unknown(request: Request) -> Response:
    return error_response(404, "NOT_FOUND", "No such endpoint")


V1_TICKET_PATH_ID = {**TICKET_ID, "example": V1_TICKET_ID}
CONTACT_EMAIL = {
    "name": "contact_email",
    "in": "query",
    "required": False,
    "description": "Scope to this contact: another requester's ticket reads as not found",
    "schema": {"type": "string", "minLength": 1},
    "example": "jane@acme.com",
}
# Where a client goes on from the ticket it was given: each takes `ticket_id` from the body.
NEXT = {
    name: {"operationId": operation, "parameters": {"ticket_id": "$response.body#/ticket_id"}}
    for name, operation in (
        ("GetTicket", "getV1Ticket"),
        ("AddMessage", "addV1Message"),
        ("GetTicketDetail", "getTicket"),
    )
}
V1_OPERATIONS = [
    Operation(
        "POST",
        "/v1/tickets",
        create,
        "createV1Ticket",
        "v1",
        "Create a ticket; triage and notifications follow asynchronously",
        API_KEY,
        {202: Reply("Accepted; the ticket exists", V1TicketCreated, links=NEXT)},
        errors=(400, 401, 403, 413, 429),
        body=V1TicketCreate,
        body_example={
            "subject": "Cannot access billing portal",
            "body": "Getting a 403 error when clicking Manage Subscription.",
            "sender_email": "jane@acme.com",
            "priority": "p2_high",
        },
    ),
    Operation(
        "GET",
        "/v1/tickets/{ticket_id}",
        show,
        "getV1Ticket",
        "v1",
        "A ticket with its non-internal messages, oldest first",
        API_KEY,
        {200: Reply("The ticket", V1Ticket)},
        errors=(400, 401, 404, 429),
        parameters=[V1_TICKET_PATH_ID, CONTACT_EMAIL],
    ),
    Operation(
        "POST",
        "/v1/tickets/{ticket_id}/messages",
        reply,
        "addV1Message",
        "v1",
        "Add a contact message; reopens a finished ticket, moves a waiting one back to work",
        API_KEY,
        {201: Reply("The message was added", V1MessageCreated)},
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[V1_TICKET_PATH_ID],
        body=V1MessageCreate,
        body_example={
            "body": "We have deployed a fix. Please try again.",
            "contact_email": "jane@acme.com",
        },
    ),
]


def v1_routes() -> list[BaseRoute]:
    return [
        *routes(V1_OPERATIONS),
        # Anything else under /v1 still answers in the envelope, not Starlette's plain text.
        Route("/v1/{path:path}", unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]
