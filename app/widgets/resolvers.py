import uuid

import strawberry

from app.graphql.context import Info
from app.graphql.permissions import IsAdmin
from app.graphql.reads import every_row
from app.kit.ids import expect_global_id
from app.widgets import service
from app.widgets.repository import WidgetTokenRepository
from app.widgets.types import (
    CreateWidgetTokenInput,
    CreateWidgetTokenPayload,
    RevokeWidgetTokenInput,
    RevokeWidgetTokenPayload,
    WidgetTokenType,
)


@strawberry.type
class WidgetQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="The tenant's widget tokens.")
    async def widget_tokens(self, info: Info) -> list[WidgetTokenType]:
        return await every_row(info, WidgetTokenRepository, WidgetTokenType.from_row)


@strawberry.type
class WidgetMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Create a token for the report widget."
    )
    async def create_widget_token(
        self, info: Info, input: CreateWidgetTokenInput
    ) -> CreateWidgetTokenPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            token, secret = await service.create_widget_token(
                work.session, principal, name=input.name, origins=input.allowed_origins
            )
        return CreateWidgetTokenPayload(widget_token=WidgetTokenType.from_row(token), token=secret)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Revoke a widget token at once.")
    async def revoke_widget_token(
        self, info: Info, input: RevokeWidgetTokenInput
    ) -> RevokeWidgetTokenPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            token = await service.revoke_widget_token(
                work.session, principal, expect_global_id(input.id, "WidgetToken")
            )
        return RevokeWidgetTokenPayload(widget_token=WidgetTokenType.from_row(token))


async def widget_token_node(info: Info, pk: uuid.UUID) -> WidgetTokenType | None:
    """`node(id)` for widget tokens: administrators' business, so to anyone else none exist."""
    principal = info.context.require()
    if not principal.is_admin:
        return None
    async with info.context.services.db.read() as session:
        row = await WidgetTokenRepository(session, principal.tenant_id).get(pk)
    return WidgetTokenType.from_row(row) if row else None
