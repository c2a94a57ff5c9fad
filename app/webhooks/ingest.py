"""Turning a signed platform event into exactly one ticket.

Order matters and is the contract: the key is checked (401), then the signature over the raw
bytes (403), and only then is the body parsed (400). Idempotency rests on the receipt's primary
key: the receipt is inserted first with `ON CONFLICT DO NOTHING`, so of concurrent deliveries of
one `event_id` a single transaction goes on to create the ticket; the others wait on the key,
then read the winner's ticket and answer 409 with it."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.boards.service import default_board
from app.connectors.mapping import apply
from app.connectors.models import Connector
from app.connectors.repository import ConnectorRepository
from app.connectors.service import signing_secrets
from app.kit.actors import Actor
from app.kit.errors import Conflict, Forbidden, Unauthenticated
from app.kit.models import utcnow
from app.kit.sealing import Sealer
from app.tickets.models import Priority, Source, Ticket
from app.tickets.service import NewTicket, create_ticket
from app.webhooks.events import InboundEvent, default_fields, parse_event
from app.webhooks.models import WebhookReceipt
from app.webhooks.signatures import verify


class DuplicateEvent(Conflict):
    """The event was processed before; carries the ticket it made, so a retry can go on."""

    def __init__(self, event_id: str, ticket_id: uuid.UUID) -> None:
        super().__init__(f"Event {event_id} has already been processed")
        self.event_id, self.ticket_id = event_id, ticket_id


@dataclass(frozen=True)
class Accepted:
    ticket: Ticket
    event: InboundEvent
    received_at: datetime


async def _claim(
    session: AsyncSession, tenant_id: uuid.UUID, event: InboundEvent, connector: Connector,
    ticket_id: uuid.UUID, now: datetime,
) -> None:  # fmt: skip
    claimed = await session.scalar(
        insert(WebhookReceipt)
        .values(
            tenant_id=tenant_id,
            event_id=event.event_id,
            connector_id=connector.id,
            event_type=event.event_type,
            source=event.source,
            occurred_at=event.occurred_at,
            ticket_id=ticket_id,
            body=event.document,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "event_id"])
        .returning(WebhookReceipt.event_id)
    )
    if claimed is None:
        original = await session.scalar(
            select(WebhookReceipt.ticket_id).where(
                WebhookReceipt.tenant_id == tenant_id, WebhookReceipt.event_id == event.event_id
            )
        )
        if original is None:  # the holder rolled back between our two statements: rare
            raise Conflict("Event is being processed; retry")
        raise DuplicateEvent(event.event_id, original)


async def _ticket_fields(
    session: AsyncSession, tenant_id: uuid.UUID, connector: Connector, event: InboundEvent
) -> dict[str, Any]:
    fields = default_fields(event)
    mapping = await ConnectorRepository(session, tenant_id).mapping(connector.id, event.event_type)
    skipped: list[str] = []
    if mapping is not None:
        mapped, skipped = apply(mapping.field_mappings, event.document)
        metadata = {k.partition(".")[2]: mapped.pop(k) for k in list(mapped) if "." in k}
        fields.update(mapped)
        fields["extra"] = metadata
    fields["skipped"] = skipped
    return fields


def _new_ticket(
    ticket_id: uuid.UUID, board_id: uuid.UUID, connector: Connector, event: InboundEvent,
    fields: dict[str, Any],
) -> NewTicket:  # fmt: skip
    metadata = {
        **fields.pop("extra", {}),
        "event_id": event.event_id,
        "event_type": event.event_type,
        "platform": event.source,
        "occurred_at": event.occurred_at.isoformat(),
        "connector_id": str(connector.id),
    }
    skipped = fields.pop("skipped")
    if skipped:
        metadata["mapping_skipped"] = skipped
    tags = fields.pop("tags", None) or []
    return NewTicket(
        id=ticket_id,
        board_id=board_id,
        source=Source.WEBHOOK,
        priority=Priority(fields.pop("priority")),
        tags=[event.event_type, *tags],
        metadata=metadata,
        # Mapped values may exceed what a field holds; the title is cut rather than refused.
        title=str(fields.pop("title"))[:300],
        **fields,
    )


async def ingest(
    session: AsyncSession, sealer: Sealer, api_key: str | None, raw: bytes, headers: Any,
    parse: Callable[[bytes], dict[str, Any]],
) -> Accepted:  # fmt: skip
    """`parse` turns the verified bytes into a JSON object or raises VALIDATION_ERROR."""
    if not api_key:
        raise Unauthenticated("Send the tenant's API key in X-API-Key")
    principal = await auth_service.principal_from_api_key(session, api_key)
    if not principal.can_write:
        raise Forbidden("Viewer keys cannot send events")
    tenant_id, now = principal.tenant_id, utcnow()
    signing = await signing_secrets(session, tenant_id, sealer, now)
    connector = signing.connectors[verify(raw, headers, signing.secrets)]
    event = parse_event(parse(raw))
    ticket_id = uuid.uuid4()
    await _claim(session, tenant_id, event, connector, ticket_id, now)
    fields = await _ticket_fields(session, tenant_id, connector, event)
    board = await default_board(session, tenant_id)
    actor = Actor(principal.kind, principal.actor_id, connector.name)
    draft = _new_ticket(ticket_id, board.id, connector, event, fields)
    ticket = await create_ticket(session, tenant_id, actor, draft)
    await ConnectorRepository(session, tenant_id).touch(connector, now)
    return Accepted(ticket, event, now)
