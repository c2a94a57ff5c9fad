"""The requester's pages: a ticket through its private status link, or through a lookup link
mailed to the requester; both show public messages only and take replies."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.comments.models import Comment
from app.comments.repository import CommentRepository
from app.intake import lookup, pages, repository, service
from app.intake.public import status_url
from app.intake.requests import form_fields, services_of
from app.kit.errors import NotFound, ValidationFailed
from app.tenants import repository as tenants
from app.tickets.models import Ticket
from app.tickets.repository import TicketRepository

BIGINT_MAX = 2**63 - 1
LINK_UNKNOWN = ["This link does not work. Check that it was copied whole, or ask for a new one."]


@dataclass(frozen=True)
class Access:
    """Which ticket a link opens, and where its page lives."""

    tenant_id: uuid.UUID
    ticket_id: uuid.UUID
    path: str
    # The full status link, shown on the confirmation after a submission.
    private_url: str | None = None


Resolve = Callable[[Request], Awaitable[Access | Response]]


async def _by_status_link(request: Request) -> Access | Response:
    token = request.path_params["token"]
    async with services_of(request).db.read() as session:
        link = await repository.link_by_hash(session, service.token_hash(token))
    if link is None:
        return pages.message_page("Link not recognised", LINK_UNKNOWN, status=404)
    url = status_url(services_of(request), token)
    return Access(link.tenant_id, link.ticket_id, f"/portal/tickets/{token}", url)


def _grant(request: Request) -> lookup.LookupGrant | Response:
    try:
        grant = lookup.open_token(services_of(request).sealer, request.path_params["token"])
    except lookup.LinkRefused:
        return pages.message_page("Link not valid", LINK_UNKNOWN, status=403)
    if grant.expired:
        lines = ["This link has expired. Ask for a new one; it will be emailed to you."]
        return pages.message_page("Link expired", lines, status=410)
    return grant


async def _by_lookup_link(request: Request) -> Access | Response:
    grant = _grant(request)
    if isinstance(grant, Response):
        return grant
    number = request.path_params["number"]
    if number > BIGINT_MAX:
        return pages.message_page("Ticket not found", ["There is no such ticket here."], 404)
    async with services_of(request).db.read() as session:
        ticket = await repository.requester_ticket(session, grant.tenant_id, grant.email, number)
    if ticket is None:
        return pages.message_page("Ticket not found", ["There is no such ticket here."], 404)
    path = f"/portal/lookup/{request.path_params['token']}/tickets/{number}"
    return Access(grant.tenant_id, ticket.id, path)


@dataclass(frozen=True)
class Conversation:
    """A ticket's public messages, and the team's name that signs those no person wrote."""

    ticket: Ticket
    comments: list[Comment]
    team: str


async def _conversation(request: Request, access: Access) -> Conversation | None:
    async with services_of(request).db.read() as session:
        ticket = await TicketRepository(session, access.tenant_id).get(access.ticket_id)
        tenant = await tenants.get(session, access.tenant_id)
        if ticket is None or tenant is None:
            return None
        comments = await CommentRepository(session, access.tenant_id).for_tickets(
            [ticket.id], include_internal=False
        )
    return Conversation(ticket, comments, tenant.name)


def _notice(request: Request, ticket: Ticket, access: Access) -> str:
    if request.query_params.get("submitted") and access.private_url:
        return pages.submitted_notice(ticket, access.private_url)
    return pages.replied_notice() if request.query_params.get("replied") else ""


async def _show(request: Request, access: Access, error: str | None, draft: str) -> Response:
    found = await _conversation(request, access)
    if found is None:
        return pages.message_page("Ticket not found", ["This ticket no longer exists."], 404)
    notice = "" if error else _notice(request, found.ticket, access)
    return pages.ticket_page(
        found.ticket,
        found.comments,
        access.path,
        team=found.team,
        notice=notice,
        error=error,
        draft=draft,
    )


async def _reply(request: Request, access: Access) -> Response:
    try:
        draft = (await form_fields(request)).get("body", "")
    except ValidationFailed as error:
        return await _show(request, access, error.message, "")
    try:
        async with services_of(request).db.transaction() as work:
            ticket = await TicketRepository(work.session, access.tenant_id).get(access.ticket_id)
            if ticket is None:
                raise NotFound("Ticket")
            await service.reply(work.session, ticket, draft)
    except ValidationFailed as error:
        message = error.message if draft.strip() else "Write your reply"
        return await _show(request, access, message, draft)
    except NotFound:
        return pages.message_page("Ticket not found", ["This ticket no longer exists."], 404)
    return RedirectResponse(f"{access.path}?replied=1", status_code=303, headers=pages.PAGE_HEADERS)


def _ticket_view(resolve: Resolve) -> Callable[[Request], Awaitable[Response]]:
    async def view(request: Request) -> Response:
        access = await resolve(request)
        if isinstance(access, Response):
            return access
        if request.method == "POST":
            return await _reply(request, access)
        return await _show(request, access, None, "")

    return view


async def lookup_list(request: Request) -> Response:
    grant = _grant(request)
    if isinstance(grant, Response):
        return grant
    async with services_of(request).db.read() as session:
        tickets = await repository.requester_tickets(session, grant.tenant_id, grant.email)
    base = f"/portal/lookup/{request.path_params['token']}"
    return pages.lookup_page(grant.email, tickets, base)


async def portal_home(request: Request) -> Response:
    return pages.portal_page()


def portal_routes() -> list[BaseRoute]:
    return [
        Route("/portal", portal_home, methods=["GET"]),
        Route("/portal/tickets/{token}", _ticket_view(_by_status_link), methods=["GET", "POST"]),
        Route("/portal/lookup/{token}", lookup_list, methods=["GET"]),
        Route(
            "/portal/lookup/{token}/tickets/{number:int}",
            _ticket_view(_by_lookup_link),
            methods=["GET", "POST"],
        ),
    ]
