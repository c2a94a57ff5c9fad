"""Reading tickets through /api/v1/tickets: the list and detail shapes of the API document."""

import uuid

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.cases.access import sees_csea
from app.cases.repository import CaseRepository
from app.kit.errors import NotFound
from app.kit.validation import storable
from app.rest.envelope import invalid
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    TOKEN_OR_KEY,
    choice_parameter,
    id_parameter,
)
from app.rest.operations import JSONBody, Operation, Reply, routes
from app.rest.params import caller, choice, limit, path_pk
from app.services import Services
from app.tickets.bodies import TicketDetail, TicketPage, TicketSummary
from app.tickets.models import Priority, TicketStatus
from app.tickets.repository import TicketFilter, TicketOrder, TicketRepository

TICKET_ID = id_parameter(
    "ticket_id", "Ticket", "ticket", "tkt_550e8400-e29b-41d4-a716-446655440000"
)


def ticket_pk(raw: str) -> uuid.UUID:
    """A ticket's global id (`tkt_<uuid>`) or its bare UUID; anything else is not found."""
    return path_pk(raw, "Ticket", "Ticket")


def _filter(params: QueryParams) -> TicketFilter:
    category = params.get("category")
    if category is not None and not storable(category):
        raise invalid("category must not contain NUL characters")
    return TicketFilter(
        status=choice(params, "status", TicketStatus),
        priority=choice(params, "priority", Priority),
        category=category,
    )


async def list_tickets(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    params = request.query_params
    where, size, cursor = _filter(params), limit(params), params.get("cursor")
    async with services.db.read() as session:
        tickets = TicketRepository(session, principal.tenant_id)
        page = await tickets.page(where, TicketOrder.NEWEST, size, cursor)
        total = await tickets.count(where)
    return JSONBody(TicketPage.of([TicketSummary.of(t) for t, _ in page.items], page, total))


async def show_ticket(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = ticket_pk(request.path_params["ticket_id"])
    async with services.db.read() as session:
        tickets = TicketRepository(session, principal.tenant_id)
        ticket = await tickets.get(pk)
        if ticket is None:
            raise NotFound("Ticket")
        timeline = await tickets.timelines([ticket.id])
        # A CSEA case stays out of sight of those who may not see it, here as everywhere.
        cases = CaseRepository(session, principal.tenant_id, sees_csea=sees_csea(principal.role))
        case = await cases.latest_for_ticket(ticket.id)
    return JSONBody(TicketDetail.of(ticket, timeline, case))


API_TICKET_OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/tickets",
        list_tickets,
        "listTickets",
        "tickets",
        "The tenant's tickets, newest first, cursor-paginated",
        TOKEN_OR_KEY,
        {200: Reply("One page of tickets", TicketPage)},
        errors=(400, 401, 429),
        parameters=[
            choice_parameter("status", TicketStatus, "Filter by status"),
            choice_parameter("priority", Priority, "Filter by priority"),
            {
                "name": "category",
                "in": "query",
                "required": False,
                "description": "Filter by category",
                "schema": {"type": "string"},
            },
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
    ),
    Operation(
        "GET",
        "/api/v1/tickets/{ticket_id}",
        show_ticket,
        "getTicket",
        "tickets",
        "A ticket with its classification, timeline and linked case",
        TOKEN_OR_KEY,
        {200: Reply("The ticket", TicketDetail)},
        errors=(401, 404, 429),
        parameters=[TICKET_ID],
    ),
]


def api_ticket_routes() -> list[BaseRoute]:
    return routes(API_TICKET_OPERATIONS)
