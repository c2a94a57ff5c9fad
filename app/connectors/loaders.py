"""Batch loads for connectors and their mappings and actions, each in its own short session."""

import uuid
from collections.abc import Sequence

from app.connectors.models import Connector, InboundMapping, OutboundAction
from app.connectors.repository import ConnectorRepository
from app.kit.batching import by_id, grouped
from app.kit.db import Database


async def connectors(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[Connector | None]:
    async with db.read() as session:
        return by_id(await ConnectorRepository(session, tenant_id).by_ids(list(keys)), keys)


async def mappings(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[InboundMapping | None]:
    async with db.read() as session:
        rows = await ConnectorRepository(session, tenant_id).mappings_by_ids(list(keys))
    return by_id(rows, keys)


async def actions(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[OutboundAction | None]:
    async with db.read() as session:
        rows = await ConnectorRepository(session, tenant_id).actions_by_ids(list(keys))
    return by_id(rows, keys)


async def mappings_by_connector(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[list[InboundMapping]]:
    async with db.read() as session:
        rows = await ConnectorRepository(session, tenant_id).mappings(list(keys))
    return grouped(rows, keys, "connector_id")


async def actions_by_connector(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[list[OutboundAction]]:
    async with db.read() as session:
        rows = await ConnectorRepository(session, tenant_id).actions(list(keys))
    return grouped(rows, keys, "connector_id")


async def counts(
    db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
) -> list[tuple[int, int]]:
    """(inbound mappings, outbound actions) per connector."""
    async with db.read() as session:
        tallies = await ConnectorRepository(session, tenant_id).counts(list(keys))
    return [tallies[key] for key in keys]
