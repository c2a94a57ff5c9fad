import strawberry

from app.comments import service
from app.comments.models import AuthorKind
from app.comments.types import AddCommentInput, AddCommentPayload, CommentType
from app.graphql.context import Info
from app.graphql.permissions import CanWrite
from app.kit.actors import Actor
from app.kit.errors import ValidationFailed
from app.kit.ids import expect_global_id
from app.tickets.types import TicketType


@strawberry.type
class CommentMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Comment on a ticket; a contact's reply reopens a resolved or closed ticket "
        "and moves a waiting one back to work.",
    )
    async def add_comment(self, info: Info, input: AddCommentInput) -> AddCommentPayload:
        principal = info.context.require()
        if input.author_kind == AuthorKind.SYSTEM:
            raise ValidationFailed("System comments are written by Haven only", field="authorKind")
        draft = service.NewComment(
            ticket_id=expect_global_id(input.ticket_id, "Ticket"),
            body=input.body,
            is_internal=input.is_internal,
            author_kind=input.author_kind,
            contact_name=input.contact_name,
            contact_email=input.contact_email,
        )
        async with info.context.services.db.transaction() as work:
            comment, ticket = await service.add_comment(
                work.session, principal.tenant_id, Actor.of(principal), draft
            )
        return AddCommentPayload(
            comment=CommentType.from_row(comment), ticket=TicketType.from_row(ticket)
        )
