"""GraphQL types of webhook endpoints and their deliveries."""

import uuid
from datetime import datetime

import strawberry

from app.graphql.context import Info
from app.graphql.relay import Connection
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.outbound_webhooks import models
from app.outbound_webhooks.repository import DeliveryFilter, DeliveryRepository

strawberry.enum(
    models.EndpointFormat, name="WebhookFormat", description="How deliveries are written."
)
strawberry.enum(
    models.DeliveryStatus, name="WebhookDeliveryStatus", description="Where a delivery stands."
)


@strawberry.type(description="One try at a delivery.")
class WebhookAttemptType:
    number: int = strawberry.field(description="1 for the first try.")
    status_code: int | None = strawberry.field(description="HTTP status; null when none came.")
    latency_ms: int = strawberry.field(description="How long the try took.")
    response_excerpt: str | None = strawberry.field(description="The answer's first kilobyte.")
    error: str | None = strawberry.field(description="What went wrong, in words.")
    created_at: datetime = strawberry.field(description="When it was made.")


@strawberry.type(name="WebhookDelivery", description="One event owed to one endpoint.")
class WebhookDeliveryType:
    id: strawberry.ID = strawberry.field(description="Global id (`whd_<uuid>`).")
    message_id: str = strawberry.field(description="The `webhook-id` header of every attempt.")
    event: str = strawberry.field(description="The documented event name it was sent under.")
    seq: int = strawberry.field(description="The event's place in the tenant's event log.")
    status: models.DeliveryStatus = strawberry.field(description="Where it stands.")
    attempts: int = strawberry.field(description="How many tries so far.")
    next_attempt_at: datetime = strawberry.field(description="When it is tried next if pending.")
    last_status: int | None = strawberry.field(description="HTTP status of the last try.")
    last_error: str | None = strawberry.field(description="What went wrong last time.")
    delivered_at: datetime | None = strawberry.field(description="When the receiver took it.")
    created_at: datetime = strawberry.field(description="When the event was written.")
    pk: strawberry.Private[uuid.UUID]
    tenant_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: models.WebhookDelivery) -> "WebhookDeliveryType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("WebhookDelivery", row.id)),
            message_id=f"msg_{row.id}",
            status=models.DeliveryStatus(row.status),
            pk=row.id,
        )

    @strawberry.field(description="Every try, first to last.")
    async def attempt_log(self, info: Info) -> list[WebhookAttemptType]:
        async with info.context.services.db.read() as session:
            found = await DeliveryRepository(session, self.tenant_id).attempts([self.pk])
        return [from_attributes(WebhookAttemptType, row) for row in found[self.pk]]


@strawberry.type(
    name="WebhookEndpoint",
    description="A URL that receives the tenant's events. Its signing secret is shown only "
    "when created or rotated.",
)
class WebhookEndpointType:
    id: strawberry.ID = strawberry.field(description="Global id (`whe_<uuid>`).")
    url: str = strawberry.field(description="Where deliveries are posted.")
    description: str = strawberry.field(description="What it is for.")
    events: list[str] = strawberry.field(description="The documented event names it receives.")
    format: models.EndpointFormat = strawberry.field(description="How deliveries are written.")
    active: bool = strawberry.field(description="Inactive endpoints are sent nothing.")
    signing_secret_last4: str = strawberry.field(description="To tell secrets apart.")
    secret_rotated_at: datetime | None = strawberry.field(description="Last rotation, if any.")
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until when the secret replaced by the last rotation still signs."
    )
    failing_since: datetime | None = strawberry.field(
        description="Since when every attempt has failed; null while it answers."
    )
    disabled_reason: str | None = strawberry.field(
        description="Why Haven turned it off (410 Gone, days of failures)."
    )
    disabled_at: datetime | None = strawberry.field(description="When it was turned off.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    pk: strawberry.Private[uuid.UUID]
    tenant_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: models.WebhookEndpoint) -> "WebhookEndpointType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("WebhookEndpoint", row.id)),
            format=models.EndpointFormat(row.format),
            signing_secret_last4=row.secret_last4,
            pk=row.id,
        )

    @strawberry.field(description="Its deliveries, latest event first.")
    async def deliveries(
        self,
        info: Info,
        status: models.DeliveryStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDeliveryType]:
        tenant_id = self.tenant_id
        return await Connection.listed(
            info.context.services.db,
            lambda session: DeliveryRepository(session, tenant_id),
            DeliveryFilter(self.pk, status.value if status else None),
            first,
            after,
            WebhookDeliveryType.from_row,
        )


@strawberry.input
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="An http(s) URL at a public address.")
    events: list[str] = strawberry.field(description="Documented event names to receive.")
    description: str | None = strawberry.field(default=None, description="What it is for.")
    format: models.EndpointFormat = strawberry.field(
        default=models.EndpointFormat.STANDARD, description="How deliveries are written."
    )


@strawberry.input
class UpdateWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="Global id of the endpoint.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    events: list[str] | None = strawberry.field(default=None, description="New event names.")
    description: str | None = strawberry.field(default=None, description="A new description.")
    format: models.EndpointFormat | None = strawberry.field(default=None, description="Format.")
    active: bool | None = strawberry.field(
        default=None, description="false pauses it; true turns it back on and resends."
    )


@strawberry.input
class DeleteWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="Global id of the endpoint.")


@strawberry.input
class RotateWebhookSecretInput:
    id: strawberry.ID = strawberry.field(description="Global id of the endpoint.")
    grace_seconds: int = strawberry.field(
        default=86400,
        description="How long the current secret keeps signing too, 0 to 604800 (7 days).",
    )


@strawberry.input
class ReplayWebhookDeliveryInput:
    endpoint_id: strawberry.ID = strawberry.field(description="Global id of the endpoint.")
    delivery_id: strawberry.ID = strawberry.field(description="Global id of the delivery.")


@strawberry.input
class ReplayFailedWebhookDeliveriesInput:
    endpoint_id: strawberry.ID = strawberry.field(description="Global id of the endpoint.")
    since: datetime = strawberry.field(description="Replay what failed for events since then.")


@strawberry.type(description="An endpoint with its signing secret, shown only here.")
class WebhookEndpointSecretPayload:
    endpoint: WebhookEndpointType = strawberry.field(description="The endpoint.")
    signing_secret: str = strawberry.field(
        description="The `whsec_` signing secret. Store it now; it is not shown again."
    )


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpointType = strawberry.field(description="The endpoint.")


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID = strawberry.field(description="Global id of the endpoint.")


@strawberry.type
class ReplayWebhookDeliveryPayload:
    delivery: WebhookDeliveryType = strawberry.field(description="The delivery, pending again.")


@strawberry.type
class ReplayFailedWebhookDeliveriesPayload:
    replayed: int = strawberry.field(description="How many deliveries are pending again.")
