from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.graphql.context import Info
from app.intake.models import IntakeForm
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id

if TYPE_CHECKING:
    from app.boards.types import BoardType

BoardRef = Annotated["BoardType", strawberry.lazy("app.boards.types")]


@strawberry.type(
    name="IntakeForm",
    description="A public form at `/intake/<slug>` that files tickets into this tenant.",
)
class IntakeFormType:
    id: strawberry.ID = strawberry.field(description="Global id (`frm_…`).")
    slug: str = strawberry.field(
        description="The form's address, unique across every tenant: lowercase letters, "
        "digits and hyphens."
    )
    title: str = strawberry.field(description="Heading shown on the form.")
    intro: str | None = strawberry.field(description="Text shown above the fields.")
    categories: list[str] = strawberry.field(description="Categories a requester can pick.")
    is_active: bool = strawberry.field(description="Whether the form takes requests.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    board_pk: strawberry.Private[object]

    @classmethod
    def from_row(cls, row: IntakeForm) -> "IntakeFormType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("IntakeForm", row.id)),
            categories=list(row.categories),
            board_pk=row.board_id,
        )

    @strawberry.field(description="Where its tickets land; null means the default board.")
    async def board(self, info: Info) -> BoardRef | None:
        from app.boards.types import BoardType

        if self.board_pk is None:
            return None
        row = await info.context.loaders.board.load(self.board_pk)
        return BoardType.from_row(row) if row else None

    @strawberry.field(description="The form's public address.")
    def url(self, info: Info) -> str:
        return f"{info.context.services.settings.public_url.rstrip('/')}/intake/{self.slug}"


@strawberry.input
class CreateIntakeFormInput:
    slug: str = strawberry.field(description="Public address; must be free in every tenant.")
    title: str = strawberry.field(description="Heading, 1 to 300 characters.")
    intro: str | None = strawberry.field(default=None, description="Text above the fields.")
    board_id: strawberry.ID | None = strawberry.field(
        default=None, description="Board for its tickets; the default board when left out."
    )
    categories: list[str] | None = strawberry.field(
        default=None,
        description="1 to 20 categories; Hardware, Software, Network, Access, Account and "
        "General when left out.",
    )
    is_active: bool = strawberry.field(default=True, description="Whether it takes requests.")


@strawberry.input
class UpdateIntakeFormInput:
    id: strawberry.ID = strawberry.field(description="Form to change.")
    slug: str | None = strawberry.field(default=strawberry.UNSET, description="New address.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New heading.")
    intro: str | None = strawberry.field(default=strawberry.UNSET, description="New intro.")
    board_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New board; null returns to the default board."
    )
    categories: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="New categories."
    )
    is_active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="false deactivates the form; its page then 404s."
    )


@strawberry.type
class IntakeFormPayload:
    intake_form: IntakeFormType = strawberry.field(description="The form as it now stands.")
