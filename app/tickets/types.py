import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from app.ai.types import AIClassificationType
from app.auth.refs import UserRef
from app.graphql.actors import ActorKind
from app.graphql.context import Info
from app.graphql.relay import Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.realtime.payloads import publish
from app.tickets.enums import Priority, Source, TicketStatus, TriageStatus
from app.tickets.models import Ticket, TimelineEntry
from app.tickets.prefetch import Prefetched

if TYPE_CHECKING:
    from app.boards.types import BoardType
    from app.comments.types import CommentType
    from app.sla.types import TicketSlaType


BoardRef = Annotated["BoardType", strawberry.lazy("app.boards.types")]
CommentRef = Annotated["CommentType", strawberry.lazy("app.comments.types")]
TicketSlaRef = Annotated["TicketSlaType", strawberry.lazy("app.sla.types")]


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
        return from_attributes(cls, row, actor_kind=ActorKind(row.actor_kind))


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
    triage_status: TriageStatus | None = strawberry.field(
        description="Where AI triage is; null for tickets made before triage existed."
    )
    ai_classification: AIClassificationType | None = strawberry.field(
        description="What AI triage suggested; null until it ran."
    )
    ai_confidence: float | None = strawberry.field(
        description="Triage's confidence in its category, 0-1."
    )
    safeguarding_flag: bool = strawberry.field(
        description="Flagged for a safeguarding lead (a CSEA-concern or self-harm indicator)."
    )
    merged_into_id: strawberry.ID | None = strawberry.field(
        description="The ticket this one was merged into; its number still leads here."
    )
    pk: strawberry.Private[uuid.UUID]
    board_pk: strawberry.Private[uuid.UUID]
    assignee_pk: strawberry.Private[uuid.UUID | None]
    prefetched: strawberry.Private[Prefetched | None] = None

    @classmethod
    def from_row(cls, row: Ticket, prefetched: Prefetched | None = None) -> "TicketType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("Ticket", row.id)),
            status=TicketStatus(row.status),
            priority=Priority(row.priority),
            source=Source(row.source),
            requester=Requester(name=row.requester_name, email=row.requester_email),
            metadata=row.meta,
            triage_status=TriageStatus(row.triage_status) if row.triage_status else None,
            merged_into_id=(
                strawberry.ID(to_global_id("Ticket", row.merged_into_id))
                if row.merged_into_id
                else None
            ),
            ai_classification=(
                AIClassificationType.of(row.ai_classification) if row.ai_classification else None
            ),
            pk=row.id,
            board_pk=row.board_id,
            assignee_pk=row.assignee_id,
            prefetched=prefetched,
        )

    @strawberry.field(description="The board the ticket is on.")
    async def board(self, info: Info) -> BoardRef:
        from app.boards.types import BoardType

        board = await info.context.loaders.board.load(self.board_pk)
        assert board is not None, "a ticket's board exists: the foreign key keeps it"
        return BoardType.from_row(board)

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

    @strawberry.field(description="Its SLA deadlines; null for tickets made before SLAs.")
    async def sla(self, info: Info) -> TicketSlaRef | None:
        from app.sla.types import ticket_sla

        return await ticket_sla(info.context, self.pk, self.status)

    @strawberry.field(description="What changed, by whom, when; oldest first.")
    async def timeline(self, info: Info) -> list[TimelineEntryType]:
        rows = await info.context.loaders.timeline.load(self.pk)
        return [TimelineEntryType.from_row(row) for row in rows]


# Live events carry the ticket as it was then under "ticket", delivered as a Ticket.
publish("ticket", "ticket", Ticket, TicketType.from_row)


@strawberry.input
class CreateTicketInput:
    board_id: strawberry.ID = strawberry.field(description="Board to create it on.")
    title: str = strawberry.field(description="Subject, 1 to 300 characters.")
    description: str | None = strawberry.field(default=None, description="Full description.")
    priority: Priority | None = strawberry.field(
        default=None,
        description="Urgency; left out, MEDIUM until AI triage suggests one.",
    )
    category: str | None = strawberry.field(
        default=None, description="Category; left out, AI triage may suggest one."
    )
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
