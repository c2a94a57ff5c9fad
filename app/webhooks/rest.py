"""`POST /api/v1/webhooks/events`: the platform-facing door for signed events."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.kit.ids import to_global_id
from app.rest.api_tickets import timestamp
from app.rest.envelope import bounded_body, endpoint, parse_object
from app.services import Services
from app.webhooks.ingest import DuplicateEvent, ingest


@endpoint
async def receive(request: Request) -> Response:
    services: Services = request.app.state.services
    raw = await bounded_body(request)
    try:
        async with services.db.transaction() as work:
            accepted = await ingest(
                work.session,
                services.sealer,
                request.headers.get("x-api-key"),
                raw,
                request.headers,
                parse_object,
            )
    except DuplicateEvent as duplicate:
        # The envelope, plus what a retrying platform needs to carry on as if it had succeeded.
        body = {
            "error": {"code": duplicate.code, "message": duplicate.message},
            "id": to_global_id("Ticket", duplicate.ticket_id),
            "event_id": duplicate.event_id,
        }
        return JSONResponse(body, status_code=409)
    # 202: the event is safely stored and its ticket made; triage and workflows follow from
    # the ticket_created event, outside this request.
    return JSONResponse(
        {
            "id": to_global_id("Ticket", accepted.ticket.id),
            "event_id": accepted.event.event_id,
            "status": "received",
            "created_at": timestamp(accepted.received_at),
        },
        status_code=202,
    )


def webhook_routes() -> list[BaseRoute]:
    return [Route("/api/v1/webhooks/events", receive, methods=["POST"])]
