import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.graphql.relay import Node
from app.kit.ids import to_global_id
from app.tickets.models import ActorKind, Priority, Source, Ticket, TicketStatus, TimelineEntry
from app.tickets.prefetch import Prefetched
from app.tickets.repository import TicketOrder

if TYPE_CHECKING:
    from app.auth.types import UserType
    from app.boards.types import BoardType
    from app.comments.types import CommentType

strawberry.enum(TicketStatus, name="TicketStatus", description="Where a ticket is.")
strawberry.enum(Priority, name="Priority", description="How urgent a ticket is.")
strawberry.enum(Source, name="TicketSource", description="How a ticket arrived.")
strawberry.enum(ActorKind, name="ActorKind", description="Kind of actor.")
strawberry.enum(TicketOrder, name="TicketOrder", description="Ticket ordering.")

UserRef = Annotated["UserType", strawberry.lazy("app.auth.types")]
BoardRef = Annotated["BoardType", strawberry.lazy("app.boards.types")]
CommentRef = Annotated["CommentType", strawberry.lazy("app.comments.types")]


@strawberry.type(description="The person a ticket is for.")
class Requester:
    name: str | None = strawberry.field(description="Their name, when given.")
    email: str | None = strawberry.field(description="Their email, when given.")


@strawberry.type(name="TimelineEntry", description="One change to a ticket.")
class TimelineEntryType:
    kind: str = strawberry.field(description="created, status_changed, assigned, updated, ...")
    actor_kind: ActorKind = strawberry.field(description="Who made the change.")
    actor_name: str | None = strawberry.field(description="Their display name.")
    changes: JSON = strawberry.field(description="Changed fields, each with `old` and `new`.")
    created_at: datetime = strawberry.field(description="When it happened.")

    @classmethod
    def from_row(cls, row: TimelineEntry) -> "TimelineEntryType":
        return cls(
            kind=row.kind,
            actor_kind=ActorKind(row.actor_kind),
            actor_name=row.actor_name,
            changes=cast(JSON, row.changes),
            created_at=row.created_at,
        )


@strawberry.type(name="Ticket", description="A request or report being worked on.")
class TicketType(Node):
    number: int = strawberry.field(description="Per-tenant number, as people quote it (#42).")
    title: str = strawberry.field(description="Subject line.")
    description: str | None = strawberry.field(description="Full description.")
    status: TicketStatus = strawberry.field(description="Where the ticket is.")
    priority: Priority = strawberry.field(description="How urgent it is.")
    category: str | None = strawberry.field(description="Category, free text.")
    source: Source = strawberry.field(description="How it arrived.")
    requester: Requester = strawberry.field(description="Who it is for.")
    tags: list[str] = strawberry.field(description="Labels.")
    metadata: JSON = strawberry.field(description="Caller-supplied JSON.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="Last change or comment.")
    resolved_at: datetime | None = strawberry.field(description="When it was last resolved.")
    pk: strawberry.Private[uuid.UUID]
    board_pk: strawberry.Private[uuid.UUID]
    assignee_pk: strawberry.Private[uuid.UUID | None]
    prefetched: strawberry.Private[Prefetched | None] = None

    @classmethod
    def from_row(cls, row: Ticket, prefetched: Prefetched | None = None) -> "TicketType":
        return cls(
            id=strawberry.ID(to_global_id("Ticket", row.id)),
            number=row.number,
            title=row.title,
            description=row.description,
            status=TicketStatus(row.status),
            priority=Priority(row.priority),
            category=row.category,
            source=Source(row.source),
            requester=Requester(name=row.requester_name, email=row.requester_email),
            tags=row.tags,
            metadata=cast(JSON, row.meta),
            created_at=row.created_at,
            updated_at=row.updated_at,
            resolved_at=row.resolved_at,
            pk=row.id,
            board_pk=row.board_id,
            assignee_pk=row.assignee_id,
            prefetched=prefetched,
        )

    @strawberry.field(description="The board the ticket is on.")
    async def board(self, info: Info) -> BoardRef:
        from app.boards.types import BoardType

        return BoardType.from_row(await info.context.loaders.board.load(self.board_pk))

    @strawberry.field(description="The team member working on it.")
    def assignee(self, info: Info) -> UserRef | None:
        # Synchronous when the page prefetched people; otherwise an awaitable from the loader.
        from app.auth.types import user_or_load

        return user_or_load(info, self.assignee_pk, self.prefetched)

    @strawberry.field(description="Comments, oldest first, internal notes included.")
    def comments(self, info: Info) -> list[CommentRef]:
        from app.comments.types import CommentType

        if self.prefetched is not None and self.prefetched.comments is not None:
            rows = self.prefetched.comments.get(self.pk, [])
            return [CommentType.from_row(row, self.prefetched) for row in rows]
        return self._load_comments(info)  # type: ignore[return-value]

    async def _load_comments(self, info: Info) -> list[CommentRef]:
        from app.comments.types import CommentType

        return [
            CommentType.from_row(row) for row in await info.context.loaders.comments.load(self.pk)
        ]

    @strawberry.field(description="What changed, by whom, when; oldest first.")
    async def timeline(self, info: Info) -> list[TimelineEntryType]:
        rows = await info.context.loaders.timeline.load(self.pk)
        return [TimelineEntryType.from_row(row) for row in rows]


@strawberry.input
class CreateTicketInput:
    board_id: strawberry.ID = strawberry.field(description="Board to create it on.")
    title: str = strawberry.field(description="Subject, 1 to 300 characters.")
    description: str | None = strawberry.field(default=None, description="Full description.")
    priority: Priority = strawberry.field(default=Priority.MEDIUM, description="Urgency.")
    category: str | None = strawberry.field(default=None, description="Category.")
    source: Source = strawberry.field(default=Source.MANUAL, description="How it arrived.")
    requester_name: str | None = strawberry.field(default=None, description="Requester name.")
    requester_email: str | None = strawberry.field(default=None, description="Requester email.")
    assignee_id: strawberry.ID | None = strawberry.field(default=None, description="Assignee.")
    tags: list[str] = strawberry.field(default_factory=list, description="Up to 20 labels.")
    metadata: JSON | None = strawberry.field(default=None, description="Up to 16 KB of JSON.")


@strawberry.input
class UpdateTicketInput:
    id: strawberry.ID = strawberry.field(description="Ticket to change.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New subject.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="New text.")
    status: TicketStatus | None = strawberry.field(default=strawberry.UNSET, description="Status.")
    priority: Priority | None = strawberry.field(default=strawberry.UNSET, description="Urgency.")
    category: str | None = strawberry.field(default=strawberry.UNSET, description="Category.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Assignee; null unassigns."
    )
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Labels.")


@strawberry.input
class DeleteTicketInput:
    id: strawberry.ID = strawberry.field(description="Ticket to delete with its comments.")


@strawberry.type
class TicketPayload:
    ticket: TicketType = strawberry.field(description="The ticket as it is now.")


@strawberry.type
class DeleteTicketPayload:
    deleted_ticket_id: strawberry.ID = strawberry.field(description="Global id of the ticket.")
