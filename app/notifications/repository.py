"""Every query of notifications and preferences, always within one tenant and one person."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role, User
from app.kit.pagination import Key, Ordering, Page, paginate
from app.notifications.models import Notification, NotificationPreference

NEWEST_FIRST = Ordering(
    "notifications",
    [Key(Notification.created_at, datetime), Key(Notification.id, uuid.UUID)],
    descending=True,
)


@dataclass(frozen=True)
class NotificationFilter:
    """One person's notifications, or only those they have not read."""

    user_id: uuid.UUID
    unread_only: bool = False


# Viewers only read the record: nothing is theirs to act on, so nothing notifies them.
NOTIFIED_ROLES = [Role.ADMIN, Role.AGENT, Role.SAFEGUARDING_LEAD]


class NotificationRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    def _team(self) -> Select[User]:
        return select(User).where(
            User.tenant_id == self.tenant_id,
            User.is_active.is_(True),
            User.role.in_(NOTIFIED_ROLES),
        )

    async def recipients(self, user_ids: Sequence[uuid.UUID]) -> list[User]:
        """Those of `user_ids` who are active team members of the tenant."""
        rows = await self.session.scalars(self._team().where(User.id.in_(user_ids)))
        return list(rows)

    async def with_role(self, role: str) -> list[User]:
        return list(await self.session.scalars(self._team().where(User.role == role)))

    async def team(self) -> list[User]:
        return list(await self.session.scalars(self._team()))

    async def preferences(
        self, user_ids: Sequence[uuid.UUID], kind: str | None = None
    ) -> list[NotificationPreference]:
        query = select(NotificationPreference).where(
            NotificationPreference.tenant_id == self.tenant_id,
            NotificationPreference.user_id.in_(user_ids),
        )
        if kind is not None:
            query = query.where(NotificationPreference.kind == kind)
        return list(await self.session.scalars(query))

    async def save_preference(
        self, user_id: uuid.UUID, kind: str, in_app: bool, email: bool
    ) -> None:
        values = {"in_app": in_app, "email": email}
        await self.session.execute(
            insert(NotificationPreference)
            .values(tenant_id=self.tenant_id, user_id=user_id, kind=kind, **values)
            .on_conflict_do_update(index_elements=["user_id", "kind"], set_=values)
        )

    def _mine(self, user_id: uuid.UUID) -> Select[Notification]:
        return select(Notification).where(
            Notification.tenant_id == self.tenant_id,
            Notification.recipient_id == user_id,
            Notification.in_app.is_(True),
        )

    def _listed(self, where: NotificationFilter) -> Select[Notification]:
        query = self._mine(where.user_id)
        if where.unread_only:
            query = query.where(Notification.read_at.is_(None))
        return query

    async def page(self, where: NotificationFilter, first: int, after: str | None) -> Page[Any]:
        """Newest first."""
        return await paginate(self.session, self._listed(where), NEWEST_FIRST, first, after)

    async def count(self, where: NotificationFilter) -> int:
        query = select(func.count()).select_from(self._listed(where).subquery())
        return int(await self.session.scalar(query) or 0)

    async def by_seq(self, user_id: uuid.UUID, seq: int) -> Notification | None:
        return await self.session.scalar(self._mine(user_id).where(Notification.seq == seq))

    async def mark_read(
        self, user_id: uuid.UUID, ids: Sequence[uuid.UUID] | None, at: datetime
    ) -> int:
        """Mark the given notifications (None: all) read; returns how many were unread."""
        statement = (
            update(Notification)
            .where(
                Notification.tenant_id == self.tenant_id,
                Notification.recipient_id == user_id,
                Notification.read_at.is_(None),
            )
            .values(read_at=at)
        )
        if ids is not None:
            statement = statement.where(Notification.id.in_(ids))
        result = await self.session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]
