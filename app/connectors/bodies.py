"""Bodies of /api/v1/connectors as typed models, in the API document's shapes and key order,
with its examples; they serialize the answers and describe them in the generated document.

Requests are checked here for their JSON types only. Their values are judged by the connector
service, which GraphQL input goes through too, so both APIs refuse the same things in the same
words; a wrong type is refused in those words as well."""

from datetime import timedelta
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema

from app.connectors.mapping import MAX_FIELD_MAPPINGS, SOURCE, TARGETS, TRANSFORMS
from app.connectors.models import (
    ActionType,
    Connector,
    ConnectorStatus,
    ConnectorType,
    HttpMethod,
    InboundMapping,
    OutboundAction,
)
from app.connectors.service import (
    DEFAULT_GRACE,
    ENDPOINT_MAX,
    HEADER_VALUE_MAX,
    MAX_GRACE,
    MAX_HEADERS,
    NAME_MAX,
    one_of,
)
from app.kit.attributes import from_attributes
from app.kit.settings import Settings
from app.rest.envelope import invalid
from app.rest.operations import REF_TEMPLATE
from app.rest.types import ActionId, Body, ConnectorId, MappingId, Page, Timestamp
from app.webhooks.address import webhook_url
from app.webhooks.events import EVENT_TYPES

MAX_GRACE_SECONDS = int(MAX_GRACE.total_seconds())
ONCE = "Shown only in this response; store it securely"
POSTS_HERE = "Where the platform posts its signed events"

CONNECTOR_ID = "con_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6"
EXAMPLE_WEBHOOK_URL = "https://api.supportos.io/api/v1/webhooks/events"
SUMMARY: dict[str, Any] = {
    "id": CONNECTOR_ID,
    "name": "Dating Frame Production",
    "type": "webhook",
    "status": "active",
    "config": {"webhook_url": EXAMPLE_WEBHOOK_URL, "signing_secret_last4": "f6a7"},
    "inbound_mappings_count": 3,
    "outbound_actions_count": 2,
    "last_event_at": "2026-04-02T14:30:01.000Z",
    "created_at": "2026-03-01T10:00:00.000Z",
}
FIELD_MAPPINGS: list[Any] = [
    {"source": "payload.reporter_id", "target": "reporter_external_id"},
    {"source": "payload.reported_user_id", "target": "subject_external_id"},
    {"source": "payload.reason", "target": "category", "transform": "map_category"},
]

Config = TypeVar("Config", bound=Body)


def _enum(options: Any) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": [str(option) for option in options]})


class ConnectorConfig(Body):
    """The connector's settings as listed: Haven's own fields first, then whatever settings the
    admin stored, which cannot shadow them."""

    model_config = ConfigDict(extra="allow")

    webhook_url: str = Field(description=POSTS_HERE)
    signing_secret_last4: str = Field(description="Last four characters of the signing secret")


class ConnectorSecretConfig(Body):
    """The connector's settings with its whole signing secret, the one time it is shown."""

    model_config = ConfigDict(extra="allow")

    webhook_url: str = Field(description=POSTS_HERE)
    signing_secret: str = Field(description=ONCE)


def _config(model: type[Config], connector: Connector, settings: Settings, **own: str) -> Config:
    head = {"webhook_url": webhook_url(settings), **own}
    stored = {key: value for key, value in connector.config.items() if key not in head}
    return model.model_validate({**head, **stored})


class ConnectorSummary(Body):
    """A connector as listed: the secret's last four characters only."""

    model_config = ConfigDict(json_schema_extra={"example": SUMMARY})

    id: ConnectorId
    name: str
    type: ConnectorType
    status: ConnectorStatus
    config: ConnectorConfig
    inbound_mappings_count: int = Field(ge=0)
    outbound_actions_count: int = Field(ge=0)
    last_event_at: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(
        cls, connector: Connector, counts: tuple[int, int], settings: Settings
    ) -> "ConnectorSummary":
        last4 = connector.secret_last4
        return from_attributes(
            cls,
            connector,
            config=_config(ConnectorConfig, connector, settings, signing_secret_last4=last4),
            inbound_mappings_count=counts[0],
            outbound_actions_count=counts[1],
        )


class ConnectorPage(Page[ConnectorSummary]):
    model_config = Page.one_row_example(SUMMARY)


class ConnectorWithSecret(Body):
    """A connector with its whole signing secret, in the answers that make a new one."""

    id: ConnectorId
    name: str
    type: ConnectorType
    status: ConnectorStatus
    config: ConnectorSecretConfig
    created_at: Timestamp

    @classmethod
    def of(cls, connector: Connector, secret: str, settings: Settings) -> Self:
        config = _config(ConnectorSecretConfig, connector, settings, signing_secret=secret)
        return from_attributes(cls, connector, config=config)


