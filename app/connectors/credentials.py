"""Named secrets of a connector (`service_key`, ...), used in its actions' header values.

Each is sealed with the server key, bound to its connector and name, so a sealed value copied
onto another row or name does not open. Nobody reads one back: answers carry its name and last
four characters."""

import re
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.connectors.models import Connector, ConnectorSecret
from app.connectors.repository import ConnectorRepository
from app.connectors.templates import HEADER_BREAKS
from app.kit.errors import NotFound, ValidationFailed
from app.kit.sealing import Sealer

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
VALUE_MAX = 2000
MAX_SECRETS = 20


def _context(connector_id: uuid.UUID, name: str) -> str:
    return f"connector:{connector_id}:named:{name}"


def _checked(name: object, value: object) -> tuple[str, str]:
    if not isinstance(name, str) or not NAME.match(name):
        raise ValidationFailed(
            "name must be 1 to 64 letters, digits or underscores, not starting with a digit",
            field="name",
        )
    if not isinstance(value, str) or not 4 <= len(value) <= VALUE_MAX:
        raise ValidationFailed(f"value must be 4 to {VALUE_MAX} characters", field="value")
    if HEADER_BREAKS & set(value):
        raise ValidationFailed("value must not contain line breaks", field="value")
    return name, value


async def set_secret(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    sealer: Sealer,
    connector_id: uuid.UUID,
    name: object,
    value: object,
) -> tuple[ConnectorSecret, bool]:
    """The connector's secret `name`, set to `value` (replacing any earlier one); True when it
    is new."""
    name, value = _checked(name, value)
    repository = ConnectorRepository(session, tenant_id)
    connector = await repository.get(connector_id, for_update=True)
    if connector is None:
        raise NotFound("Connector")
    existing = await repository.secrets([connector.id])
    found = next((secret for secret in existing if secret.name == name), None)
    if found is None and len(existing) >= MAX_SECRETS:
        raise ValidationFailed(f"a connector holds at most {MAX_SECRETS} secrets", field="name")
    secret = found or ConnectorSecret(
        id=uuid.uuid4(), tenant_id=tenant_id, connector_id=connector.id, name=name
    )
    secret.sealed = sealer.seal(value, _context(connector.id, name))
    secret.last4 = value[-4:]
    if found is None:
        session.add(secret)
    await session.flush()
    return secret, found is None


def opened(sealer: Sealer, connector: Connector, secrets: list[ConnectorSecret]) -> dict[str, str]:
    """The connector's secrets by name, for the one call being made."""
    return {
        secret.name: sealer.open(secret.sealed, _context(connector.id, secret.name))
        for secret in secrets
    }
