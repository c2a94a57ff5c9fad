import uuid
from datetime import datetime

import strawberry

from app.auth.types import UserType, user_or_load
from app.graphql.context import Info
from app.graphql.relay import Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.widgets.models import WidgetToken


@strawberry.type(
    name="WidgetToken",
    description="Identifies the tenant to its embedded report widget (`X-Widget-Token`).",
)
class WidgetTokenType(Node):
    name: str = strawberry.field(description="Where the widget is embedded.")
    prefix: str = strawberry.field(description="The first characters, to tell tokens apart.")
    allowed_origins: list[str] = strawberry.field(
        description="Sites that may post reports with it from a browser; empty means any."
    )
    created_at: datetime = strawberry.field(description="When the token was created.")
    last_used_at: datetime | None = strawberry.field(
        description="Last report filed with it, recorded at most once a minute."
    )
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    created_by_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: WidgetToken) -> "WidgetTokenType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("WidgetToken", row.id)),
            allowed_origins=list(row.allowed_origins),
        )

    @strawberry.field(description="The administrator who created it, while they exist.")
    def created_by(self, info: Info) -> UserType | None:
        return user_or_load(info, self.created_by_id, None)


@strawberry.input
class CreateWidgetTokenInput:
    name: str = strawberry.field(description="Where the widget will be embedded.")
    allowed_origins: list[str] = strawberry.field(
        default_factory=list,
        description="Up to 20 origins like `https://example.com`; empty allows any site.",
    )


@strawberry.type(description="A new widget token; `token` is shown only here.")
class CreateWidgetTokenPayload:
    widget_token: WidgetTokenType = strawberry.field(description="The token's record.")
    token: str = strawberry.field(
        description="The token itself (`wgt_...`), for the widget's embed code. Store it now; "
        "it is not kept."
    )


@strawberry.input
class RevokeWidgetTokenInput:
    id: strawberry.ID = strawberry.field(description="Global id of the widget token.")


@strawberry.type
class RevokeWidgetTokenPayload:
    widget_token: WidgetTokenType = strawberry.field(description="The revoked token.")
