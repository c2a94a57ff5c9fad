"""Webhook endpoint queries and mutations, for administrators only: endpoints hold signing
secrets and receive the tenant's events."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import TypeVar

import strawberry

from app.graphql.context import Info
from app.graphql.permissions import IsAdmin
from app.graphql.relay import Connection
from app.kit.actors import Actor
from app.kit.ids import expect_global_id
from app.outbound_webhooks import service
from app.outbound_webhooks.repository import DeliveryFilter, DeliveryRepository, EndpointRepository
from app.outbound_webhooks.types import (
    CreateWebhookEndpointInput,
    DeleteWebhookEndpointInput,
    DeleteWebhookEndpointPayload,
    ReplayFailedWebhookDeliveriesInput,
    ReplayFailedWebhookDeliveriesPayload,
    ReplayWebhookDeliveryInput,
    ReplayWebhookDeliveryPayload,
    RotateWebhookSecretInput,
    UpdateWebhookEndpointInput,
    WebhookDeliveryType,
    WebhookEndpointPayload,
    WebhookEndpointSecretPayload,
    WebhookEndpointType,
)

T = TypeVar("T")


def _endpoint_pk(id: strawberry.ID) -> uuid.UUID:
    return expect_global_id(id, "WebhookEndpoint")


@strawberry.type
class WebhookQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="Webhook endpoints, newest first.")
    async def webhook_endpoints(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookEndpointType]:
        tenant_id = info.context.require().tenant_id
        return await Connection.listed(
            info.context.services.db,
            lambda session: EndpointRepository(session, tenant_id),
            None,
            first,
            after,
            WebhookEndpointType.from_row,
        )

    @strawberry.field(permission_classes=[IsAdmin], description="One endpoint by global id.")
    async def webhook_endpoint(self, info: Info, id: strawberry.ID) -> WebhookEndpointType | None:
        tenant_id, pk = info.context.require().tenant_id, _endpoint_pk(id)
        async with info.context.services.db.read() as session:
            row = await EndpointRepository(session, tenant_id).get(pk)
        return WebhookEndpointType.from_row(row) if row else None

    @strawberry.field(
        permission_classes=[IsAdmin], description="An endpoint's deliveries, latest event first."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDeliveryType]:
        tenant_id, pk = info.context.require().tenant_id, _endpoint_pk(endpoint_id)
        return await Connection.listed(
            info.context.services.db,
            lambda session: DeliveryRepository(session, tenant_id),
            DeliveryFilter(pk),
            first,
            after,
            WebhookDeliveryType.from_row,
        )


async def _change(info: Info, change: Callable[..., Awaitable[T]]) -> T:
    """What `change` makes of the caller's tenant, as the caller, in a transaction of its own."""
    principal = info.context.require()
    async with info.context.services.db.transaction() as work:
        return await change(work.session, principal.tenant_id, actor=Actor.of(principal))


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create an endpoint; its signing secret is in the answer, and only there.",
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> WebhookEndpointSecretPayload:
        services = info.context.services
        data = {
            "url": input.url,
            "events": input.events,
            "description": input.description,
            "format": input.format.value,
        }
        create = partial(
            service.create_endpoint,
            sealer=services.sealer,
            allowed=services.outbound.allowed,
            data=data,
        )
        row, secret = await _change(info, create)
        return WebhookEndpointSecretPayload(
            endpoint=WebhookEndpointType.from_row(row), signing_secret=secret
        )

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Change an endpoint; fields left out stay."
    )
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        changes = {
            "url": input.url,
            "events": input.events,
            "description": input.description,
            "format": input.format.value if input.format else None,
            "active": input.active,
        }
        update = partial(
            service.update_endpoint,
            allowed=info.context.services.outbound.allowed,
            endpoint_id=_endpoint_pk(input.id),
            changes=changes,
        )
        return WebhookEndpointPayload(
            endpoint=WebhookEndpointType.from_row(await _change(info, update))
        )

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Delete an endpoint and its deliveries."
    )
    async def delete_webhook_endpoint(
        self, info: Info, input: DeleteWebhookEndpointInput
    ) -> DeleteWebhookEndpointPayload:
        pk = _endpoint_pk(input.id)
        await _change(info, partial(service.delete_endpoint, endpoint_id=pk))
        return DeleteWebhookEndpointPayload(deleted_id=input.id)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Replace the signing secret; the current one signs too for `graceSeconds`.",
    )
    async def rotate_webhook_secret(
        self, info: Info, input: RotateWebhookSecretInput
    ) -> WebhookEndpointSecretPayload:
        rotate = partial(
            service.rotate_secret,
            sealer=info.context.services.sealer,
            endpoint_id=_endpoint_pk(input.id),
            grace=timedelta(seconds=input.grace_seconds),
        )
        row, secret = await _change(info, rotate)
        return WebhookEndpointSecretPayload(
            endpoint=WebhookEndpointType.from_row(row), signing_secret=secret
        )

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Send a delivery again, under the same `webhook-id`.",
    )
    async def replay_webhook_delivery(
        self, info: Info, input: ReplayWebhookDeliveryInput
    ) -> ReplayWebhookDeliveryPayload:
        replay = partial(
            service.replay_delivery,
            endpoint_id=_endpoint_pk(input.endpoint_id),
            delivery_id=expect_global_id(input.delivery_id, "WebhookDelivery"),
        )
        row = await _change(info, replay)
        return ReplayWebhookDeliveryPayload(delivery=WebhookDeliveryType.from_row(row))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Send again every delivery that failed, for events since `since`.",
    )
    async def replay_failed_webhook_deliveries(
        self, info: Info, input: ReplayFailedWebhookDeliveriesInput
    ) -> ReplayFailedWebhookDeliveriesPayload:
        replay = partial(
            service.replay_failed, endpoint_id=_endpoint_pk(input.endpoint_id), since=input.since
        )
        return ReplayFailedWebhookDeliveriesPayload(replayed=await _change(info, replay))
