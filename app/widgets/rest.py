"""`POST /api/v1/reports`: user reports from the widget a tenant embeds in its own site, which
browsers send cross-origin, so the endpoint answers CORS itself."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.kit.errors import Forbidden, HavenError
from app.rest.envelope import from_haven
from app.rest.openapi_schemas import STRING
from app.rest.operations import JSONBody, Operation, Reply, guarded, read_body, routes
from app.services import Services
from app.widgets.bodies import REPORT_EXAMPLE, ReportCreate, ReportReceipt
from app.widgets.origins import permits
from app.widgets.service import submit_report, token_for

PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "Content-Type, X-Widget-Token",
    # Browsers cap this (Chromium at two hours); it spares most reports a second round trip.
    "Access-Control-Max-Age": "600",
    "Vary": "Origin",
}


@guarded
async def _file(request: Request) -> Response:
    services: Services = request.app.state.services
    async with services.db.read() as session:
        token = await token_for(session, request.headers.get("x-widget-token"))
    if not permits(token.allowed_origins, request.headers.get("origin")):
        request.state.origin_refused = True
        raise Forbidden("This widget token may not be used from this site")
    draft = (await read_body(request, ReportCreate)).draft()
    async with services.db.transaction() as work:
        report, ticket = await submit_report(work.session, token, draft)
    # 201, not the 202 of /v1/tickets: the report and its ticket exist once this answers, and
    # both ids can be used at once; the team's review is the ticket's life, not this request's.
    return JSONBody(ReportReceipt.of(report, ticket), status_code=201)


async def submit(request: Request) -> Response:
    """Every answer but a refusal of the site is readable by the page that sent the report, so
    the widget can tell its user what went wrong (a bad token reads the same from any site).
    Refusals are therefore answered here rather than by the app's error handler, which would
    send them without the CORS headers."""
    try:
        response = await _file(request)
    except HavenError as error:
        response = from_haven(error)
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


ORIGIN = {"name": "Origin", "in": "header", "required": False, "schema": STRING}
PREFLIGHT = {
    "description": "Allowed methods and headers",
    "headers": {
        name: {"schema": STRING} for name in ("Access-Control-Allow-Origin", *PREFLIGHT_HEADERS)
    },
}
# A widget's page reads the receipt across origins.
FILED_HEADERS = ("Access-Control-Allow-Origin", "Vary")
REPORT_OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/reports",
        submit,
        "createReport",
        "reports",
        "File a report from the embedded widget; it opens a ticket",
        [{"WidgetToken": []}],
        {
            201: Reply(
                "The report and its ticket exist",
                ReportReceipt,
                links={
                    "GetTicketDetail": {
                        "operationId": "getTicket",
                        "parameters": {"ticket_id": "$response.body#/ticket_id"},
                    }
                },
                headers={name: {"schema": STRING} for name in FILED_HEADERS},
            )
        },
        errors=(400, 401, 403, 413, 429),
        parameters=[ORIGIN],
        body=ReportCreate,
        body_example=REPORT_EXAMPLE,
        description="A token that names allowed sites refuses other `Origin`s with 403.",
    ),
    Operation(
        "OPTIONS",
        "/api/v1/reports",
        preflight,
        "reportPreflight",
        "reports",
        "CORS preflight for the widget; any site may ask",
        [],
        {},
        errors=(429,),
        parameters=[ORIGIN],
        extra={"204": PREFLIGHT},
    ),
]


def widget_routes() -> list[BaseRoute]:
    return routes(REPORT_OPERATIONS)
