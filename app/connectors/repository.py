"""Every query on connectors, their mappings and actions, scoped to one tenant."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.connectors.models import (
    ActionExecution,
    Connector,
    ConnectorSecret,
    ConnectorStatus,
    ConnectorType,
    InboundMapping,
    OutboundAction,
)
from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantRepository
from app.webhooks.models import WebhookReceipt

LAST_EVENT_INTERVAL = timedelta(seconds=60)
# Types that receive signed events.
SIGNED_TYPES = (ConnectorType.WEBHOOK, ConnectorType.API)


# Newest first; the id breaks ties between connectors made in the same instant.
NEWEST = Ordering(
    "connectors",
    [Key(Connector.created_at, datetime), Key(Connector.id, uuid.UUID)],
    descending=True,
)


async def signing_connectors(
    session: AsyncSession, tenant_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Connector]]:
    """Active connectors whose secrets may sign inbound events, per tenant, in one query."""
    rows = await session.scalars(
        select(Connector)
        .where(
            Connector.tenant_id.in_(tenant_ids),
            Connector.status == ConnectorStatus.ACTIVE,
            Connector.type.in_([t.value for t in SIGNED_TYPES]),
        )
        .order_by(Connector.created_at, Connector.id)
    )
    found: dict[uuid.UUID, list[Connector]] = {}
    for connector in rows:
        found.setdefault(connector.tenant_id, []).append(connector)
    return found


class ConnectorRepository(TenantRepository[Connector]):
    """Connectors of one tenant, with their inbound mappings and outbound actions."""

    model = Connector

    def _filtered(self, status: str | None) -> Select[Any]:
        query = self.readable_statement()
        return query.where(Connector.status == status) if status else query

    async def page(self, status: str | None, first: int, after: str | None) -> Page[Connector]:
        """Newest first."""
        return await self.paginate(self._filtered(status), NEWEST, first, after)

    async def count(self, status: str | None) -> int:
        return await self.count_rows(self._filtered(status))

    async def signing(self) -> list[Connector]:
        """Active connectors whose secrets may sign inbound events."""
        return (await signing_connectors(self.session, [self.tenant_id])).get(self.tenant_id, [])

    async def touch(self, connector: Connector, now: datetime) -> None:
        """Record the latest event at most once a minute: busy connectors do not contend on
        their row for every event."""
        last = connector.last_event_at
        if last is not None and now - last < LAST_EVENT_INTERVAL:
            return
        await self.session.execute(
            update(Connector)
            .where(Connector.id == connector.id, self.in_tenant(Connector))
            .values(last_event_at=now)
        )

    async def mappings(self, connector_ids: list[uuid.UUID]) -> list[InboundMapping]:
        rows = await self.session.scalars(
            self.tenant_rows(
                InboundMapping, InboundMapping.connector_id.in_(connector_ids)
            ).order_by(InboundMapping.event_type)
        )
        return list(rows)

    async def mappings_for(
        self, pairs: set[tuple[uuid.UUID, str]]
    ) -> dict[tuple[uuid.UUID, str], InboundMapping]:
        """The mappings of these (connector, event type) pairs, in one query."""
        if not pairs:
            return {}
        keys = tuple_(InboundMapping.connector_id, InboundMapping.event_type)
        rows = await self.session.scalars(self.tenant_rows(InboundMapping, keys.in_(list(pairs))))
        return {(m.connector_id, m.event_type): m for m in rows}

    async def mapping(self, connector_id: uuid.UUID, event_type: str) -> InboundMapping | None:
        return await self.session.scalar(
            self.tenant_rows(
                InboundMapping,
                InboundMapping.connector_id == connector_id,
                InboundMapping.event_type == event_type,
            )
        )

    async def mappings_by_ids(self, mapping_ids: list[uuid.UUID]) -> list[InboundMapping]:
        rows = await self.session.scalars(
            self.tenant_rows(InboundMapping, InboundMapping.id.in_(mapping_ids))
        )
        return list(rows)

    async def actions_by_ids(self, action_ids: list[uuid.UUID]) -> list[OutboundAction]:
        rows = await self.session.scalars(
            self.tenant_rows(OutboundAction, OutboundAction.id.in_(action_ids))
        )
        return list(rows)

    async def actions(self, connector_ids: list[uuid.UUID]) -> list[OutboundAction]:
        rows = await self.session.scalars(
            self.tenant_rows(
                OutboundAction, OutboundAction.connector_id.in_(connector_ids)
            ).order_by(OutboundAction.created_at, OutboundAction.id)
        )
        return list(rows)

    async def action(self, action_id: uuid.UUID) -> OutboundAction | None:
        return await self.session.scalar(
            self.tenant_rows(OutboundAction, OutboundAction.id == action_id)
        )

    async def secrets(self, connector_ids: list[uuid.UUID]) -> list[ConnectorSecret]:
        rows = await self.session.scalars(
            self.tenant_rows(
                ConnectorSecret, ConnectorSecret.connector_id.in_(connector_ids)
            ).order_by(ConnectorSecret.name)
        )
        return list(rows)

    async def counts(self, connector_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
        """(inbound mappings, outbound actions) per connector, in two grouped queries."""
        tallies = []
        for model in (InboundMapping, OutboundAction):
            column = model.connector_id
            rows = await self.session.execute(
                select(column, func.count())
                .where(self.in_tenant(model), column.in_(connector_ids))
                .group_by(column)
            )
            tallies.append({pk: count for pk, count in rows})
        return {pk: (tallies[0].get(pk, 0), tallies[1].get(pk, 0)) for pk in connector_ids}


class ExecutionRepository(TenantRepository[ActionExecution]):
    """Calls of outbound actions made from the tenant's cases. Callers reach them through a
    case they may see; the case's visibility is checked before these are read."""

    model = ActionExecution

    async def of_case(self, case_id: uuid.UUID) -> list[ActionExecution]:
        """The case's calls, oldest first."""
        rows = await self.session.scalars(
            self.readable_statement()
            .where(ActionExecution.case_id == case_id)
            .order_by(ActionExecution.created_at, ActionExecution.id)
        )
        return list(rows)

    async def in_case(
        self, case_id: uuid.UUID, execution_id: uuid.UUID, *, for_update: bool = False
    ) -> ActionExecution | None:
        statement = self.readable_statement().where(
            ActionExecution.id == execution_id, ActionExecution.case_id == case_id
        )
        if for_update:
            statement = statement.with_for_update()
        row: ActionExecution | None = await self.session.scalar(statement)
        return row

    async def receipts(self, ticket_ids: list[uuid.UUID]) -> list[WebhookReceipt]:
        """The platform events that made these tickets, oldest first."""
        rows = await self.session.scalars(
            self.tenant_rows(WebhookReceipt, WebhookReceipt.ticket_id.in_(ticket_ids)).order_by(
                WebhookReceipt.received_at
            )
        )
        return list(rows)