class ConnectorCreated(ConnectorWithSecret):
    """A new connector with its signing secret, the one time it is shown."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "con_e5f6a7b8-c9d0-1e2f-3a4b-5c6d7e8f9a0b",
                "name": "Dating Frame Staging",
                "type": "webhook",
                "status": "active",
                "config": {
                    "webhook_url": EXAMPLE_WEBHOOK_URL,
                    "signing_secret": "whsec_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
                },
                "created_at": "2026-04-02T15:25:00.000Z",
            }
        }
    )


class ConnectorRotated(ConnectorWithSecret):
    """After a rotation: the new secret, shown once, and until when the old one still works."""

    secret_rotated_at: Timestamp
    previous_secret_expires_at: Timestamp


class MappedField(Body):
    """One event field copied into one ticket field."""

    source: str = Field(
        description="Dotted path into the event, such as payload.reason",
        json_schema_extra={"pattern": SOURCE.pattern},
    )
    target: str = Field(description=f"One of {', '.join(TARGETS)}, or metadata.<key>")
    # Absent, not null, when the value is copied as it is: mappings are answered as saved.
    transform: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "description": f"One of {', '.join(TRANSFORMS)}; truncate takes `:<length>`",
            }
        ),
        Field(exclude_if=lambda value: value is None),
    ] = None


class Mapping(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "map_c1d2e3f4-a5b6-7c8d-9e0f-a1b2c3d4e5f6",
                "connector_id": CONNECTOR_ID,
                "event_type": "user_reported",
                "field_mappings": FIELD_MAPPINGS,
                "created_at": "2026-04-02T15:30:00.000Z",
            }
        }
    )

    id: MappingId
    connector_id: ConnectorId
    event_type: Annotated[str, _enum(EVENT_TYPES)]
    field_mappings: list[MappedField]
    created_at: Timestamp

    @classmethod
    def of(cls, row: InboundMapping) -> "Mapping":
        return from_attributes(cls, row)


class Action(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "act_d1e2f3a4-b5c6-7d8e-9f0a-b1c2d3e4f5a6",
                "connector_id": CONNECTOR_ID,
                "action_type": "suspend_user",
                "endpoint": "https://api.datingframe.com/v2/users/{{user_id}}/suspend",
                "method": "POST",
                "created_at": "2026-04-02T15:35:00.000Z",
            }
        }
    )

    id: ActionId
    connector_id: ConnectorId
    action_type: ActionType
    endpoint: str
    method: HttpMethod
    created_at: Timestamp

    @classmethod
    def of(cls, row: OutboundAction) -> "Action":
        return from_attributes(cls, row)


# --- requests ----------------------------------------------------------------------------


def _filled(value: str) -> str:
    # Blank text is refused in the words of missing text: the field's one entry in MESSAGES.
    if not value.strip():
        raise ValueError("blank")
    return value


Filled = AfterValidator(_filled)
REQUIRED_TEXT = "{} is required and must be a string"


def _refusals(**messages: str) -> dict[str, str]:
    """`MESSAGES` giving a field's refusal alike whether it is missing or of the wrong type."""
    return {
        key: message for field, message in messages.items() for key in (field, f"{field}.missing")
    }


class ConnectorCreate(Body):
    """Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = _refusals(
        name=REQUIRED_TEXT.format("name"), type=REQUIRED_TEXT.format("type")
    )

    name: Annotated[
        str,
        Filled,
        Field(
            description="Display name", json_schema_extra={"minLength": 1, "maxLength": NAME_MAX}
        ),
    ]
    type: Annotated[str, Filled, _enum(ConnectorType)]
    config: Annotated[
        Any,
        WithJsonSchema(
            {
                "type": ["object", "null"],
                "description": "Type-specific settings, at most 16 KB of JSON; never credentials "
                "(keys naming a secret, password, token or private key are refused)",
            }
        ),
    ] = None


class SecretRotation(Body):
    """The whole body is optional: without one the default grace period applies."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {
        "grace_seconds": "grace_seconds must be a whole number of seconds"
    }

    grace_seconds: int = Field(
        default=int(DEFAULT_GRACE.total_seconds()),
        description="How long the current secret keeps verifying",
        json_schema_extra={"minimum": 0, "maximum": MAX_GRACE_SECONDS},
    )

    def grace(self) -> timedelta:
        # Checked before the timedelta is made, which cannot hold what a caller may send.
        if not 0 <= self.grace_seconds <= MAX_GRACE_SECONDS:
            raise invalid(f"grace_seconds must be from 0 to {MAX_GRACE_SECONDS}")
        return timedelta(seconds=self.grace_seconds)


class MappingCreate(Body):
    """Unknown fields are ignored."""

    # field_mappings is judged by the connector service alone, which names the item that is
    # wrong (`field_mappings[2].target ...`).
    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"required": ["event_type", "field_mappings"]}
    )
    MESSAGES: ClassVar[dict[str, str]] = _refusals(event_type=one_of("event_type", EVENT_TYPES))

    event_type: Annotated[str, _enum(EVENT_TYPES)]
    field_mappings: Annotated[
        Any,
        WithJsonSchema(
            {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_FIELD_MAPPINGS,
                "items": {"$ref": REF_TEMPLATE.format(model=MappedField.__name__)},
                "description": "Each target at most once",
            }
        ),
    ] = None


class ActionCreate(Body):
    """Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = _refusals(
        action_type=one_of("action_type", ActionType),
        endpoint="endpoint is required",
        method=one_of("method", HttpMethod),
        payload_template="payload_template is required",
    )

    action_type: Annotated[str, _enum(ActionType)]
    endpoint: Annotated[
        str,
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": ENDPOINT_MAX,
                "description": "Public http(s) URL with {{name}} placeholders; private, "
                "loopback and link-local addresses are refused",
            }
        ),
    ]
    method: Annotated[str, _enum(HttpMethod)]
    headers: Annotated[
        Any,
        WithJsonSchema(
            {
                "type": ["object", "null"],
                "maxProperties": MAX_HEADERS,
                "additionalProperties": {"type": "string", "maxLength": HEADER_VALUE_MAX},
            }
        ),
    ] = None
    payload_template: Annotated[
        str,
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "description": "JSON with {{name}} placeholders, at most 16 KB",
            }
        ),
    ]
    requires_approval: bool = Field(
        default=False,
        description="Four eyes: each call waits for a second person's approval before it is sent",
    )
