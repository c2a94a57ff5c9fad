"""Notifications: your own, read and marked read; how each kind reaches you; and the live
stream of new ones, which only ever carries the signed-in user's own."""

import uuid
from collections.abc import AsyncGenerator
from functools import partial

import strawberry

from app.auth.models import User
from app.auth.principal import Principal
from app.graphql.context import Info
from app.graphql.permissions import CanWrite, IsAuthenticated, OverWebSocket
from app.graphql.relay import Connection
from app.kit.errors import Forbidden
from app.kit.ids import expect_global_id
from app.notifications import service
from app.notifications.repository import NotificationFilter, NotificationRepository
from app.notifications.service import Preference, user_topic
from app.notifications.types import (
    MarkNotificationsReadInput,
    MarkNotificationsReadPayload,
    NotificationEventType,
    NotificationPreferenceType,
    NotificationType,
    UpdateNotificationPreferencesInput,
    UpdateNotificationPreferencesPayload,
)
from app.realtime.stream import live_events


def user_of(principal: Principal) -> uuid.UUID:
    """Notifications are a person's: an API key has none."""
    if principal.user_id is None:
        raise Forbidden("Notifications belong to signed-in users, not API keys")
    return principal.user_id


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated], description="Your notifications, newest first."
    )
    async def notifications(
        self,
        info: Info,
        unread_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[NotificationType]:
        principal = info.context.require()
        where = NotificationFilter(user_of(principal), unread_only)
        listable = partial(NotificationRepository, tenant_id=principal.tenant_id)
        return await Connection.listed(
            info.context.services.db, listable, where, first, after, NotificationType.from_row
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated], description="How each kind of notice reaches you."
    )
    async def notification_preferences(self, info: Info) -> list[NotificationPreferenceType]:
        principal = info.context.require()
        async with info.context.services.db.read() as session:
            found = await service.preferences(session, principal.tenant_id, user_of(principal))
        return [NotificationPreferenceType.of(choice) for choice in found]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Mark some of your notifications read (all of them when no ids are given).",
    )
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        principal = info.context.require()
        user_id = user_of(principal)
        ids = None
        if input.ids is not None:
            ids = [expect_global_id(global_id, "Notification") for global_id in input.ids]
        async with info.context.services.db.transaction() as work:
            marked = await service.mark_read(work.session, principal.tenant_id, user_id, ids)
        return MarkNotificationsReadPayload(marked_count=marked)

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Choose, per kind, whether notices are shown in the app and mailed.",
    )
    async def update_notification_preferences(
        self, info: Info, input: UpdateNotificationPreferencesInput
    ) -> UpdateNotificationPreferencesPayload:
        principal = info.context.require()
        given = [Preference(p.kind, p.in_app, p.email) for p in input.preferences]
        async with info.context.services.db.transaction() as work:
            found = await service.set_preferences(
                work.session, principal.tenant_id, user_of(principal), given
            )
        return UpdateNotificationPreferencesPayload(
            preferences=[NotificationPreferenceType.of(choice) for choice in found]
        )


async def _delivered(info: Info, principal: Principal, seq: int) -> NotificationType | None:
    """The notification of event `seq`, read again for this delivery: only when it is the
    caller's own and the caller is still an active member of the team."""
    user_id = user_of(principal)
    async with info.context.services.db.read() as session:
        user = await session.get(User, user_id)
        if user is None or not user.is_active or user.tenant_id != principal.tenant_id:
            return None
        row = await NotificationRepository(session, principal.tenant_id).by_seq(user_id, seq)
    return NotificationType.from_row(row) if row is not None else None


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated, OverWebSocket],
        description="Your new notifications, live; with `after`, first every later one.",
    )
    async def notification_events(
        self, info: Info, after: str | None = None
    ) -> AsyncGenerator[NotificationEventType, None]:
        principal = info.context.require()
        topic = user_topic(user_of(principal))
        hub, owner = info.context.services.hub, info.context.live
        async for event in live_events(hub, principal, topic, after, owner=owner):
            if event.resync_required():
                yield NotificationEventType(
                    cursor=event.cursor,
                    notification=None,
                    resync_required=True,
                    seq=int(event.seq),
                    kind=str(event.kind),
                )
                return
            notification = await _delivered(info, principal, int(event.seq))
            if notification is not None:
                yield NotificationEventType(
                    cursor=event.cursor,
                    notification=notification,
                    resync_required=False,
                    seq=int(event.seq),
                    kind=str(event.kind),
                )
