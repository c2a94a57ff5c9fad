"""Deliveries that share a transaction still get their own answers: a batch mixing good,
forged, malformed and repeated events gives each the outcome it would get alone."""

import json
import uuid

from sqlalchemy import func, select

from app.services import Services
from app.tickets.models import Ticket
from app.webhooks.bodies import read_event
from app.webhooks.ingest import Accepted, Delivery, DuplicateEvent, ingest_batch
from app.webhooks.signatures import github_signature
from tests.factories import Factory
from tests.webhooks.helpers import event, new_connector


def delivery(secret: str, api_key: str | None, data: dict | bytes) -> Delivery:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return Delivery(api_key, raw, {"x-signature-256": github_signature(secret, raw)})


async def test_one_batch_answers_each_delivery_on_its_own(
    services: Services, factory: Factory
) -> None:
    ours, theirs = await factory.world(), await factory.world()
    our_secret = await new_connector(services, ours.tenant)
    their_secret = await new_connector(services, theirs.tenant)
    repeated = event()
    batch = [
        delivery(our_secret, ours.api_key, repeated),
        delivery(our_secret, None, event()),
        delivery(their_secret, ours.api_key, event()),
        delivery(our_secret, ours.api_key, {**event(), "event_type": "nope"}),
        delivery(our_secret, ours.api_key, repeated),
        delivery(their_secret, theirs.api_key, repeated),
        delivery(our_secret, ours.api_key, b"{broken"),
        delivery(our_secret, ours.api_key, event("csam_hash_match")),
    ]
    async with services.db.transaction() as work:
        outcomes = await ingest_batch(work.session, services.sealer, batch, read_event)

    # What the endpoint answers with: REST-only errors carry their own code.
    codes = [
        "ACCEPTED" if isinstance(o, Accepted) else getattr(o, "rest_code", o.code) for o in outcomes
    ]
    assert codes == [
        "ACCEPTED",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "VALIDATION_ERROR",
        "CONFLICT",
        "ACCEPTED",
        "VALIDATION_ERROR",
        "ACCEPTED",
    ]
    first, duplicate = outcomes[0], outcomes[4]
    assert isinstance(first, Accepted) and isinstance(duplicate, DuplicateEvent)
    assert duplicate.ticket_id == first.ticket.id
    # Numbers follow delivery order within the tenant.
    third = outcomes[7]
    assert isinstance(third, Accepted) and third.ticket.number == first.ticket.number + 1
    async with services.db.read() as session:
        counts = {
            world.tenant.id: await session.scalar(
                select(func.count(Ticket.id)).where(Ticket.tenant_id == world.tenant.id)
            )
            for world in (ours, theirs)
        }
    assert counts == {ours.tenant.id: 2, theirs.tenant.id: 1}


async def test_a_batch_repeating_an_earlier_batchs_event_gets_its_ticket(
    services: Services, factory: Factory
) -> None:
    world = await factory.world()
    secret = await new_connector(services, world.tenant)
    data = {**event(), "event_id": f"evt_{uuid.uuid4()}"}
    async with services.db.transaction() as work:
        (first,) = await ingest_batch(
            work.session, services.sealer, [delivery(secret, world.api_key, data)], read_event
        )
    async with services.db.transaction() as work:
        again = await ingest_batch(
            work.session,
            services.sealer,
            [delivery(secret, world.api_key, data), delivery(secret, world.api_key, data)],
            read_event,
        )
    assert isinstance(first, Accepted)
    assert [type(o) for o in again] == [DuplicateEvent, DuplicateEvent]
    assert {o.ticket_id for o in again if isinstance(o, DuplicateEvent)} == {first.ticket.id}
