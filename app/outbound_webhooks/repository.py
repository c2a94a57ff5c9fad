"""Every query on a tenant's webhook endpoints, their deliveries and attempts."""

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, update

from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantRepository
from app.outbound_webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# Newest first; the id breaks ties between endpoints made in the same instant.
NEWEST = Ordering(
    "webhook_endpoints",
    [Key(WebhookEndpoint.created_at, datetime), Key(WebhookEndpoint.id, uuid.UUID)],
    descending=True,
)
# Latest event first, and an event's names in the order they are sent.
LATEST = Ordering(
    "webhook_deliveries",
    [
        Key(WebhookDelivery.seq, int),
        Key(WebhookDelivery.position, int),
        Key(WebhookDelivery.id, uuid.UUID),
    ],
    descending=True,
)


class DeliveryFilter(NamedTuple):
    """An endpoint's deliveries, of one status or all."""

    endpoint_id: uuid.UUID
    status: str | None = None


class EndpointRepository(TenantRepository[WebhookEndpoint]):
    """A tenant's webhook endpoints."""

    model = WebhookEndpoint

    async def page(self, where: None, first: int, after: str | None) -> Page[WebhookEndpoint]:
        return await self.paginate(self.readable_statement(), NEWEST, first, after)

    async def count(self, where: None) -> int:
        return await self.count_rows(self.readable_statement())

    async def active_of_format(self, format: str) -> list[WebhookEndpoint]:
        statement = self.readable_statement().where(
            WebhookEndpoint.active.is_(True), WebhookEndpoint.format == format
        )
        return list(await self.session.scalars(statement.order_by(WebhookEndpoint.created_at)))


class DeliveryRepository(TenantRepository[WebhookDelivery]):
    """Deliveries of a tenant's endpoints, and their attempts."""

    model = WebhookDelivery

    def _of(self, endpoint_id: uuid.UUID, status: str | None = None) -> Select[Any]:
        query = self.readable_statement().where(WebhookDelivery.endpoint_id == endpoint_id)
        return query.where(WebhookDelivery.status == status) if status else query

    async def page(
        self, where: DeliveryFilter, first: int, after: str | None
    ) -> Page[WebhookDelivery]:
        return await self.paginate(self._of(*where), LATEST, first, after)

    async def count(self, where: DeliveryFilter) -> int:
        return await self.count_rows(self._of(*where))

    async def of_endpoint(
        self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID, *, for_update: bool = False
    ) -> WebhookDelivery | None:
        statement = self._of(endpoint_id).where(WebhookDelivery.id == delivery_id)
        if for_update:
            statement = statement.with_for_update()
        row: WebhookDelivery | None = await self.session.scalar(statement)
        return row

    async def attempts(self, delivery_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
        """Each delivery's attempts, first to last, in one query."""
        rows = await self.session.scalars(
            self.tenant_rows(WebhookAttempt, WebhookAttempt.delivery_id.in_(delivery_ids)).order_by(
                WebhookAttempt.delivery_id, WebhookAttempt.number
            )
        )
        found: dict[uuid.UUID, list[Any]] = {pk: [] for pk in delivery_ids}
        for attempt in rows:
            found[attempt.delivery_id].append(attempt)
        return found

    async def retry(
        self,
        endpoint_id: uuid.UUID,
        now: datetime,
        *,
        failed_since: datetime | None = None,
        delivery_id: uuid.UUID | None = None,
    ) -> int:
        """Make deliveries pending again, due now: one (any status), or every failed one
        created since a moment. Returns how many."""
        where = [self.in_tenant(WebhookDelivery), WebhookDelivery.endpoint_id == endpoint_id]
        if delivery_id is not None:
            where.append(WebhookDelivery.id == delivery_id)
        if failed_since is not None:
            where += [
                WebhookDelivery.status == DeliveryStatus.FAILED,
                WebhookDelivery.created_at >= failed_since,
            ]
        result = await self.session.execute(
            update(WebhookDelivery)
            .where(*where)
            .values(status=DeliveryStatus.PENDING, next_attempt_at=now, delivered_at=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
