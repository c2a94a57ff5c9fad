from datetime import datetime
from enum import StrEnum
from typing import NewType

import strawberry
from strawberry.scalars import JSON

from app.cases.types import SafetyCaseType
from app.comments.types import CommentType
from app.tickets.types import TicketType

Long = NewType("Long", int)
LONG = strawberry.scalar(
    name="Long", serialize=int, parse_value=int, description="A 64-bit integer (JSON number)."
)


class LiveEventKind(StrEnum):
    TICKET_CREATED = "ticket_created"
    TICKET_UPDATED = "ticket_updated"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    COMMENT_ADDED = "comment_added"
    TICKET_RESOLVED = "ticket_resolved"
    TICKET_DELETED = "ticket_deleted"
    CASE_CREATED = "case_created"
    CASE_STATUS_CHANGED = "case_status_changed"
    CASE_ASSIGNED = "case_assigned"
    CASE_PRIORITY_CHANGED = "case_priority_changed"
    TICKET_LINKED = "ticket_linked"
    REFERRAL_CHANGED = "referral_changed"
    RESYNC_REQUIRED = "resync_required"


strawberry.enum(LiveEventKind, name="LiveEventKind", description="What happened.")


@strawberry.type(description="Who caused an event.")
class EventActor:
    kind: str = strawberry.field(description="user, api_key, contact or system.")
    id: strawberry.ID | None = strawberry.field(description="Global id of a user or API key.")
    name: str | None = strawberry.field(description="Display name.")


@strawberry.type(
    name="LiveEvent",
    description="A committed change, delivered live and replayable from its cursor. "
    "`RESYNC_REQUIRED` means events were skipped (too slow, or the cursor is older than "
    "retention): reload the data and subscribe again without `after`.",
)
class LiveEventType:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    seq: Long = strawberry.field(description="Position in the tenant's event log.")
    kind: LiveEventKind = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it was committed.")
    actor: EventActor | None = strawberry.field(description="Who did it.")
    changes: JSON = strawberry.field(description="Changed fields with `old` and `new`.")
    ticket: TicketType | None = strawberry.field(description="The ticket as it was then.")
    comment: CommentType | None = strawberry.field(description="The new comment, if any.")
    safety_case: SafetyCaseType | None = strawberry.field(
        default=None, description="The safety case as it was then, for case events."
    )

    @strawberry.field(description="True when the client must reload and resubscribe.")
    def resync_required(self) -> bool:
        return self.kind is LiveEventKind.RESYNC_REQUIRED
