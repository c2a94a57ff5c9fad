from datetime import datetime

import strawberry

from app.kit.ids import to_global_id
from app.notifications.models import Notification, NotificationKind
from app.notifications.service import Preference

strawberry.enum(NotificationKind, name="NotificationKind", description="What a notice is about.")


@strawberry.type(name="Notification", description="Something a team member was told.")
class NotificationType:
    id: strawberry.ID = strawberry.field(description="Global id.")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    title: str = strawberry.field(description="One line.")
    body: str = strawberry.field(description="The detail.")
    ticket_id: strawberry.ID | None = strawberry.field(description="The ticket it is about.")
    case_id: strawberry.ID | None = strawberry.field(description="The case it is about.")
    read_at: datetime | None = strawberry.field(description="When it was marked read.")
    created_at: datetime = strawberry.field(description="When it was sent.")

    @classmethod
    def from_row(cls, row: Notification) -> "NotificationType":
        return cls(
            id=strawberry.ID(to_global_id("Notification", row.id)),
            kind=NotificationKind(row.kind),
            title=row.title,
            body=row.body,
            ticket_id=strawberry.ID(to_global_id("Ticket", row.ticket_id))
            if row.ticket_id
            else None,
            case_id=strawberry.ID(to_global_id("SafetyCase", row.case_id)) if row.case_id else None,
            read_at=row.read_at,
            created_at=row.created_at,
        )


@strawberry.type(name="NotificationEvent", description="A notification delivered live.")
class NotificationEventType:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this one.")
    notification: NotificationType | None = strawberry.field(
        description="The notification; null on a resync notice."
    )
    resync_required: bool = strawberry.field(
        description="Notifications were skipped: reload them and subscribe again without `after`."
    )
    # The event it came from, by which live delivery keys what it renders (always within
    # one principal's own deliveries).
    seq: strawberry.Private[int]
    kind: strawberry.Private[str]


@strawberry.type(name="NotificationPreference", description="How one kind reaches you.")
class NotificationPreferenceType:
    kind: NotificationKind = strawberry.field(description="The kind.")
    in_app: bool = strawberry.field(description="Shown in the app and delivered live.")
    email: bool = strawberry.field(description="Mailed to you.")

    @classmethod
    def of(cls, choice: Preference) -> "NotificationPreferenceType":
        return cls(kind=choice.kind, in_app=choice.in_app, email=choice.email)


@strawberry.input(description="How one kind should reach you.")
class NotificationPreferenceInput:
    kind: NotificationKind
    in_app: bool
    email: bool


@strawberry.input
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput] = strawberry.field(
        description="The kinds to change; others stay as they are."
    )


@strawberry.type
class UpdateNotificationPreferencesPayload:
    preferences: list[NotificationPreferenceType] = strawberry.field(description="Every kind.")


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The notifications to mark; left out, all of yours."
    )


@strawberry.type
class MarkNotificationsReadPayload:
    marked_count: int = strawberry.field(description="How many were unread until now.")
