"""Bodies of /api/v1/webhook-endpoints as typed models; they serialize the answers and describe
them in the generated document. Requests are checked here for their JSON types only; their
values are judged by the webhook service, which GraphQL input goes through too."""

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from app.kit.attributes import from_attributes
from app.outbound_webhooks.catalog import WEBHOOK_EVENTS
from app.outbound_webhooks.models import (
    DeliveryStatus,
    EndpointFormat,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.outbound_webhooks.service import DEFAULT_GRACE, MAX_GRACE
from app.rest.envelope import invalid
from app.rest.types import Body, Page, Prefixed, Timestamp

EndpointId = Annotated[uuid.UUID, Prefixed("WebhookEndpoint", "webhook endpoint")]
DeliveryId = Annotated[uuid.UUID, Prefixed("WebhookDelivery", "webhook delivery")]
MAX_GRACE_SECONDS = int(MAX_GRACE.total_seconds())
EVENTS = f"Any of {', '.join(WEBHOOK_EVENTS)}"
ENDPOINT_ID = "whe_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6"
ENDPOINT: dict[str, Any] = {
    "id": ENDPOINT_ID,
    "url": "https://hooks.example.com/haven",
    "description": "Ticket updates for the CRM",
    "events": ["ticket_created", "ticket_status_changed"],
    "format": "standard",
    "active": True,
    "signing_secret_last4": "f6a7",
    "secret_rotated_at": None,
    "previous_secret_expires_at": None,
    "failing_since": None,
    "disabled_reason": None,
    "disabled_at": None,
    "created_at": "2026-04-02T14:30:01.000Z",
    "updated_at": "2026-04-02T14:30:01.000Z",
}


class WebhookEndpointSummary(Body):
    model_config = ConfigDict(json_schema_extra={"example": ENDPOINT})

    id: EndpointId
    url: str
    description: str
    events: list[str] = Field(description=EVENTS)
    format: EndpointFormat
    active: bool
    signing_secret_last4: str
    secret_rotated_at: Timestamp | None
    previous_secret_expires_at: Timestamp | None
    failing_since: Timestamp | None = Field(description="Since when every attempt has failed")
    disabled_reason: str | None = Field(description="Why Haven turned the endpoint off")
    disabled_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, row: WebhookEndpoint) -> "WebhookEndpointSummary":
        return from_attributes(cls, row, signing_secret_last4=row.secret_last4)


class WebhookEndpointPage(Page[WebhookEndpointSummary]):
    model_config = Page.one_row_example(ENDPOINT)


class WebhookEndpointWithSecret(WebhookEndpointSummary):
    """The endpoint with its whole signing secret, the one time it is shown."""

    model_config = ConfigDict(
        json_schema_extra={"example": {**ENDPOINT, "signing_secret": "whsec_a1b2c3d4e5f6g7h8"}}
    )

    signing_secret: str = Field(description="Shown only in this response; store it securely")

    @classmethod
    def with_secret(cls, row: WebhookEndpoint, secret: str) -> "WebhookEndpointWithSecret":
        return from_attributes(
            cls, row, signing_secret_last4=row.secret_last4, signing_secret=secret
        )


class WebhookEndpointCreate(Body):
    """Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {"events": "events must be a list of event names"}

    url: Any = None
    events: list[str] | None = Field(default=None, description=EVENTS)
    description: str | None = None
    format: str = Field(default="standard", json_schema_extra={"enum": list(EndpointFormat)})


class WebhookEndpointUpdate(Body):
    """Fields left out stay as they are."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {"events": "events must be a list of event names"}

    url: str | None = None
    events: list[str] | None = Field(default=None, description=EVENTS)
    description: str | None = None
    format: str | None = Field(default=None, json_schema_extra={"enum": list(EndpointFormat)})
    active: bool | None = Field(default=None, description="true turns it back on")


class WebhookSecretRotation(Body):
    """The whole body is optional: without one the default grace period applies."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {
        "grace_seconds": "grace_seconds must be a whole number of seconds"
    }

    grace_seconds: int = Field(
        default=int(DEFAULT_GRACE.total_seconds()),
        description="How long the current secret keeps signing beside the new one",
        json_schema_extra={"minimum": 0, "maximum": MAX_GRACE_SECONDS},
    )

    def grace(self) -> timedelta:
        if not 0 <= self.grace_seconds <= MAX_GRACE_SECONDS:
            raise invalid(f"grace_seconds must be from 0 to {MAX_GRACE_SECONDS}")
        return timedelta(seconds=self.grace_seconds)


class WebhookReplaySince(Body):
    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {
        "since": "since must be an ISO 8601 time with a time zone",
        "since.missing": "since is required",
    }

    since: str = Field(json_schema_extra={"format": "date-time"})

    def moment(self) -> datetime:
        try:
            found = datetime.fromisoformat(self.since.replace("Z", "+00:00"))
        except ValueError:
            raise invalid(self.MESSAGES["since"]) from None
        if found.tzinfo is None:
            raise invalid(self.MESSAGES["since"])
        return found


class WebhookReplayed(Body):
    replayed: int = Field(ge=0, description="How many deliveries are pending again")


class WebhookAttemptEntry(Body):
    number: int
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None = Field(description="The answer's first kilobyte")
    error: str | None
    created_at: Timestamp


class WebhookDeliverySummary(Body):
    id: DeliveryId
    message_id: str = Field(description="The `webhook-id` header, the same on every attempt")
    endpoint_id: EndpointId
    event: str
    seq: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: Timestamp
    last_status: int | None
    last_error: str | None
    delivered_at: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(cls, row: WebhookDelivery) -> "WebhookDeliverySummary":
        return from_attributes(cls, row, message_id=f"msg_{row.id}")


class WebhookDeliveryPage(Page[WebhookDeliverySummary]):
    pass


class WebhookDeliveryDetail(WebhookDeliverySummary):
    attempt_log: list[WebhookAttemptEntry]

    @classmethod
    def detail(
        cls, row: WebhookDelivery, attempts: list[WebhookAttempt]
    ) -> "WebhookDeliveryDetail":
        log = [from_attributes(WebhookAttemptEntry, attempt) for attempt in attempts]
        return from_attributes(cls, row, message_id=f"msg_{row.id}", attempt_log=log)
