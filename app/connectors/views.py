"""The connector shapes of the REST API, as the API document shows them."""

from typing import Any

from app.connectors.models import Connector, InboundMapping, OutboundAction
from app.kit.ids import to_global_id
from app.kit.settings import Settings
from app.rest.params import timestamp

WEBHOOK_PATH = "/api/v1/webhooks/events"


def webhook_url(settings: Settings) -> str:
    """Where the connector's platform posts its signed events."""
    return settings.public_url.rstrip("/") + WEBHOOK_PATH


def _at(moment: Any) -> str | None:
    return timestamp(moment) if moment is not None else None


def _config(connector: Connector, settings: Settings, secret_field: tuple[str, str]) -> dict:
    # Haven's own fields come first and cannot be shadowed by what the admin stored.
    head = {"webhook_url": webhook_url(settings), secret_field[0]: secret_field[1]}
    return {**head, **{k: v for k, v in connector.config.items() if k not in head}}


def summary(connector: Connector, counts: tuple[int, int], settings: Settings) -> dict[str, Any]:
    """A connector as listed: the secret's last four characters only."""
    last4 = ("signing_secret_last4", connector.secret_last4)
    return {
        "id": to_global_id("Connector", connector.id),
        "name": connector.name,
        "type": connector.type,
        "status": connector.status,
        "config": _config(connector, settings, last4),
        "inbound_mappings_count": counts[0],
        "outbound_actions_count": counts[1],
        "last_event_at": _at(connector.last_event_at),
        "created_at": timestamp(connector.created_at),
    }


def with_secret(connector: Connector, secret: str, settings: Settings) -> dict[str, Any]:
    """A new connector with its signing secret, the one time it is shown."""
    return {
        "id": to_global_id("Connector", connector.id),
        "name": connector.name,
        "type": connector.type,
        "status": connector.status,
        "config": _config(connector, settings, ("signing_secret", secret)),
        "created_at": timestamp(connector.created_at),
    }


def rotated(connector: Connector, secret: str, settings: Settings) -> dict[str, Any]:
    """After a rotation: the new secret, shown once, and until when the old one still works."""
    return {
        **with_secret(connector, secret, settings),
        "secret_rotated_at": _at(connector.secret_rotated_at),
        "previous_secret_expires_at": _at(connector.previous_secret_expires_at),
    }


def mapping(row: InboundMapping) -> dict[str, Any]:
    return {
        "id": to_global_id("InboundMapping", row.id),
        "connector_id": to_global_id("Connector", row.connector_id),
        "event_type": row.event_type,
        "field_mappings": row.field_mappings,
        "created_at": timestamp(row.created_at),
    }


def action(row: OutboundAction) -> dict[str, Any]:
    return {
        "id": to_global_id("OutboundAction", row.id),
        "connector_id": to_global_id("Connector", row.connector_id),
        "action_type": row.action_type,
        "endpoint": row.endpoint,
        "method": row.method,
        "created_at": timestamp(row.created_at),
    }
