"""Connector queries and mutations, for administrators only: connectors hold signing secrets."""

from datetime import timedelta

import strawberry
from strawberry.types import Info

from app.connectors import service
from app.connectors.models import ConnectorStatus
from app.connectors.repository import ConnectorRepository
from app.connectors.types import (
    ActivateConnectorInput,
    ConnectorPayload,
    ConnectorSecretPayload,
    ConnectorType,
    CreateConnectorInput,
    CreateOutboundActionInput,
    CreateOutboundActionPayload,
    DeactivateConnectorInput,
    InboundMappingType,
    OutboundActionType,
    RotateConnectorSecretInput,
    SaveInboundMappingInput,
    SaveInboundMappingPayload,
)
from app.graphql.permissions import IsAdmin
from app.graphql.relay import Connection
from app.kit.ids import expect_global_id
from app.kit.pagination import page_size


@strawberry.type
class ConnectorQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="Connectors, newest first.")
    async def connectors(
        self,
        info: Info,
        status: ConnectorStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ConnectorType]:
        tenant_id, db = info.context.require().tenant_id, info.context.services.db
        size = page_size(first)
        async with db.read() as session:
            page = await ConnectorRepository(session, tenant_id).page(status, size, after)

        async def counter() -> int:
            async with db.read() as session:
                return await ConnectorRepository(session, tenant_id).count(status)

        return Connection.of(page, ConnectorType.from_row, counter)

    @strawberry.field(permission_classes=[IsAdmin], description="One connector by global id.")
    async def connector(self, info: Info, id: strawberry.ID) -> ConnectorType | None:
        row = await info.context.loaders.connector.load(expect_global_id(id, "Connector"))
        return ConnectorType.from_row(row) if row else None


async def _set_active(info: Info, id: strawberry.ID, active: bool) -> ConnectorPayload:
    principal = info.context.require()
    async with info.context.services.db.transaction() as work:
        row = await service.set_active(
            work.session, principal.tenant_id, expect_global_id(id, "Connector"), active
        )
    return ConnectorPayload(connector=ConnectorType.from_row(row))


@strawberry.type
class ConnectorMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create a connector; its signing secret is in the answer, and only there.",
    )
    async def create_connector(
        self, info: Info, input: CreateConnectorInput
    ) -> ConnectorSecretPayload:
        principal, services = info.context.require(), info.context.services
        async with services.db.transaction() as work:
            row, secret = await service.create_connector(
                work.session,
                principal.tenant_id,
                services.sealer,
                name=input.name,
                type=input.type.value,
                config=input.config,
            )
        return ConnectorSecretPayload(connector=ConnectorType.from_row(row), signing_secret=secret)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Replace the signing secret; the current one verifies for `graceSeconds`.",
    )
    async def rotate_connector_secret(
        self, info: Info, input: RotateConnectorSecretInput
    ) -> ConnectorSecretPayload:
        principal, services = info.context.require(), info.context.services
        async with services.db.transaction() as work:
            row, secret = await service.rotate_secret(
                work.session,
                principal.tenant_id,
                services.sealer,
                expect_global_id(input.id, "Connector"),
                grace=timedelta(seconds=input.grace_seconds),
            )
        return ConnectorSecretPayload(connector=ConnectorType.from_row(row), signing_secret=secret)

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
        principal = info.context.require()
        fields = [
            {"source": item.source, "target": item.target}
            | ({"transform": item.transform} if item.transform is not None else {})
            for item in input.field_mappings
        ]
        async with info.context.services.db.transaction() as work:
            row, created = await service.save_mapping(
                work.session,
                principal.tenant_id,
                expect_global_id(input.connector_id, "Connector"),
                input.event_type,
                fields,
            )
        return SaveInboundMappingPayload(mapping=InboundMappingType.from_row(row), created=created)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Define a call Haven can make to the platform."
    )
    async def create_outbound_action(
        self, info: Info, input: CreateOutboundActionInput
    ) -> CreateOutboundActionPayload:
        principal = info.context.require()
        data = {
            "action_type": input.action_type.value,
            "endpoint": input.endpoint,
            "method": input.method.value,
            "headers": input.headers,
            "payload_template": input.payload_template,
        }
        async with info.context.services.db.transaction() as work:
            row = await service.create_action(
                work.session,
                principal.tenant_id,
                expect_global_id(input.connector_id, "Connector"),
                data,
            )
        return CreateOutboundActionPayload(action=OutboundActionType.from_row(row))
