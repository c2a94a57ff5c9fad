"""Turning signed platform deliveries into tickets, a batch at a time.

For each delivery the order is the contract: the key is checked (401), then the signature over
the raw bytes (403), and only then is the body parsed (400). A batch shares one transaction:
one query for the keys, one for the connectors, one insert for the receipts, one counter
update per tenant for ticket numbers and one for event seqs, so a busy platform costs a commit
per batch rather than per event.

Idempotency rests on the receipt's primary key (tenant, event_id): receipts are inserted first
with `ON CONFLICT DO NOTHING`, so of concurrent deliveries of one event a single transaction
goes on to create the ticket; the others wait on the key, then read the winner's ticket and
answer 409 with it. Rows are always locked in (tenant, event_id) order, so two batches never
wait on each other in a cycle."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository as auth_repository
from app.auth.models import ApiKey, Role
from app.auth.secrets import digest
from app.boards.service import default_board
from app.connectors.mapping import apply
from app.connectors.models import Connector
from app.connectors.repository import ConnectorRepository, signing_connectors
from app.connectors.service import signing_secrets
from app.kit.actors import Actor, ActorKind
from app.kit.errors import Conflict, Forbidden, HavenError, Unauthenticated
from app.kit.models import utcnow
from app.kit.sealing import Sealer
from app.tickets.models import Priority, Source, Ticket
from app.tickets.service import NewTicket, create_tickets
from app.webhooks.events import InboundEvent, default_fields
from app.webhooks.models import WebhookReceipt
from app.webhooks.signatures import verify

Parse = Callable[[bytes], InboundEvent]


class DuplicateEvent(Conflict):
    """The event was processed before; carries the ticket it made, so a retry can go on."""

    def __init__(self, event_id: str, ticket_id: uuid.UUID) -> None:
        super().__init__(f"Event {event_id} has already been processed")
        self.event_id, self.ticket_id = event_id, ticket_id


@dataclass(frozen=True)
class Delivery:
    api_key: str | None
    raw: bytes
    headers: Any  # case-insensitive mapping of the request's headers


@dataclass(frozen=True)
class Accepted:
    ticket: Ticket
    event: InboundEvent
    received_at: datetime


Outcome = Accepted | HavenError


@dataclass
class _Verified:
    """A delivery that passed key, signature and parsing, on its way to a ticket."""

    index: int
    key: ApiKey
    connector: Connector
    event: InboundEvent
    ticket_id: uuid.UUID = field(default_factory=uuid.uuid4)


async def _keys(session: AsyncSession, deliveries: list[Delivery]) -> dict[bytes, ApiKey]:
    hashes = list({digest(d.api_key) for d in deliveries if d.api_key})
    return await auth_repository.api_keys_by_hash(session, hashes) if hashes else {}


async def _verify_all(
    session: AsyncSession, sealer: Sealer, deliveries: list[Delivery], parse: Parse,
    now: datetime, outcomes: list[Outcome | None],
) -> list[_Verified]:  # fmt: skip
    keys = await _keys(session, deliveries)
    tenants = list({key.tenant_id for key in keys.values()})
    connectors = await signing_connectors(session, tenants) if tenants else {}
    secrets = {tenant: signing_secrets(found, sealer, now) for tenant, found in connectors.items()}
    verified: list[_Verified] = []
    for index, delivery in enumerate(deliveries):
        try:
            key = keys.get(digest(delivery.api_key)) if delivery.api_key else None
            if key is None:
                raise Unauthenticated("Send a valid, unrevoked API key in X-API-Key")
            if key.role == Role.VIEWER:
                raise Forbidden("Viewer keys cannot send events")
            signing = secrets.get(key.tenant_id)
            owners, offered = (signing.connectors, signing.secrets) if signing else ([], [])
            connector = owners[verify(delivery.raw, delivery.headers, offered)]
            verified.append(_Verified(index, key, connector, parse(delivery.raw)))
        except HavenError as error:
            outcomes[index] = error
    return verified


async def _claim(
    session: AsyncSession, verified: list[_Verified], now: datetime,
    outcomes: list[Outcome | None],
) -> list[_Verified]:  # fmt: skip
    """The deliveries that won their event_id; the rest get DuplicateEvent."""
    first: dict[tuple[uuid.UUID, str], _Verified] = {}
    for item in verified:
        first.setdefault((item.key.tenant_id, item.event.event_id), item)
    ordered = sorted(first.items(), key=lambda pair: (str(pair[0][0]), pair[0][1]))
    rows = [
        {
            "tenant_id": tenant_id,
            "event_id": event_id,
            "connector_id": item.connector.id,
            "event_type": item.event.event_type,
            "source": item.event.source,
            "occurred_at": item.event.occurred_at,
            "ticket_id": item.ticket_id,
            "body": item.event.document,
            "received_at": now,
        }
        for (tenant_id, event_id), item in ordered
    ]
    # One statement for all rows, compiled once whatever the batch size (insertmanyvalues).
    claimed_rows = await session.execute(
        insert(WebhookReceipt)
        .on_conflict_do_nothing(index_elements=["tenant_id", "event_id"])
        .returning(WebhookReceipt.tenant_id, WebhookReceipt.event_id),
        rows,
    )
    claimed = {(row[0], row[1]) for row in claimed_rows}
    taken = [pair for pair in first if pair not in claimed]
    earlier: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    if taken:
        found = await session.execute(
            select(
                WebhookReceipt.tenant_id, WebhookReceipt.event_id, WebhookReceipt.ticket_id
            ).where(tuple_(WebhookReceipt.tenant_id, WebhookReceipt.event_id).in_(taken))
        )
        earlier = {(tenant, event_id): ticket for tenant, event_id, ticket in found}
    winners: list[_Verified] = []
    for item in verified:
        pair = (item.key.tenant_id, item.event.event_id)
        if pair in claimed and first[pair] is item:
            winners.append(item)
            continue
        original = first[pair].ticket_id if pair in claimed else earlier.get(pair)
        # No original: its holder rolled back between our two statements; a retry will do.
        outcomes[item.index] = (
            DuplicateEvent(item.event.event_id, original)
            if original
            else Conflict("Event is being processed; retry")
        )
    return winners


def _draft(item: _Verified, board_id: uuid.UUID, mapping: list[dict[str, str]] | None) -> NewTicket:
    event = item.event
    fields = default_fields(event)
    metadata: dict[str, Any] = {}
    if mapping is not None:
        mapped, skipped = apply(mapping, event.document)
        metadata = {k.partition(".")[2]: mapped.pop(k) for k in list(mapped) if "." in k}
        fields.update(mapped)
        if skipped:
            metadata["mapping_skipped"] = skipped
    metadata |= {
        "event_id": event.event_id,
        "event_type": event.event_type,
        "platform": event.source,
        "occurred_at": event.occurred_at.isoformat(),
        "connector_id": str(item.connector.id),
    }
    tags = fields.pop("tags", None) or []
    return NewTicket(
        id=item.ticket_id,
        board_id=board_id,
        source=Source.WEBHOOK,
        priority=Priority(fields.pop("priority")),
        tags=[event.event_type, *tags],
        metadata=metadata,
        # Mapped values may exceed what a field holds; the title is cut rather than refused.
        title=str(fields.pop("title"))[:300],
        **fields,
    )


async def _tickets_of_tenant(
    session: AsyncSession, tenant_id: uuid.UUID, items: list[_Verified]
) -> list[Ticket]:
    connectors = ConnectorRepository(session, tenant_id)
    mappings = await connectors.mappings_for({(i.connector.id, i.event.event_type) for i in items})
    board = await default_board(session, tenant_id)
    drafts = []
    for item in items:
        mapping = mappings.get((item.connector.id, item.event.event_type))
        actor = Actor(ActorKind.API_KEY, item.key.id, item.connector.name)
        drafts.append((actor, _draft(item, board.id, mapping.field_mappings if mapping else None)))
    return await create_tickets(session, tenant_id, drafts)


async def ingest_batch(
    session: AsyncSession, sealer: Sealer, deliveries: list[Delivery], parse: Parse
) -> list[Outcome]:
    """One outcome per delivery, in order: the accepted ticket, or the error to answer with.
    `parse` turns verified bytes into a checked event or raises VALIDATION_ERROR."""
    now = utcnow()
    outcomes: list[Outcome | None] = [None] * len(deliveries)
    verified = await _verify_all(session, sealer, deliveries, parse, now, outcomes)
    winners = await _claim(session, verified, now, outcomes) if verified else []
    by_tenant: dict[uuid.UUID, list[_Verified]] = {}
    for item in winners:
        by_tenant.setdefault(item.key.tenant_id, []).append(item)
    # Tenant rows are locked in one order by every batch, so batches cannot deadlock.
    for tenant_id in sorted(by_tenant, key=str):
        items = by_tenant[tenant_id]
        tickets = await _tickets_of_tenant(session, tenant_id, items)
        for item, ticket in zip(items, tickets, strict=True):
            outcomes[item.index] = Accepted(ticket, item.event, now)
        repository = ConnectorRepository(session, tenant_id)
        for connector in {item.connector.id: item.connector for item in items}.values():
            await repository.touch(connector, now)
    for key in {item.key.id: item.key for item in verified}.values():
        await auth_repository.touch_api_key(session, key, now)
    answered = [outcome for outcome in outcomes if outcome is not None]
    assert len(answered) == len(deliveries), "every delivery gets an outcome"
    return answered
