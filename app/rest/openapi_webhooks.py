"""The signed webhook ingestion endpoint platforms post their events to."""

from app.rest import openapi_examples as examples
from app.rest.openapi_schemas import (
    OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    closed,
    errors,
    global_id,
    links,
    ref,
)
from app.rest.openapi_tickets import json_body, ok
from app.webhooks.events import EVENT_ID_MAX, EVENT_KINDS, EVENT_TYPES, SOURCE_MAX


def _payload_requirement(event_type: str) -> Schema:
    """Payload fields an event type cannot do without, as the handler checks them."""
    required = list(EVENT_KINDS[event_type].requires)
    return {
        "if": {"properties": {"event_type": {"const": event_type}}, "required": ["event_type"]},
        "then": {
            "properties": {
                "payload": {
                    "required": required,
                    "properties": {name: {"type": "string", "minLength": 1} for name in required},
                }
            }
        },
    }


WEBHOOK_SCHEMAS: dict[str, Schema] = {
    "WebhookEvent": {
        "type": "object",
        "required": ["event_id", "event_type", "timestamp", "source", "payload"],
        "properties": {
            "event_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": EVENT_ID_MAX,
                "description": "The platform's id for the event; a repeat is answered 409",
            },
            "event_type": {"type": "string", "enum": list(EVENT_TYPES)},
            "timestamp": {
                **TIMESTAMP,
                "maxLength": 64,
                "description": "When it happened on the platform, with a time zone",
            },
            "source": {
                "type": "string",
                "minLength": 1,
                "maxLength": SOURCE_MAX,
                "description": "The platform",
            },
            "payload": {
                "type": "object",
                "description": "Event-specific data",
                "properties": {
                    "reporter_id": STRING,
                    "reported_user_id": STRING,
                    "reason": STRING,
                    "content": OBJECT,
                    "hash_value": STRING,
                    "hash_algorithm": STRING,
                },
            },
        },
        "allOf": [
            _payload_requirement(name) for name, kind in EVENT_KINDS.items() if kind.requires
        ],
    },
    "WebhookReceipt": closed(
        {
            "id": {**global_id("tkt", "ticket"), "description": "The ticket the event opened"},
            "event_id": STRING,
            "status": {"const": "received"},
            "created_at": TIMESTAMP,
        }
    ),
    "WebhookDuplicate": closed(
        {
            "error": ref("ErrorBody"),
            "id": {
                **global_id("tkt", "ticket"),
                "description": "The ticket the first delivery opened",
            },
            "event_id": STRING,
        },
        # Absent only while a concurrent first delivery of the same event is still running.
        optional=("id", "event_id"),
    ),
}


def _signature_header(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": STRING,
    }


def _webhook_events() -> Schema:
    parameters = [
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
    example = {
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
    duplicate = {
        "description": "This event_id was already processed (safe to retry)",
        "content": {"application/json": {"schema": ref("WebhookDuplicate")}},
    }
    return {
        "post": {
            "operationId": "receiveWebhookEvent",
            "tags": ["webhooks"],
            "summary": "Ingest a signed platform event; idempotent by event_id",
            "security": [{"ApiKeyHeader": []}],
            "parameters": parameters,
            "requestBody": json_body("WebhookEvent", example),
            "responses": {
                "202": links(
                    ok(
                        "Received; the event opened a ticket",
                        "WebhookReceipt",
                        examples.WEBHOOK_RECEIPT,
                    ),
                    {"GetTicket": "getTicket"},
                    "/id",
                    "ticket_id",
                ),
                "409": duplicate,
                **errors(400, 401, 403, 413, 429),
            },
        }
    }


def webhook_paths() -> dict[str, Schema]:
    return {"/api/v1/webhooks/events": _webhook_events()}
