import uuid
from datetime import datetime

import strawberry

from app.auth.refs import UserRef
from app.comments.models import AuthorKind, Comment
from app.graphql.context import Info
from app.graphql.relay import Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.realtime.payloads import publish
from app.tickets.prefetch import Prefetched
from app.tickets.types import TicketType

strawberry.enum(AuthorKind, name="AuthorKind", description="Who wrote a comment.")


@strawberry.type(name="Comment", description="A reply or internal note on a ticket.")
class CommentType(Node):
    body: str = strawberry.field(description="The text.")
    is_internal: bool = strawberry.field(description="Internal notes are never shown to contacts.")
    author_kind: AuthorKind = strawberry.field(description="Agent, contact or system.")
    author_name: str | None = strawberry.field(description="Author's display name.")
    author_email: str | None = strawberry.field(description="Contact's email, for contacts.")
    created_at: datetime = strawberry.field(description="When it was written.")
    author_pk: strawberry.Private[uuid.UUID | None]
    ticket_pk: strawberry.Private[uuid.UUID]
    prefetched: strawberry.Private[Prefetched | None] = None

    @classmethod
    def from_row(cls, row: Comment, prefetched: Prefetched | None = None) -> "CommentType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("Comment", row.id)),
            author_kind=AuthorKind(row.author_kind),
            author_pk=row.author_id,
            ticket_pk=row.ticket_id,
            prefetched=prefetched,
        )

    @strawberry.field(description="The team member who wrote it, for agent comments.")
    def author(self, info: Info) -> UserRef | None:
        from app.auth.types import user_or_load

        return user_or_load(info, self.author_pk, self.prefetched)

    @strawberry.field(description="The ticket it belongs to.")
    async def ticket(self, info: Info) -> TicketType | None:
        row = await info.context.loaders.ticket.load(self.ticket_pk)
        return TicketType.from_row(row) if row else None


# Live events carry a new comment under "comment", delivered as a Comment.
publish("comment", "comment", Comment, CommentType.from_row)


@strawberry.input
class AddCommentInput:
    ticket_id: strawberry.ID = strawberry.field(description="Ticket to comment on.")
    body: str = strawberry.field(description="Text, up to 64 KB.")
    is_internal: bool = strawberry.field(default=False, description="Hide from contacts.")
    author_kind: AuthorKind = strawberry.field(
        default=AuthorKind.AGENT,
        description="CONTACT relays a customer's reply; it reopens a finished ticket and moves "
        "a waiting one back to work.",
    )
    contact_name: str | None = strawberry.field(default=None, description="Contact's name.")
    contact_email: str | None = strawberry.field(default=None, description="Contact's email.")


@strawberry.type
class AddCommentPayload:
    comment: CommentType = strawberry.field(description="The new comment.")
    ticket: TicketType = strawberry.field(
        description="The ticket, possibly reopened or moved out of waiting."
    )
