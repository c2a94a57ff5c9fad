import uuid
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.connectors import models
from app.graphql.context import Info
from app.graphql.relay import Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.webhooks.address import webhook_url

strawberry.enum(models.ConnectorType, name="ConnectorType", description="What a connector is.")
strawberry.enum(
    models.ConnectorStatus, name="ConnectorStatus", description="Whether a connector works."
)
strawberry.enum(
    models.ActionType, name="OutboundActionType", description="What an outbound action does."
)
strawberry.enum(models.HttpMethod, name="HttpMethod", description="HTTP method of a call.")


@strawberry.type(description="One event field copied into one ticket field.")
class FieldMapping:
    source: str = strawberry.field(description="Dotted path into the event: `payload.reason`.")
    target: str = strawberry.field(description="Ticket field, or `metadata.<key>`.")
    transform: str | None = strawberry.field(
        description="lowercase, uppercase, trim, truncate[:N], map_category or map_priority."
    )


@strawberry.type(name="InboundMapping", description="How one event type becomes a ticket.")
class InboundMappingType(Node):
    event_type: str = strawberry.field(description="The platform event type it applies to.")
    field_mappings: list[FieldMapping] = strawberry.field(description="Fields, in order.")
    created_at: datetime = strawberry.field(description="When it was first saved.")

    @classmethod
    def from_row(cls, row: models.InboundMapping) -> "InboundMappingType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("InboundMapping", row.id)),
            field_mappings=[
                FieldMapping(
                    source=item["source"], target=item["target"], transform=item.get("transform")
                )
                for item in row.field_mappings
            ],
        )


@strawberry.type(name="OutboundAction", description="A call Haven can make to the platform.")
class OutboundActionNode(Node):
    action_type: models.ActionType = strawberry.field(description="What the call does.")
    endpoint: str = strawberry.field(description="URL, with `{{name}}` placeholders.")
    method: models.HttpMethod = strawberry.field(description="HTTP method.")
    headers: JSON = strawberry.field(description="Extra request headers.")
    payload_template: str = strawberry.field(description="JSON body with placeholders.")
    requires_approval: bool = strawberry.field(
        description="Each call waits for a second person's approval before it is sent."
    )
    created_at: datetime = strawberry.field(description="When it was created.")

    @classmethod
    def from_row(cls, row: models.OutboundAction) -> "OutboundActionNode":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("OutboundAction", row.id)),
            action_type=models.ActionType(row.action_type),
            method=models.HttpMethod(row.method),
            headers=cast(JSON, row.headers),
        )


@strawberry.type(name="ConnectorSecret", description="A named secret: never its value.")
class ConnectorSecretType:
    name: str = strawberry.field(description="Used in header values as `{{name}}`.")
    last4: str = strawberry.field(description="Its last four characters.")
    updated_at: datetime = strawberry.field(description="When it was last set.")


@strawberry.type(
    name="Connector",
    description="A platform that sends signed events and receives actions back. Its signing "
    "secret is shown only when created or rotated.",
)
class ConnectorNode(Node):
    name: str = strawberry.field(description="Display name.")
    type: models.ConnectorType = strawberry.field(description="What the connector is.")
    status: models.ConnectorStatus = strawberry.field(
        description="Inactive connectors' events are refused."
    )
    config: JSON = strawberry.field(description="Type-specific settings, never credentials.")
    signing_secret_last4: str = strawberry.field(
        description="The last four characters of the signing secret, to tell secrets apart."
    )
    secret_rotated_at: datetime | None = strawberry.field(description="Last rotation, if any.")
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until when the secret replaced by the last rotation still verifies."
    )
    last_event_at: datetime | None = strawberry.field(
        description="Latest event received, recorded at most once a minute."
    )
    deactivated_at: datetime | None = strawberry.field(description="When it was deactivated.")
    created_at: datetime = strawberry.field(description="When it was created.")
    pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: models.Connector) -> "ConnectorNode":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("Connector", row.id)),
            type=models.ConnectorType(row.type),
            status=models.ConnectorStatus(row.status),
            config=cast(JSON, row.config),
            signing_secret_last4=row.secret_last4,
            pk=row.id,
        )

    @strawberry.field(description="Where the platform posts its signed events.")
    def webhook_url(self, info: Info) -> str:
        return webhook_url(info.context.services.settings)

    @strawberry.field(description="Field mappings, one per event type.")
    async def inbound_mappings(self, info: Info) -> list[InboundMappingType]:
        rows = await info.context.loaders.connector_mappings.load(self.pk)
        return [InboundMappingType.from_row(row) for row in rows]

    @strawberry.field(description="Actions Haven can call on the platform, oldest first.")
    async def outbound_actions(self, info: Info) -> list[OutboundActionNode]:
        rows = await info.context.loaders.connector_actions.load(self.pk)
        return [OutboundActionNode.from_row(row) for row in rows]

    @strawberry.field(
        description="Named secrets for action headers: names and last four characters only."
    )
    async def secrets(self, info: Info) -> list[ConnectorSecretType]:
        rows = await info.context.loaders.connector_secrets.load(self.pk)
        return [
            ConnectorSecretType(name=row.name, last4=row.last4, updated_at=row.updated_at)
            for row in rows
        ]

    @strawberry.field(description="How many event types have a field mapping.")
    async def inbound_mappings_count(self, info: Info) -> int:
        mappings, _ = await info.context.loaders.connector_counts.load(self.pk)
        return int(mappings)

    @strawberry.field(description="How many outbound actions are defined.")
    async def outbound_actions_count(self, info: Info) -> int:
        _, actions = await info.context.loaders.connector_counts.load(self.pk)
        return int(actions)


