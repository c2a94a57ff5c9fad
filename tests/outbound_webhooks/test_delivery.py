"""Deliveries reach a real receiver signed, once per event and name, in event order, through
failures, time-outs and an outage; internal notes and CSEA case content never leave Haven."""

import hashlib
import hmac
import json
from datetime import timedelta

from sqlalchemy import text
from starlette.responses import Response

from app.comments.models import AuthorKind
from app.outbound_webhooks.catalog import SOURCES
from app.outbound_webhooks.sender import Retries, WebhookSender
from app.services import Services
from app.tickets.models import TicketStatus
from tests.factories import Factory
from tests.outbound_webhooks.conftest import FAST, Receiver
from tests.outbound_webhooks.helpers import (
    attempts,
    change_ticket,
    deliveries,
    drain,
    endpoint,
    reread,
)


async def test_a_tickets_life_arrives_signed_under_both_documents_names(
    local: Services, sender: WebhookSender, receiver: Receiver, factory: Factory
) -> None:
    world = await factory.world()
    hook, secret = await endpoint(local, world.tenant, receiver.url)
    receiver.secrets = [secret]
    ticket = await factory.ticket(world.tenant, world.board, title="Printer jam")
    await change_ticket(local, ticket, assignee_id=world.admin.id)
    await factory.comment(world.tenant, ticket, body="Have you tried turning it off?")
    await factory.comment(world.tenant, ticket, body="Secret note", is_internal=True)
    await factory.comment(world.tenant, ticket, body="Thanks!", author_kind=AuthorKind.CONTACT)
    await change_ticket(local, ticket, status=TicketStatus.RESOLVED)
    await drain(local, sender, hook.id)

    assert [item["event"] for item in receiver.delivered] == [
        "ticket_created",
        "assigned",
        "ticket_assigned",
        "comment_added",
        "ticket_replied",
        "comment_added",
        "status_changed",
        "ticket_status_changed",
        "ticket_resolved",
    ]
    assert receiver.refused_signatures == 0
    first = receiver.delivered[0]
    assert first["data"]["id"] == f"tkt_{ticket.id}" and first["data"]["subject"] == "Printer jam"
    assert set(first) == {"id", "event", "timestamp", "data"}
    assigned = receiver.delivered[1]["data"]["changes"]["assigned_to"]
    assert assigned == {"old": None, "new": f"usr_{world.admin.id}"}
    assert receiver.delivered[3]["data"]["comment"]["body"] == "Have you tried turning it off?"
    assert "Secret note" not in json.dumps(receiver.delivered)
    status = receiver.delivered[6]["data"]["changes"]["status"]
    assert status["new"] == "resolved"
    headers = receiver.headers[0]
    assert headers["x-ticketforge-event"] == "ticket_created"
    assert headers["webhook-id"] == f"msg_{headers['x-ticketforge-delivery']}"
    body = json.dumps({k: v for k, v in first.items() if k != "id"}, separators=(",", ":"))
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    assert headers["x-ticketforge-signature"] == f"sha256={expected}"


async def test_failures_and_time_outs_are_retried_in_order_until_all_arrive(
    local: Services, receiver: Receiver, factory: Factory
) -> None:
    world = await factory.world()
    hook, secret = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    receiver.secrets = [secret]
    # Down for the first five requests, then a stall past the sender's timeout, then a 503.
    receiver.plan = lambda n: (
        Response("down", 500)
        if n <= 5
        else None
        if n == 6
        else Response("busy", 503)
        if n == 7
        else Response("ok")
    )
    made = [await factory.ticket(world.tenant, world.board, title=f"T{i}") for i in range(12)]
    sender = WebhookSender(local.db, local.outbound, local.sealer, retries=FAST, seconds=0.5)
    await drain(local, sender, hook.id)

    arrived = [item["data"]["subject"] for item in receiver.unique()]
    assert arrived == [ticket.title for ticket in made]
    rows = await deliveries(local, hook.id)
    assert {row.status for row in rows} == {"delivered"}
    head = await attempts(local, rows[0].id)
    assert [a.status_code for a in head] == [500, 500, 500, 500, 500, None, 503, 200]
    assert "within 0.5s" in (head[5].error or "")
    assert head[0].response_excerpt == "down" and head[-1].latency_ms >= 0
    duplicates = len(receiver.delivered) - len(receiver.unique())
    assert duplicates == 0  # a stalled request's answer never counted as received


async def test_a_gone_endpoint_is_disabled_and_its_deliveries_failed(
    local: Services, sender: WebhookSender, receiver: Receiver, factory: Factory
) -> None:
    world = await factory.world()
    hook, _ = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    receiver.plan = lambda n: Response("gone", 410)
    await factory.ticket(world.tenant, world.board)
    await factory.ticket(world.tenant, world.board)
    await drain(local, sender, hook.id)
    stored = await reread(local, hook.id)
    assert not stored.active and stored.disabled_reason == "the endpoint answered 410 Gone"
    assert [row.status for row in await deliveries(local, hook.id)] == ["failed", "failed"]
    assert receiver.requests == 1


async def test_retry_after_is_waited_for(
    local: Services, sender: WebhookSender, receiver: Receiver, factory: Factory
) -> None:
    world = await factory.world()
    hook, _ = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    receiver.plan = lambda n: Response("slow down", 429, headers={"Retry-After": "120"})
    await factory.ticket(world.tenant, world.board)
    await sender.deliver(hook.id)
    (row,) = await deliveries(local, hook.id)
    assert row.status == "pending" and row.last_status == 429
    assert timedelta(seconds=110) < row.next_attempt_at - row.created_at < timedelta(seconds=130)


async def test_an_endpoint_failing_for_days_is_turned_off_with_a_reason(
    local: Services, receiver: Receiver, factory: Factory, caplog: object
) -> None:
    world = await factory.world()
    hook, _ = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    receiver.plan = lambda n: Response("broken", 500)
    await factory.ticket(world.tenant, world.board)
    quick = Retries(first=FAST.first, later=FAST.later, give_up_after=timedelta(seconds=0.3))
    sender = WebhookSender(local.db, local.outbound, local.sealer, retries=quick, seconds=1.0)
    await drain(local, sender, hook.id)
    stored = await reread(local, hook.id)
    assert not stored.active and stored.disabled_at is not None
    assert stored.disabled_reason is not None and "every attempt failed" in stored.disabled_reason
    assert "answered 500" in stored.disabled_reason


async def test_loopback_is_refused_unless_an_operator_allowed_it(
    services: Services, receiver: Receiver, local: Services, factory: Factory
) -> None:
    world = await factory.world()
    hook, _ = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    await factory.ticket(world.tenant, world.board)
    guarded = WebhookSender(services.db, services.outbound, services.sealer, retries=FAST)
    await guarded.deliver(hook.id)
    (row,) = await deliveries(local, hook.id)
    assert row.status == "pending" and receiver.requests == 0
    (attempt,) = await attempts(local, row.id)
    assert attempt.status_code is None and "loopback" in (attempt.error or "")


async def test_the_trigger_names_every_event_as_the_catalog_does(services: Services) -> None:
    async with services.db.read() as session:
        for kind, names in SOURCES.items():
            payload = json.dumps({"comment": {"author_kind": "agent"}})
            found = await session.scalar(
                text("SELECT webhook_event_names(:kind, CAST(:payload AS jsonb))"),
                {"kind": str(kind), "payload": payload},
            )
            assert tuple(found) == names, kind
