"""Connector rules: signing secrets shown once and rotated with a grace period, inbound field
mappings checked on save, outbound actions checked before they can ever be called."""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from app.connectors.mapping import check_field_mappings
from app.connectors.models import (
    ActionType,
    Connector,
    ConnectorStatus,
    ConnectorType,
    HttpMethod,
    InboundMapping,
    OutboundAction,
)
from app.connectors.repository import ConnectorRepository
from app.connectors.templates import PLACEHOLDER
from app.kit import validation
from app.kit.addresses import RefusedDestination
from app.kit.destinations import Allowed, check_saved
from app.kit.errors import NotFound, ValidationFailed
from app.kit.models import utcnow
from app.kit.sealing import Sealer
from app.webhooks.events import EVENT_TYPES
from app.webhooks.signatures import new_signing_secret

DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=7)
NAME_MAX = 200
CONFIG_MAX_BYTES = 16 * 1024
# Config is shown back to admins, so credentials never belong in it.
SECRET_KEY_WORDS = re.compile(r"secret|password|passwd|token|private", re.IGNORECASE)
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
MAX_HEADERS = 20
HEADER_VALUE_MAX = 2000
ENDPOINT_MAX = 2000
TEMPLATE_MAX_BYTES = 16 * 1024
# Saving waits this long at most for DNS before keeping a name it could not look up.


@dataclass(frozen=True)
class SigningSecrets:
    """The secrets that verify a tenant's inbound events, each with its connector."""

    connectors: list[Connector]
    secrets: list[str]


def _context(connector_id: uuid.UUID, which: str) -> str:
    return f"connector:{connector_id}:{which}"


def one_of(field: str, allowed: type[StrEnum] | tuple[str, ...]) -> str:
    """The refusal of a value outside `allowed`, whatever was sent in its place."""
    return f"{field} must be one of {', '.join(str(option) for option in allowed)}"


def _choice(value: str, allowed: type[StrEnum], field: str) -> str:
    if value not in {member.value for member in allowed}:
        raise ValidationFailed(one_of(field, allowed), field=field)
    return value


def _config(value: Any) -> dict[str, Any]:
    config = validation.metadata(value, "config")
    if len(json.dumps(config).encode()) > CONFIG_MAX_BYTES:
        raise ValidationFailed("config must be at most 16 KB of JSON", field="config")
    named = [key for key in config if SECRET_KEY_WORDS.search(key)]
    if named:
        raise ValidationFailed(
            f"config must not hold credentials ({', '.join(named)}); the connector's signing "
            "secret is generated and kept sealed by Haven",
            field="config",
        )
    return config


def _name(value: str) -> str:
    # The column holds 200 characters, fewer than a ticket title.
    cleaned = validation.title(value, "name")
    if len(cleaned) > NAME_MAX:
        raise ValidationFailed(f"name must be 1 to {NAME_MAX} characters", field="name")
    return cleaned


def _seal_new_secret(sealer: Sealer, connector: Connector) -> str:
    secret = new_signing_secret()
    connector.secret_sealed = sealer.seal(secret, _context(connector.id, "secret"))
    connector.secret_last4 = secret[-4:]
    return secret


async def create_connector(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    sealer: Sealer,
    *,
    name: str,
    type: str,
    config: Any = None,
) -> tuple[Connector, str]:
    """The new connector and its signing secret, which is never shown again."""
    connector = Connector(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        name=_name(name),
        type=_choice(type, ConnectorType, "type"),
        status=ConnectorStatus.ACTIVE,
        config=_config(config),
    )
    secret = _seal_new_secret(sealer, connector)
    session.add(connector)
    await session.flush()
    return connector, secret


async def _connector(
    session: AsyncSession, tenant_id: uuid.UUID, connector_id: uuid.UUID
) -> Connector:
    connector = await ConnectorRepository(session, tenant_id).get(connector_id, for_update=True)
    if connector is None:
        raise NotFound("Connector")
    return connector


async def rotate_secret(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    sealer: Sealer,
    connector_id: uuid.UUID,
    grace: timedelta = DEFAULT_GRACE,
) -> tuple[Connector, str]:
    """A new secret; the current one keeps verifying for `grace` (zero ends it at once)."""
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise ValidationFailed("the grace period must be from 0 to 7 days", field="graceSeconds")
    connector = await _connector(session, tenant_id, connector_id)
    now = utcnow()
    current = sealer.open(connector.secret_sealed, _context(connector.id, "secret"))
    connector.previous_secret_sealed = sealer.seal(current, _context(connector.id, "previous"))
    connector.previous_secret_expires_at = now + grace
    connector.secret_rotated_at = now
    secret = _seal_new_secret(sealer, connector)
    await session.flush()
    return connector, secret


