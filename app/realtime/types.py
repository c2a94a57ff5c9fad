from datetime import datetime
from enum import StrEnum
from typing import NewType

import strawberry
from strawberry.scalars import JSON

from app.events.models import EventType

Long = NewType("Long", int)
LONG = strawberry.scalar(
    name="Long", serialize=int, parse_value=int, description="A 64-bit integer (JSON number)."
)


# What a subscriber is told happened: each type of event the log delivers (access changes reach
# only the hubs), then the notice that events were skipped. The log's types are listed once, in
# `EventType`; mypy reads an enum's members only from a literal list, hence the ignore.
RESYNC_REQUIRED = "resync_required"
LiveEventKind = StrEnum(  # type: ignore[misc]
    "LiveEventKind",
    [(kind.name, kind.value) for kind in EventType if kind is not EventType.ACCESS_CHANGED]
    + [("RESYNC_REQUIRED", RESYNC_REQUIRED)],
)

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
    # The rows an event carries are their domains' types, filled in by the domains themselves
    # (`app.realtime.payloads`); the schema resolves them by name, so realtime imports none.
    ticket: object | None = strawberry.field(
        default=None,
        graphql_type=strawberry.LazyType("TicketType", "app.tickets.types") | None,
        description="The ticket as it was then.",
    )
    comment: object | None = strawberry.field(
        default=None,
        graphql_type=strawberry.LazyType("CommentType", "app.comments.types") | None,
        description="The new comment, if any.",
    )
    safety_case: object | None = strawberry.field(
        default=None,
        graphql_type=strawberry.LazyType("SafetyCaseType", "app.cases.types") | None,
        description="The safety case as it was then, for case events.",
    )

    @strawberry.field(description="True when the client must reload and resubscribe.")
    def resync_required(self) -> bool:
        return self.kind == RESYNC_REQUIRED
