"""The v1 ticket endpoints: parse, call the ticket and comment services, shape the answer."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.boards.service import default_board
from app.comments.models import AuthorKind
from app.comments.repository import CommentRepository
from app.comments.service import NewComment, add_comment
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.rest import views
from app.rest.auth import api_principal
from app.rest.envelope import endpoint, error_response, json_object
from app.rest.inputs import message_fields, scope_email, ticket_fields, ticket_pk
from app.services import Services
from app.tickets.models import Ticket
from app.tickets.repository import TicketRepository
from app.tickets.service import NewTicket, create_ticket


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


@endpoint
async def create(request: Request) -> Response:
    services = _services(request)
    principal = await api_principal(services, request, write=True)
    fields = ticket_fields(await json_object(request))
    async with services.db.transaction() as work:
        ticket = await _open_ticket(work.session, principal.tenant_id, Actor.of(principal), fields)
    # 202 is the documented contract: whatever follows creation runs from the ticket_created
    # event, outside this request.
    return JSONResponse(views.created(ticket), status_code=202)


@endpoint
async def show(request: Request) -> Response:
    services = _services(request)
    principal = await api_principal(services, request)
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
    return JSONResponse(views.ticket_detail(ticket, comments))


@endpoint
async def reply(request: Request) -> Response:
    services = _services(request)
    principal = await api_principal(services, request, write=True)
    pk = ticket_pk(request.path_params["ticket_id"])
    body, contact_email = message_fields(await json_object(request))
    draft = NewComment(
        ticket_id=pk, body=body, author_kind=AuthorKind.CONTACT, contact_email=contact_email
    )
    async with services.db.transaction() as work:
        comment, _ = await add_comment(
            work.session, principal.tenant_id, Actor.of(principal), draft
        )
    return JSONResponse({"message_id": views.message(comment)["id"]}, status_code=201)


async def unknown(request: Request) -> Response:
    return error_response(404, "NOT_FOUND", "No such endpoint")


def v1_routes() -> list[BaseRoute]:
    return [
        Route("/v1/tickets", create, methods=["POST"]),
        Route("/v1/tickets/{ticket_id}", show, methods=["GET"]),
        Route("/v1/tickets/{ticket_id}/messages", reply, methods=["POST"]),
        # Anything else under /v1 still answers in the envelope, not Starlette's plain text.
        Route("/v1/{path:path}", unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]