@strawberry.input
class CreateConnectorInput:
    name: str = strawberry.field(description="Display name, 1 to 200 characters.")
    type: models.ConnectorType = strawberry.field(description="What the connector is.")
    config: JSON | None = strawberry.field(
        default=None, description="Type-specific settings (up to 16 KB), never credentials."
    )


@strawberry.type(description="A connector with its signing secret, shown only here.")
class ConnectorSecretPayload:
    connector: ConnectorNode = strawberry.field(description="The connector.")
    signing_secret: str = strawberry.field(
        description="The `whsec_` signing secret. Store it now; it is not shown again."
    )


@strawberry.input
class RotateConnectorSecretInput:
    id: strawberry.ID = strawberry.field(description="Global id of the connector.")
    grace_seconds: int = strawberry.field(
        default=86400,
        description="How long the current secret keeps verifying, 0 to 604800 (7 days).",
    )


@strawberry.input
class DeactivateConnectorInput:
    id: strawberry.ID = strawberry.field(description="Global id of the connector.")


@strawberry.input
class ActivateConnectorInput:
    id: strawberry.ID = strawberry.field(description="Global id of the connector.")


@strawberry.type
class ConnectorPayload:
    connector: ConnectorNode = strawberry.field(description="The connector.")


@strawberry.input
class FieldMappingInput:
    source: str = strawberry.field(description="Dotted path into the event: `payload.reason`.")
    target: str = strawberry.field(description="Ticket field, or `metadata.<key>`.")
    transform: str | None = strawberry.field(
        default=None, description="lowercase, uppercase, trim, truncate[:N], map_category, ..."
    )


@strawberry.input
class SaveInboundMappingInput:
    connector_id: strawberry.ID = strawberry.field(description="Global id of the connector.")
    event_type: str = strawberry.field(description="The platform event type, `user_reported`.")
    field_mappings: list[FieldMappingInput] = strawberry.field(
        description="1 to 30 mappings, each target filled once."
    )


@strawberry.type
class SaveInboundMappingPayload:
    mapping: InboundMappingType = strawberry.field(description="The saved mapping.")
    created: bool = strawberry.field(
        description="False when it replaced the event type's earlier mapping."
    )


@strawberry.input
class CreateOutboundActionInput:
    connector_id: strawberry.ID = strawberry.field(description="Global id of the connector.")
    action_type: models.ActionType = strawberry.field(description="What the call does.")
    endpoint: str = strawberry.field(description="Public http(s) URL, `{{name}}` placeholders.")
    method: models.HttpMethod = strawberry.field(description="HTTP method.")
    payload_template: str = strawberry.field(description="JSON body with placeholders.")
    headers: JSON | None = strawberry.field(
        default=None, description="Up to 20 extra headers, string values."
    )
    requires_approval: bool = strawberry.field(
        default=False, description="Each call waits for a second person's approval."
    )


@strawberry.type
class CreateOutboundActionPayload:
    action: OutboundActionNode = strawberry.field(description="The new action.")
