from typing import Any

import strawberry

from app.graphql.context import Info
from app.graphql.permissions import IsAdmin
from app.graphql.reads import every_row
from app.intake import service
from app.intake.repository import IntakeFormRepository
from app.intake.types import (
    CreateIntakeFormInput,
    IntakeFormPayload,
    IntakeFormType,
    UpdateIntakeFormInput,
)
from app.kit.ids import expect_global_id


def _board_pk(board_id: strawberry.ID | None) -> Any:
    return expect_global_id(board_id, "Board") if board_id is not None else None


@strawberry.type
class IntakeQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="The tenant's intake forms.")
    async def intake_forms(self, info: Info) -> list[IntakeFormType]:
        return await every_row(info, IntakeFormRepository, IntakeFormType.from_row)


@strawberry.type
class IntakeMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Publish a form; a slug taken by any tenant is CONFLICT.",
    )
    async def create_intake_form(
        self, info: Info, input: CreateIntakeFormInput
    ) -> IntakeFormPayload:
        fields = service.FormFields(
            slug=input.slug,
            title=input.title,
            intro=input.intro,
            board_id=_board_pk(input.board_id),
            categories=input.categories,
            is_active=input.is_active,
        )
        async with info.context.services.db.transaction() as work:
            form = await service.create_form(work.session, info.context.require(), fields)
        return IntakeFormPayload(intake_form=IntakeFormType.from_row(form))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Change a form; `isActive: false` takes it offline.",
    )
    async def update_intake_form(
        self, info: Info, input: UpdateIntakeFormInput
    ) -> IntakeFormPayload:
        form_id = expect_global_id(input.id, "IntakeForm")
        keys = ("slug", "title", "intro", "board_id", "categories", "is_active")
        given = {k: getattr(input, k) for k in keys if getattr(input, k) is not strawberry.UNSET}
        if "board_id" in given:
            given["board_id"] = _board_pk(given["board_id"])
        async with info.context.services.db.transaction() as work:
            form = await service.update_form(work.session, info.context.require(), form_id, given)
        return IntakeFormPayload(intake_form=IntakeFormType.from_row(form))
