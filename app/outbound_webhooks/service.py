"""Webhook endpoint rules: URLs checked when saved, events from the documented list, a signing
secret shown once and rotated with a grace period, and replays of deliveries."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs.queue import enqueue
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit.actors import Actor
from app.kit.addresses import RefusedDestination
from app.kit.destinations import Allowed, check_saved
from app.kit.errors import NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.kit.sealing import Sealer
from app.outbound_webhooks.catalog import WEBHOOK_EVENTS
from app.outbound_webhooks.models import EndpointFormat, WebhookDelivery, WebhookEndpoint
from app.outbound_webhooks.repository import DeliveryRepository, EndpointRepository
from app.webhooks.signatures import new_signing_secret

DELIVER_JOB = "webhook_deliver"
DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=7)
URL_MAX = 2000
DESCRIPTION_MAX = 500
# Saving waits this long at most for DNS before keeping a name it could not look up.
EDITABLE = ("url", "description", "events", "format", "active")


def _context(endpoint_id: uuid.UUID, which: str) -> str:
    return f"webhook_endpoint:{endpoint_id}:{which}"


async def checked_url(value: Any, allowed: Allowed) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed("url is required", field="url")
    url = value.strip()
    if len(url) > URL_MAX:
        raise ValidationFailed(f"url must be at most {URL_MAX} characters", field="url")
    try:
        await check_saved(url, allowed)
    except RefusedDestination as refusal:
        raise ValidationFailed(f"url {refusal}", field="url") from None
    return url


def checked_events(value: Any) -> list[str]:
    known = ", ".join(WEBHOOK_EVENTS)
    if not isinstance(value, list) or not value:
        raise ValidationFailed(f"events must list at least one of {known}", field="events")
    unknown = [item for item in value if item not in WEBHOOK_EVENTS]
    if unknown:
        raise ValidationFailed(
            f"events must be among {known}; unknown: {', '.join(map(str, unknown))}",
            field="events",
        )
    return list(dict.fromkeys(value))


def checked_format(value: Any) -> str:
    if value not in {member.value for member in EndpointFormat}:
        allowed = ", ".join(member.value for member in EndpointFormat)
        raise ValidationFailed(f"format must be one of {allowed}", field="format")
    return str(value)


def checked_description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"description must be text of at most {DESCRIPTION_MAX} characters",
            field="description",
        )
    return value.strip()


async def _journal(
    session: AsyncSession, actor: Actor, endpoint: WebhookEndpoint, action: str, **details: Any
) -> None:
    """Endpoints send the tenant's data out of Haven: every change to one is audited."""
    await journal.record(
        session,
        Change(
            tenant_id=endpoint.tenant_id,
            actor=actor,
            action=f"webhook_endpoint.{action}",
            subjects=[Subject("WebhookEndpoint", to_global_id("WebhookEndpoint", endpoint.id))],
            details={"url": endpoint.url, **details},
        ),
    )


def _seal_new_secret(sealer: Sealer, endpoint: WebhookEndpoint) -> str:
    secret = new_signing_secret()
    endpoint.secret_sealed = sealer.seal(secret, _context(endpoint.id, "secret"))
    endpoint.secret_last4 = secret[-4:]
    return secret


async def create_endpoint(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    sealer: Sealer,
    allowed: Allowed,
    data: dict[str, Any],
    *,
    actor: Actor,
) -> tuple[WebhookEndpoint, str]:
    """The new endpoint and its signing secret, which is never shown again."""
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        description=checked_description(data.get("description")),
        events=checked_events(data.get("events")),
        format=checked_format(data.get("format", EndpointFormat.STANDARD.value)),
        active=True,
    )
    # Last, as it may wait on DNS: everything cheaper to refuse is refused first.
    endpoint.url = await checked_url(data.get("url"), allowed)
    secret = _seal_new_secret(sealer, endpoint)
    session.add(endpoint)
    await session.flush()
    await _journal(
        session, actor, endpoint, "created", events=endpoint.events, format=endpoint.format
    )
    return endpoint, secret


