"""`POST /api/v1/reports`: user reports from the widget a tenant embeds in its own site, which
browsers send cross-origin, so the endpoint answers CORS itself."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.kit.errors import Forbidden
from app.kit.ids import to_global_id
from app.rest.envelope import endpoint, json_object
from app.rest.params import timestamp
from app.services import Services
from app.tickets.models import Ticket
from app.widgets.inputs import report_fields
from app.widgets.models import Report
from app.widgets.origins import permits
from app.widgets.service import submit_report, token_for

RECEIVED = "Thank you for your report. Our team will review it shortly."
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "Content-Type, X-Widget-Token",
    # Browsers cap this (Chromium at two hours); it spares most reports a second round trip.
    "Access-Control-Max-Age": "600",
    "Vary": "Origin",
}


def received(report: Report, ticket: Ticket) -> dict[str, Any]:
    return {
        "id": to_global_id("Report", report.id),
        "ticket_id": to_global_id("Ticket", ticket.id),
        "status": "received",
        "message": RECEIVED,
        "created_at": timestamp(report.created_at),
    }


@endpoint
async def _submit(request: Request) -> Response:
    services: Services = request.app.state.services
    async with services.db.read() as session:
        token = await token_for(session, request.headers.get("x-widget-token"))
    if not permits(token.allowed_origins, request.headers.get("origin")):
        request.state.origin_refused = True
        raise Forbidden("This widget token may not be used from this site")
    draft = report_fields(await json_object(request))
    async with services.db.transaction() as work:
        report, ticket = await submit_report(work.session, token, draft)
    # 201, not the 202 of /v1/tickets: the report and its ticket exist once this answers, and
    # both ids can be used at once; the team's review is the ticket's life, not this request's.
    return JSONResponse(received(report, ticket), status_code=201)


async def submit(request: Request) -> Response:
    """Every answer but a refusal of the site is readable by the page that sent the report, so
    the widget can tell its user what went wrong (a bad token reads the same from any site)."""
    response = await _submit(request)
    origin = request.headers.get("origin")
    if origin and not getattr(request.state, "origin_refused", False):
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    return response


async def preflight(request: Request) -> Response:
    # A preflight carries no X-Widget-Token, so it cannot know which sites the token allows:
    # any site may ask, and the report itself is refused from a site the token does not allow.
    origin = request.headers.get("origin")
    allow = {"Access-Control-Allow-Origin": origin} if origin else {}
    return Response(status_code=204, headers={**PREFLIGHT_HEADERS, **allow})


def widget_routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/reports", submit, methods=["POST"]),
        Route("/api/v1/reports", preflight, methods=["OPTIONS"]),
    ]
