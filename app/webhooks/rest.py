"""`POST /api/v1/webhooks/events`: the platform-facing door for signed events."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.auth.authentication import credentials
from app.kit.errors import HavenError
from app.rest.envelope import bounded_body
from app.rest.openapi_schemas import Schema
from app.rest.operations import JSONBody, Operation, Reply, routes
from app.webhooks.address import WEBHOOK_PATH
from app.webhooks.batcher import IngestBatcher
from app.webhooks.bodies import WebhookDuplicate, WebhookEvent, WebhookEventReceived
from app.webhooks.ingest import Accepted, Delivery, DuplicateEvent
from app.webhooks.outcomes import count_outcome


def _api_key(request: Request) -> str | None:
    # X-API-Key as the document shows; a bearer API key is accepted as everywhere else.
    found = credentials(request.headers)
    return found[1] if found and found[0] == "api_key" else None


async def receive(request: Request) -> Response:
    batcher: IngestBatcher = request.app.state.webhook_batcher
    try:
        raw = await bounded_body(request)
    except HavenError as refused:  # too large, or a malformed Content-Length
        count_outcome(refused)
        raise
    # The raw bytes go to the batch as they came: the signature is checked over them before
    # anything reads them as an event.
    outcome = await batcher.submit(Delivery(_api_key(request), raw, request.headers))
    count_outcome(outcome)
    if isinstance(outcome, DuplicateEvent):
        return JSONBody(WebhookDuplicate.of(outcome), status_code=409)
    if not isinstance(outcome, Accepted):
        raise outcome
    # 202: the event is durably stored and its ticket made; triage and workflows follow from
    # the ticket_created event, outside this request.
    return JSONBody(WebhookEventReceived.of(outcome), status_code=202)


def _signature_header(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


SIGNATURE_HEADERS = [
    _signature_header(
        "X-Signature-256",
        "`sha256=<hex>`: HMAC-SHA256 of the raw body keyed with a connector's signing "
        "secret. Required unless the Standard Webhooks headers are sent.",
    ),
    _signature_header("webhook-id", "Standard Webhooks message id"),
    _signature_header("webhook-timestamp", "Standard Webhooks Unix time, within 5 minutes"),
    _signature_header(
        "webhook-signature", "Standard Webhooks `v1,<base64>` over `id.timestamp.body`"
    ),
]
EXAMPLE_EVENT = {
    "event_id": "evt_9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6",
    "event_type": "user_reported",
    "timestamp": "2026-04-02T14:30:00.000Z",
    "source": "dating-frame",
    "payload": {
        "reporter_id": "usr_a1b2c3d4",
        "reported_user_id": "usr_e5f6g7h8",
        "reason": "inappropriate_content",
        "content": {
            "type": "message",
            "text": "Reported message content here",
            "message_id": "msg_x1y2z3",
        },
    },
}
GET_TICKET = {
    "GetTicket": {"operationId": "getTicket", "parameters": {"ticket_id": "$response.body#/id"}}
}

WEBHOOK_OPERATIONS = [
    Operation(
        "POST",
        WEBHOOK_PATH,
        receive,
        "receiveWebhookEvent",
        "webhooks",
        "Ingest a signed platform event; idempotent by event_id",
        [{"ApiKeyHeader": []}],
        {
            202: Reply(
                "Received; the event opened a ticket", WebhookEventReceived, links=GET_TICKET
            ),
            409: Reply("This event_id was already processed (safe to retry)", WebhookDuplicate),
        },
        errors=(400, 401, 403, 413, 429),
        parameters=SIGNATURE_HEADERS,
        body=WebhookEvent,
        body_example=EXAMPLE_EVENT,
    ),
]


def webhook_routes() -> list[BaseRoute]:
    return routes(WEBHOOK_OPERATIONS)