async def set_active(
    session: AsyncSession, tenant_id: uuid.UUID, connector_id: uuid.UUID, active: bool
) -> Connector:
    """Deactivated connectors verify nothing; their events are refused until reactivated."""
    connector = await _connector(session, tenant_id, connector_id)
    connector.status = ConnectorStatus.ACTIVE if active else ConnectorStatus.INACTIVE
    connector.deactivated_at = None if active else utcnow()
    await session.flush()
    return connector


def signing_secrets(connectors: list[Connector], sealer: Sealer, now: datetime) -> SigningSecrets:
    """Each connector's current secret, and its previous one while the grace period lasts."""
    owners: list[Connector] = []
    secrets: list[str] = []
    for connector in connectors:
        owners.append(connector)
        secrets.append(sealer.open(connector.secret_sealed, _context(connector.id, "secret")))
        expires = connector.previous_secret_expires_at
        if connector.previous_secret_sealed is not None and expires is not None and now < expires:
            sealed = connector.previous_secret_sealed
            owners.append(connector)
            secrets.append(sealer.open(sealed, _context(connector.id, "previous")))
    return SigningSecrets(owners, secrets)


async def save_mapping(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connector_id: uuid.UUID,
    event_type: Any,
    field_mappings: Any,
) -> tuple[InboundMapping, bool]:
    """The event type's mapping, replacing any earlier one; True when it is new."""
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise ValidationFailed(one_of("event_type", EVENT_TYPES), field="event_type")
    checked = [mapping.as_json() for mapping in check_field_mappings(field_mappings)]
    await _connector(session, tenant_id, connector_id)
    repository = ConnectorRepository(session, tenant_id)
    existing = await repository.mapping(connector_id, event_type)
    if existing is not None:
        existing.field_mappings = checked
        await session.flush()
        return existing, False
    mapping = InboundMapping(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        connector_id=connector_id,
        event_type=event_type,
        field_mappings=checked,
    )
    session.add(mapping)
    await session.flush()
    return mapping, True


async def _endpoint(value: Any, allowed: Allowed) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed("endpoint is required", field="endpoint")
    url = value.strip()
    if len(url) > ENDPOINT_MAX:
        raise ValidationFailed(
            f"endpoint must be at most {ENDPOINT_MAX} characters", field="endpoint"
        )
    try:
        authority = urlsplit(url).netloc
    except ValueError:  # an unbalanced IPv6 bracket, `http://[::1`
        raise ValidationFailed("endpoint must be an http(s) URL", field="endpoint") from None
    # Placeholders are filled per call: they may vary the path and query, never where it goes.
    if "{" in authority or "}" in authority:
        raise ValidationFailed(
            "endpoint must not have placeholders in its host or port", field="endpoint"
        )
    try:
        await check_saved(PLACEHOLDER.sub("x", url), allowed)
    except RefusedDestination as refusal:
        raise ValidationFailed(f"endpoint {refusal}", field="endpoint") from None
    return url


def _headers(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_HEADERS:
        raise ValidationFailed(
            f"headers must be an object of at most {MAX_HEADERS} names", field="headers"
        )
    for key, item in value.items():
        if not HEADER_NAME.match(key) or not isinstance(item, str) or len(item) > HEADER_VALUE_MAX:
            raise ValidationFailed(f"header {key!r} must be a valid name with a string value")
        if "\r" in item or "\n" in item:
            raise ValidationFailed(f"header {key!r} must not contain line breaks", field="headers")
    return dict(value)


def _flag(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValidationFailed(f"{field} must be a boolean", field=field)
    return value


def _template(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed("payload_template is required", field="payload_template")
    if len(value.encode()) > TEMPLATE_MAX_BYTES:
        raise ValidationFailed("payload_template must be at most 16 KB", field="payload_template")
    # Whatever the placeholders are filled with, the body must come out as JSON.
    try:
        json.loads(PLACEHOLDER.sub("0", value))
    except ValueError:
        raise ValidationFailed(
            "payload_template must be JSON with {{name}} placeholders", field="payload_template"
        ) from None
    return value


async def create_action(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connector_id: uuid.UUID,
    data: dict[str, Any],
    allowed: Allowed,
) -> OutboundAction:
    """A call the connector can make out; its endpoint must reach a public address, or one
    the operator allowed."""
    action_type = data.get("action_type")
    method = data.get("method")
    action = OutboundAction(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        connector_id=connector_id,
        action_type=_choice(
            action_type if isinstance(action_type, str) else "", ActionType, "action_type"
        ),
        method=_choice(method if isinstance(method, str) else "", HttpMethod, "method"),
        headers=_headers(data.get("headers")),
        payload_template=_template(data.get("payload_template")),
        requires_approval=_flag(data.get("requires_approval"), "requires_approval"),
    )
    # Last, as it may wait on DNS: everything cheaper to refuse is refused first.
    action.endpoint = await _endpoint(data.get("endpoint"), allowed)
    await _connector(session, tenant_id, connector_id)
    session.add(action)
    await session.flush()
    return action
