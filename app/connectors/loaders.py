"""Batch loads for connectors and their mappings and actions, each in its own short session."""

import uuid
from collections.abc import Sequence

from app.connectors.repository import ConnectorRepository
from app.graphql.batches import Batching, grouped_by
from app.kit.batching import by_id


def _per_key(
    tallies: dict[uuid.UUID, tuple[int, int]], keys: Sequence[uuid.UUID]
) -> list[tuple[int, int]]:
    return [tallies[key] for key in keys]


_connectors = Batching(ConnectorRepository)
_by_connector = grouped_by("connector_id")

connectors = _connectors.batch(lambda repository, keys: repository.by_ids(keys), by_id)
mappings = _connectors.batch(lambda repository, keys: repository.mappings_by_ids(keys), by_id)
actions = _connectors.batch(lambda repository, keys: repository.actions_by_ids(keys), by_id)
mappings_by_connector = _connectors.batch(
    lambda repository, keys: repository.mappings(keys), _by_connector
)
actions_by_connector = _connectors.batch(
    lambda repository, keys: repository.actions(keys), _by_connector
)
secrets_by_connector = _connectors.batch(
    lambda repository, keys: repository.secrets(keys), _by_connector
)
# (inbound mappings, outbound actions) per connector.
counts = _connectors.batch(lambda repository, keys: repository.counts(keys), _per_key)
