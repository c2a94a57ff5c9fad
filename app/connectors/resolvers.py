"""Connector queries and mutations, for administrators only: connectors hold signing secrets."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from app.connectors import service
from app.connectors.models import Connector, ConnectorStatus
from app.connectors.repository import ConnectorRepository
from app.connectors.types import (
    ActivateConnectorInput,
    ConnectorNode,
    ConnectorPayload,
    ConnectorSecretPayload,
    CreateConnectorInput,
    CreateOutboundActionInput,
    CreateOutboundActionPayload,
    DeactivateConnectorInput,
    InboundMappingType,
    OutboundActionNode,
    RotateConnectorSecretInput,
    SaveInboundMappingInput,
    SaveInboundMappingPayload,
)
from app.graphql.context import Info
from app.graphql.permissions import IsAdmin
from app.graphql.relay import Connection
from app.kit.ids import expect_global_id
from app.kit.sealing import Sealer

T = TypeVar("T")


@strawberry.type
class ConnectorQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="Connectors, newest first.")
    async def connectors(
        self,
        info: Info,
        status: ConnectorStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ConnectorNode]:
        tenant_id = info.context.require().tenant_id
        return await Connection.listed(
            info.context.services.db,
            lambda session: ConnectorRepository(session, tenant_id),
            status,
            first,
            after,
            ConnectorNode.from_row,
        )

    @strawberry.field(permission_classes=[IsAdmin], description="One connector by global id.")
    async def connector(self, info: Info, id: strawberry.ID) -> ConnectorNode | None:
        row = await info.context.loaders.connector.load(expect_global_id(id, "Connector"))
        return ConnectorNode.from_row(row) if row else None


async def _change(info: Info, change: Callable[[AsyncSession, uuid.UUID], Awaitable[T]]) -> T:
    """What `change` makes of the caller's tenant, in a transaction of its own."""
    tenant_id = info.context.require().tenant_id
    async with info.context.services.db.transaction() as work:
        return await change(work.session, tenant_id)


async def _secret_shown(
    info: Info,
    change: Callable[[AsyncSession, uuid.UUID, Sealer], Awaitable[tuple[Connector, str]]],
) -> ConnectorSecretPayload:
    """A change that makes a new signing secret, answered with the secret, the one time it is
    shown."""
    sealer = info.context.services.sealer
    row, secret = await _change(info, lambda session, tenant_id: change(session, tenant_id, sealer))
    return ConnectorSecretPayload(connector=ConnectorNode.from_row(row), signing_secret=secret)


async def _set_active(info: Info, id: strawberry.ID, active: bool) -> ConnectorPayload:
    pk = expect_global_id(id, "Connector")
    row = await _change(info, partial(service.set_active, connector_id=pk, active=active))
    return ConnectorPayload(connector=ConnectorNode.from_row(row))


@strawberry.type
class ConnectorMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create a connector; its signing secret is in the answer, and only there.",
    )
    async def create_connector(
        self, info: Info, input: CreateConnectorInput
    ) -> ConnectorSecretPayload:
        return await _secret_shown(
            info,
            partial(
                service.create_connector,
                name=input.name,
                type=input.type.value,
                config=input.config,
            ),
        )

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Replace the signing secret; the current one verifies for `graceSeconds`.",
    )
    async def rotate_connector_secret(
        self, info: Info, input: RotateConnectorSecretInput
    ) -> ConnectorSecretPayload:
        pk, grace = expect_global_id(input.id, "Connector"), timedelta(seconds=input.grace_seconds)
        return await _secret_shown(
            info, partial(service.rotate_secret, connector_id=pk, grace=grace)
        )

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Stop a connector: events signed with its secrets are refused.",
    )
    async def deactivate_connector(
        self, info: Info, input: DeactivateConnectorInput
    ) -> ConnectorPayload:
        return await _set_active(info, input.id, active=False)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Accept events again.")
    async def activate_connector(
        self, info: Info, input: ActivateConnectorInput
    ) -> ConnectorPayload:
        return await _set_active(info, input.id, active=True)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Save how an event type's fields fill a ticket, replacing any earlier one.",
    )
    async def save_inbound_mapping(
        self, info: Info, input: SaveInboundMappingInput
    ) -> SaveInboundMappingPayload:
        fields = [
            {"source": item.source, "target": item.target}
            | ({"transform": item.transform} if item.transform is not None else {})
            for item in input.field_mappings
        ]
        save = partial(
            service.save_mapping,
            connector_id=expect_global_id(input.connector_id, "Connector"),
            event_type=input.event_type,
            field_mappings=fields,
        )
        row, created = await _change(info, save)
        return SaveInboundMappingPayload(mapping=InboundMappingType.from_row(row), created=created)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Define a call Haven can make to the platform."
    )
    async def create_outbound_action(
        self, info: Info, input: CreateOutboundActionInput
    ) -> CreateOutboundActionPayload:
        data = {
            "action_type": input.action_type.value,
            "endpoint": input.endpoint,
            "method": input.method.value,
            "headers": input.headers,
            "payload_template": input.payload_template,
            "requires_approval": input.requires_approval,
        }
        pk = expect_global_id(input.connector_id, "Connector")
        row = await _change(
            info,
            partial(
                service.create_action,
                connector_id=pk,
                data=data,
                allowed=info.context.services.outbound.allowed,
            ),
        )
        return CreateOutboundActionPayload(action=OutboundActionNode.from_row(row))