async def endpoint_for_update(
    session: AsyncSession, tenant_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await EndpointRepository(session, tenant_id).get(endpoint_id, for_update=True)
    if endpoint is None:
        raise NotFound("Webhook endpoint")
    return endpoint


async def update_endpoint(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    allowed: Allowed,
    endpoint_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    actor: Actor,
) -> WebhookEndpoint:
    """Change what was given (fields left out, or None, stay as they are). Turning an endpoint
    back on clears why it was turned off, and its pending deliveries go out again."""
    given = {key: value for key, value in changes.items() if key in EDITABLE and value is not None}
    values: dict[str, Any] = {}
    if "description" in given:
        values["description"] = checked_description(given["description"])
    if "events" in given:
        values["events"] = checked_events(given["events"])
    if "format" in given:
        values["format"] = checked_format(given["format"])
    if "active" in given and not isinstance(given["active"], bool):
        raise ValidationFailed("active must be true or false", field="active")
    if "url" in given:
        values["url"] = await checked_url(given["url"], allowed)
    endpoint = await endpoint_for_update(session, tenant_id, endpoint_id)
    wanted = {**values, **({"active": given["active"]} if "active" in given else {})}
    changed = {
        key: {"old": getattr(endpoint, key), "new": value}
        for key, value in wanted.items()
        if getattr(endpoint, key) != value
    }
    for key, value in values.items():
        setattr(endpoint, key, value)
    if "active" in given and given["active"] != endpoint.active:
        _switch(endpoint, given["active"])
        if endpoint.active:
            await enqueue(session, DELIVER_JOB, {"endpoint_id": str(endpoint.id)})
    await session.flush()
    if changed:
        await _journal(session, actor, endpoint, "updated", changes=changed)
    return endpoint


def _switch(endpoint: WebhookEndpoint, active: bool) -> None:
    endpoint.active = active
    endpoint.disabled_at = None if active else utcnow()
    endpoint.disabled_reason = None
    endpoint.failing_since = None


async def delete_endpoint(
    session: AsyncSession, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, *, actor: Actor
) -> None:
    """The endpoint goes, with its deliveries and their attempts."""
    endpoint = await endpoint_for_update(session, tenant_id, endpoint_id)
    await _journal(session, actor, endpoint, "deleted")
    await session.delete(endpoint)
    await session.flush()


async def rotate_secret(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    sealer: Sealer,
    endpoint_id: uuid.UUID,
    grace: timedelta = DEFAULT_GRACE,
    *,
    actor: Actor,
) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing beside it for `grace` (zero ends it)."""
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise ValidationFailed("the grace period must be from 0 to 7 days", field="graceSeconds")
    endpoint = await endpoint_for_update(session, tenant_id, endpoint_id)
    now = utcnow()
    current = sealer.open(endpoint.secret_sealed, _context(endpoint.id, "secret"))
    endpoint.previous_secret_sealed = sealer.seal(current, _context(endpoint.id, "previous"))
    endpoint.previous_secret_expires_at = now + grace
    endpoint.secret_rotated_at = now
    secret = _seal_new_secret(sealer, endpoint)
    await session.flush()
    await _journal(
        session, actor, endpoint, "secret_rotated", grace_seconds=int(grace.total_seconds())
    )
    return endpoint, secret


def signing_secrets(endpoint: WebhookEndpoint, sealer: Sealer, now: datetime) -> list[str]:
    """The current secret, then the previous one while its grace period lasts."""
    secrets = [sealer.open(endpoint.secret_sealed, _context(endpoint.id, "secret"))]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_sealed is not None and expires is not None and now < expires:
        secrets.append(
            sealer.open(endpoint.previous_secret_sealed, _context(endpoint.id, "previous"))
        )
    return secrets


async def replay_delivery(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    *,
    actor: Actor,
) -> WebhookDelivery:
    """Send a delivery again, under the same `webhook-id`, in its place in the event order."""
    endpoint = await endpoint_for_update(session, tenant_id, endpoint_id)
    deliveries = DeliveryRepository(session, tenant_id)
    if await deliveries.of_endpoint(endpoint_id, delivery_id) is None:
        raise NotFound("Webhook delivery")
    await deliveries.retry(endpoint_id, utcnow(), delivery_id=delivery_id)
    await enqueue(session, DELIVER_JOB, {"endpoint_id": str(endpoint_id)})
    replayed = await deliveries.of_endpoint(endpoint_id, delivery_id)
    assert replayed is not None
    await session.refresh(replayed)
    await _journal(
        session, actor, endpoint, "replayed", delivery=to_global_id("WebhookDelivery", delivery_id)
    )
    return replayed


async def replay_failed(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    since: datetime,
    *,
    actor: Actor,
) -> int:
    """Send again every delivery that was given up on since `since`; how many."""
    if since.tzinfo is None:
        raise ValidationFailed("since must have a time zone", field="since")
    endpoint = await endpoint_for_update(session, tenant_id, endpoint_id)
    count = await DeliveryRepository(session, tenant_id).retry(
        endpoint_id, utcnow(), failed_since=since
    )
    if count:
        await enqueue(session, DELIVER_JOB, {"endpoint_id": str(endpoint_id)})
    await _journal(session, actor, endpoint, "replayed", since=since.isoformat(), deliveries=count)
    return count


async def queue_event(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    endpoints: list[WebhookEndpoint],
    seq: int,
    name: str,
    position: int,
) -> int:
    """Owe `endpoints` the logged event `seq` under `name`, besides what they subscribed to
    (a workflow sending it on purpose): delivered in its place in the event order, signed and
    retried like any other. `position` keeps it apart from the event's own deliveries."""
    for endpoint in endpoints:
        session.add(
            WebhookDelivery(
                tenant_id=tenant_id, endpoint_id=endpoint.id, seq=seq, position=position, event=name
            )
        )
        await session.flush()
        await enqueue(session, DELIVER_JOB, {"endpoint_id": str(endpoint.id)})
    return len(endpoints)
