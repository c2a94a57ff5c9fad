"""Reading tickets through /api/v1/tickets: the list and detail shapes of the API document."""

from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.cases.access import sees_csea
from app.cases.models import SafetyCase
from app.cases.repository import CaseRepository
from app.kit.errors import NotFound
from app.kit.ids import to_global_id
from app.kit.validation import storable
from app.rest.envelope import endpoint, invalid
from app.rest.inputs import ticket_pk
from app.rest.params import caller, choice, limit, list_body, timestamp
from app.services import Services
from app.tickets.models import ActorKind, Priority, Source, Ticket, TicketStatus, TimelineEntry
from app.tickets.repository import TicketFilter, TicketOrder, TicketRepository

# Timeline kinds that do not say what they happened to read as the document's event types.
TIMELINE_TYPES = {
    "created": "ticket_created",
    "updated": "ticket_updated",
    "reopened": "ticket_reopened",
}
# The summary fields the detail shows first, in the document's order.
DETAIL_HEAD = ("id", "tenant_id", "status", "priority", "category", "subject", "source")


def _filter(params: QueryParams) -> TicketFilter:
    category = params.get("category")
    if category is not None and not storable(category):
        raise invalid("category must not contain NUL characters")
    return TicketFilter(
        status=choice(params, "status", TicketStatus),
        priority=choice(params, "priority", Priority),
        category=category,
    )


def summary(ticket: Ticket) -> dict[str, Any]:
    assignee = ticket.assignee_id
    return {
        "id": to_global_id("Ticket", ticket.id),
        "tenant_id": to_global_id("Tenant", ticket.tenant_id),
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "subject": ticket.title,
        "source": ticket.source,
        "ai_confidence": None,  # no AI triage yet
        "assigned_to": to_global_id("User", assignee) if assignee else None,
        "created_at": timestamp(ticket.created_at),
        "updated_at": timestamp(ticket.updated_at),
    }


def timeline_item(entry: TimelineEntry) -> dict[str, Any]:
    automated = entry.actor_kind == ActorKind.SYSTEM or not entry.actor_name
    return {
        # Timeline entries have no global id type; the document names them as events.
        "id": f"evt_{entry.id}",
        "type": TIMELINE_TYPES.get(entry.kind, entry.kind),
        "actor": "system" if automated else entry.actor_name,
        "timestamp": timestamp(entry.created_at),
        "details": entry.changes,
    }


def _event_id(ticket: Ticket) -> str | None:
    # Only webhook tickets carry the platform's event id; other sources may set metadata freely.
    value = ticket.meta.get("event_id") if ticket.source == Source.WEBHOOK else None
    return value if isinstance(value, str) else None


def detail(
    ticket: Ticket, timeline: list[TimelineEntry], case: SafetyCase | None
) -> dict[str, Any]:
    # The document's detail has no ai_confidence (it lives in ai_classification) and puts
    # assigned_to after the classification; key order follows it.
    fields = summary(ticket)
    return {
        **{key: fields[key] for key in DETAIL_HEAD},
        "event_id": _event_id(ticket),
        "ai_classification": None,  # no AI triage yet
        "assigned_to": fields["assigned_to"],
        "safety_case_id": to_global_id("SafetyCase", case.id) if case else None,
        "timeline": [timeline_item(entry) for entry in timeline],
        "created_at": fields["created_at"],
        "updated_at": fields["updated_at"],
    }


@endpoint
async def list_tickets(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    params = request.query_params
    where, size, cursor = _filter(params), limit(params), params.get("cursor")
    async with services.db.read() as session:
        tickets = TicketRepository(session, principal.tenant_id)
        page = await tickets.page(where, TicketOrder.NEWEST, size, cursor)
        total = await tickets.count(where)
    return JSONResponse(list_body([summary(t) for t, _ in page.items], page, total))


@endpoint
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
    return JSONResponse(detail(ticket, timeline, case))


def api_ticket_routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/tickets", list_tickets, methods=["GET"]),
        Route("/api/v1/tickets/{ticket_id}", show_ticket, methods=["GET"]),
    ]
