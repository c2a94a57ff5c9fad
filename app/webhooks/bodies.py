"""Bodies of `POST /api/v1/webhooks/events` as typed models: the event a platform signs, and
the two answers, with the document's example.

The event is read only once its signature has been checked over the raw bytes (see
app.webhooks.ingest): `read_event` is what the batch calls on bytes that passed."""

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from app.kit.errors import ValidationFailed
from app.rest.envelope import parse_object
from app.rest.examples import EVENT_ID, TICKET_ID
from app.rest.operations import parse
from app.rest.types import Body, ErrorBody, TicketId, Timestamp
from app.webhooks.events import (
    EVENT_ID_MAX,
    EVENT_KINDS,
    EVENT_TYPE_MAX,
    EVENT_TYPES,
    SOURCE_MAX,
    TIMESTAMP_MAX,
    InboundEvent,
)
from app.webhooks.ingest import Accepted, DuplicateEvent

PAYLOAD_MESSAGE = "payload is required and must be an object"
TEXT_FIELDS = ("event_id", "event_type", "timestamp", "source")


def _text(value: str | None, key: str, limit: int) -> str:
    if value is None or not value.strip():
        raise ValidationFailed(f"{key} is required and must be a string", field=key)
    if len(value) > limit:
        raise ValidationFailed(f"{key} must be at most {limit} characters", field=key)
    return value.strip()


def _timestamp(value: str | None) -> datetime:
    raw = _text(value, "timestamp", TIMESTAMP_MAX)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationFailed("timestamp must be ISO 8601", field="timestamp") from None
    if moment.tzinfo is None:
        raise ValidationFailed("timestamp must carry a time zone (Z or +hh:mm)", field="timestamp")
    return moment


def _string(description: str, **more: Any) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "minLength": 1, "description": description, **more})


def _payload_requirement(event_type: str) -> dict[str, Any]:
    """Payload fields an event type cannot do without, as `WebhookEvent.inbound` checks them."""
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


STRING = {"type": "string"}
PAYLOAD_SCHEMA = {
    "type": "object",
    "description": "Event-specific data",
    "properties": {
        "reporter_id": STRING,
        "reported_user_id": STRING,
        "reason": STRING,
        "content": {"type": "object"},
        "hash_value": STRING,
        "hash_algorithm": STRING,
    },
}


class WebhookEvent(Body):
    """An event as the platform signs it. Fields not named here are kept with the event, for
    field mappings to read, rather than refused."""

    # The model checks each field's JSON type; `inbound` then judges the values, so that every
    # refusal names its field in the words the document's 400 has always used.
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "required": [*TEXT_FIELDS, "payload"],
            "allOf": [
                _payload_requirement(name) for name, kind in EVENT_KINDS.items() if kind.requires
            ],
        },
    )
    MESSAGES: ClassVar[dict[str, str]] = {
        **{name: f"{name} is required and must be a string" for name in TEXT_FIELDS},
        "payload": PAYLOAD_MESSAGE,
    }

    event_id: Annotated[
        str | None,
        _string(
            "The platform's id for the event; a repeat is answered 409", maxLength=EVENT_ID_MAX
        ),
    ] = None
    event_type: Annotated[
        str | None, WithJsonSchema({"type": "string", "enum": list(EVENT_TYPES)})
    ] = None
    timestamp: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "format": "date-time",
                "maxLength": TIMESTAMP_MAX,
                "description": "When it happened on the platform, with a time zone",
            }
        ),
    ] = None
    source: Annotated[str | None, _string("The platform", maxLength=SOURCE_MAX)] = None
    payload: Annotated[dict[str, Any] | None, WithJsonSchema(PAYLOAD_SCHEMA)] = None

    def inbound(self, document: dict[str, Any]) -> InboundEvent:
        """The checked event, or VALIDATION_ERROR naming the first field that is wrong;
        `document` is the whole event as sent, for field mappings."""
        event_id = _text(self.event_id, "event_id", EVENT_ID_MAX)
        event_type = _text(self.event_type, "event_type", EVENT_TYPE_MAX)
        if event_type not in EVENT_KINDS:
            raise ValidationFailed(
                f"unknown event_type {event_type!r}; one of {', '.join(EVENT_TYPES)}",
                field="event_type",
            )
        occurred_at = _timestamp(self.timestamp)
        source = _text(self.source, "source", SOURCE_MAX)
        payload = self.payload
        if payload is None:
            raise ValidationFailed(PAYLOAD_MESSAGE, field="payload")
        for key in EVENT_KINDS[event_type].requires:
            value = payload.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ValidationFailed(
                    f"payload.{key} is required for {event_type} events", field=f"payload.{key}"
                )
        return InboundEvent(event_id, event_type, occurred_at, source, payload, document)


def read_event(raw: bytes) -> InboundEvent:
    """Signed bytes as a checked event, or VALIDATION_ERROR saying what is wrong with them."""
    document = parse_object(raw)
    event: WebhookEvent = parse(WebhookEvent, document)
    return event.inbound(document)


class WebhookEventReceived(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": TICKET_ID,
                "event_id": EVENT_ID,
                "status": "received",
                "created_at": "2026-04-02T14:30:01.123Z",
            }
        }
    )

    id: TicketId = Field(description="The ticket the event opened")
    event_id: str
    status: Literal["received"]
    created_at: Timestamp

    @classmethod
    def of(cls, accepted: Accepted) -> "WebhookEventReceived":
        return cls(
            id=accepted.ticket.id,
            event_id=accepted.event.event_id,
            status="received",
            created_at=accepted.received_at,
        )


class WebhookDuplicate(Body):
    """The error envelope, plus the ticket the first delivery opened, so a retrying platform
    can carry on as if it had succeeded. `id` and `event_id` are absent only while a concurrent
    first delivery of the same event is still running."""

    model_config = ConfigDict(
        json_schema_extra={
            "required": ["error"],
            "example": {
                "error": {
                    "code": "CONFLICT",
                    "message": f"Event {EVENT_ID} has already been processed",
                },
                "id": TICKET_ID,
                "event_id": EVENT_ID,
            },
        }
    )

    error: ErrorBody
    id: TicketId = Field(description="The ticket the first delivery opened")
    event_id: str

    @classmethod
    def of(cls, duplicate: DuplicateEvent) -> "WebhookDuplicate":
        return cls(
            error=ErrorBody(code=duplicate.code, message=duplicate.message),
            id=duplicate.ticket_id,
            event_id=duplicate.event_id,
        )
