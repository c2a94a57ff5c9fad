"""`POST /api/v1/webhooks/events`: the platform-facing door for signed events."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.graphql.context import credentials
from app.kit.errors import HavenError
from app.kit.ids import to_global_id
from app.rest.envelope import bounded_body, endpoint
from app.rest.params import timestamp
from app.webhooks.batcher import IngestBatcher
from app.webhooks.ingest import Accepted, Delivery, DuplicateEvent
from app.webhooks.outcomes import count_outcome


def _api_key(request: Request) -> str | None:
    # X-API-Key as the document shows; a bearer API key is accepted as everywhere else.
    found = credentials(request.headers)
    return found[1] if found and found[0] == "api_key" else None


@endpoint
async def receive(request: Request) -> Response:
    batcher: IngestBatcher = request.app.state.webhook_batcher
    try:
        raw = await bounded_body(request)
    except HavenError as refused:  # too large, or a malformed Content-Length
        count_outcome(refused)
        raise
    outcome = await batcher.submit(Delivery(_api_key(request), raw, request.headers))
    count_outcome(outcome)
    if isinstance(outcome, DuplicateEvent):
        # The envelope, plus what a retrying platform needs to carry on as if it had succeeded.
        body = {
            "error": {"code": outcome.code, "message": outcome.message},
            "id": to_global_id("Ticket", outcome.ticket_id),
            "event_id": outcome.event_id,
        }
        return JSONResponse(body, status_code=409)
    if not isinstance(outcome, Accepted):
        raise outcome
    # 202: the event is durably stored and its ticket made; triage and workflows follow from
    # the ticket_created event, outside this request.
    return JSONResponse(
        {
            "id": to_global_id("Ticket", outcome.ticket.id),
            "event_id": outcome.event.event_id,
            "status": "received",
            "created_at": timestamp(outcome.received_at),
        },
        status_code=202,
    )


def webhook_routes() -> list[BaseRoute]:
    return [Route("/api/v1/webhooks/events", receive, methods=["POST"])]
